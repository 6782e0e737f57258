// Starts ssimkit's threaded pool in stock Firefox ESR, again and again: a
// cross-origin-isolated page (COOP same-origin, COEP require-corp) starts a
// module Worker, which imports the browser entry and awaits init() (the
// threaded build, its pool on nested module Workers). One "launch" is a
// fresh Firefox process (puppeteer-core over WebDriver BiDi, headless).
// Shared by test/runtimes/firefox.test.ts (a few launches in `npm test`) and
// scripts/soak-firefox.mjs (many). Plain JavaScript: Node runs it as it is.
//
// Every worker (the caller and the pool's nested workers) can post trace
// events on a BroadcastChannel that the page records: it reaches the page
// even while the calling worker is blocked, so a launch that never finishes
// still says how far it got.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import puppeteer from 'puppeteer-core';

export const FIREFOX = '/usr/bin/firefox-esr';

const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm',
};

/** Serves `dist` at /pkg/dist/ plus the page and its worker, cross-origin isolated. */
export function serveIsolated(dist, docs) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    if (docs[path]) {
      res.writeHead(200, { ...headers, 'Content-Type': docs[path][0] }).end(docs[path][1]);
      return;
    }
    let file;
    if (path.startsWith('/pkg/dist/')) {
      const f = normalize(join(dist, path.slice('/pkg/dist/'.length)));
      if (f.startsWith(dist + sep)) file = f;
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, origin: `http://127.0.0.1:${server.address().port}` })));
}

// The calling worker: init(options), then a small score and threadsUsed().
const workerScript = (options) => `
const trace = new BroadcastChannel('ssimkit-trace');
const t0 = performance.now();
const say = (stage, extra) => trace.postMessage({ who: 'caller', stage, t: Math.round(performance.now() - t0), ...extra });
try {
  const ssimkit = await import('/pkg/dist/index.js');
  say('imported');
  const info = await ssimkit.init(${JSON.stringify(options ?? null)} ?? undefined);
  const initMs = Math.round(performance.now() - t0);
  say('init resolved', { info });
  const n = 64 * 48 * 3;
  const a = { data: new Uint8Array(n).map((_, i) => (i * 7) & 255), width: 64, height: 48 };
  const b = { data: new Uint8Array(n).map((_, i) => (i * 7 + (i % 5)) & 255), width: 64, height: 48 };
  const score = ssimkit.ssim(a, b).score;
  const used = Math.max(ssimkit.threadsUsed(), ssimkit.threadsUsed(), ssimkit.threadsUsed());
  postMessage({ info, initMs, score, used, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated });
} catch (e) {
  postMessage({ error: String(e && e.name) + ': ' + String(e && e.message), stack: String(e && e.stack) });
}`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>ssimkit pool</title><link rel="icon" href="data:,">
<script type="module">
window.__trace = [];
new BroadcastChannel('ssimkit-trace').onmessage = (e) => window.__trace.push(e.data);
const w = new Worker('/caller.mjs', { type: 'module' });
w.onmessage = (e) => { window.__result = e.data; };
w.onerror = (e) => { window.__result = { error: 'worker: ' + (e.message || 'failed to load') }; };
</script>`;

/**
 * Starts a server for `dist` and returns `launch()`: one fresh Firefox, one
 * page, one init(options) in its Worker. A launch resolves (never rejects)
 * with { outcome, ms, result, trace }: outcome 'threads' (a pool), 'simd'
 * (init resolved with the simd build; result.info.fallback says why),
 * 'error' (init or a call threw) or 'hang' (nothing within hangMs: the bug).
 */
export async function firefoxPool(dist, { options, hangMs = 60_000 } = {}) {
  const { server, origin } = await serveIsolated(dist, {
    '/': ['text/html', PAGE],
    '/caller.mjs': ['text/javascript', workerScript(options)],
  });
  async function launch() {
    const t0 = Date.now();
    const browser = await puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi',
      // Each launch its own profile (puppeteer's temporary one), no updates or telemetry.
      extraPrefsFirefox: { 'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false },
    });
    let out;
    try {
      const page = await browser.newPage();
      const console_ = [];
      page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => console_.push(`pageerror: ${e.message}`));
      const loaded = Date.now();
      await page.goto(`${origin}/`);
      let result;
      for (;;) {
        result = await page.evaluate(() => window.__result);
        if (result !== undefined || Date.now() - loaded > hangMs) break;
        await new Promise((ok) => setTimeout(ok, 50));
      }
      // A SharedArrayBuffer in a trace event (a debug build's stage words) is read now.
      const trace = await page.evaluate(() => window.__trace.map((t) => (t.sab ? { ...t, sab: Array.from(new Int32Array(t.sab)) } : t)));
      const ms = Date.now() - loaded;
      const outcome = result === undefined ? 'hang' : result.error ? 'error' : result.info.build;
      out = { outcome, ms, launchMs: loaded - t0, result, trace, console: console_ };
    } catch (e) {
      out = { outcome: 'driver-error', ms: Date.now() - t0, error: String(e?.stack ?? e) };
    } finally {
      // A hung page must not hold the browser: close, then kill what is left.
      const proc = browser.process();
      await Promise.race([browser.close().catch(() => {}), new Promise((ok) => setTimeout(ok, 10_000))]);
      if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    }
    return out;
  }
  return { launch, origin, close: () => new Promise((ok) => server.close(ok)) };
}
