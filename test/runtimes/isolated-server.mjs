// A cross-origin-isolated static server for the browser suites (COOP
// same-origin, COEP require-corp: what a threaded build needs), with no
// caching between runs. Pages report back by POST, so a run needs nothing
// from a browser driver after navigation (Firefox runs with none at all).
// Plain JavaScript: scripts/soak-firefox.mjs and scripts/serve-site.mjs (the
// demo page, `npm run demo:web`) load it under bare Node.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm',
  '.css': 'text/css', '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp', '.svg': 'image/svg+xml',
};

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * A directory's path serves its index.html.
 * @param {object} options
 * @param {Record<string, string>} [options.routes]  { '/prefix/': dir, '/exact/path': file }: files from disk
 * @param {Record<string, [string, string]>} [options.docs]  { '/path': [contentType, body] }: generated documents
 * @param {(path: string, searchParams: URLSearchParams, body: string) => void} [options.onPost]  for any POST
 * @param {number} [options.port]  0 (default): any free port
 * @param {string} [options.host]  '127.0.0.1' (default)
 * @param {boolean} [options.isolated]  false: the same server without COOP/COEP/CORP, to see
 *   what a page does where it is not cross-origin isolated
 * @param {boolean} [options.record]  false: keep no `served` log (a long-running server)
 * @returns {Promise<{ origin: string, served: { path: string, type?: string }[], close(): Promise<void> }>}
 *   served: every GET, `type` absent for a 404
 */
export function serveIsolated({ routes = {}, docs = {}, onPost = () => {}, port = 0, host = '127.0.0.1', isolated = true, record = true }) {
  const served = [];
  const HEADERS = { ...(isolated ? ISOLATION : {}), 'Cache-Control': 'no-store' };
  const log = (entry) => { if (record) served.push(entry); };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = decodeURIComponent(url.pathname);
    if (req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        try { onPost(path, url.searchParams, body); } catch { /* a torn report: the waiting side times out */ }
        res.writeHead(204, HEADERS).end();
      });
      return;
    }
    const doc = docs[path];
    if (doc) {
      log({ path, type: doc[0] });
      res.writeHead(200, { ...HEADERS, 'Content-Type': doc[0] }).end(doc[1]);
      return;
    }
    let file;
    for (const [prefix, root] of Object.entries(routes)) {
      if (prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix) {
        const f = prefix.endsWith('/') ? normalize(join(root, path.slice(prefix.length))) : root;
        if (f === root || f.startsWith(root + sep)) file = f;
      }
    }
    if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      log({ path });
      res.writeHead(404, HEADERS).end();
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    log({ path, type });
    res.writeHead(200, { ...HEADERS, 'Content-Type': type });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => server.once('error', fail).listen(port, host, () => ok({
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${server.address().port}`,
    served,
    close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
  })));
}
