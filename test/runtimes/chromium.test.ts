// Headless Chromium loads the packed ssimkit the way a page does: an import
// map points 'ssimkit' at the package's browser entry (resolved from its
// exports map), the module fetches its .wasm from the same server, and the
// page is cross-origin isolated as the threaded build will need.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CASES_MJS, decode, differences, fixturesDir, loadFixtures, nodeReference, resolveExport, type Run, tampered, testPackage, WIRE_MJS } from './harness.js';

const dir = fixturesDir();
const count = loadFixtures(dir).cases.length;
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm',
};

// Runs in the page. A dynamic import, so that a wrong entry (a 404 through
// the import map) is an error we can report rather than a silent hang.
const PAGE_SCRIPT = `
import { encode } from '/wire.mjs';
import { runCases } from '/shared/cases.mjs';
try {
  const ssimkit = await import('ssimkit');
  const info = await ssimkit.init();
  const fixtures = await (await fetch('/fixtures/cases.json')).json();
  const read = async (file) => {
    const r = await fetch('/fixtures/' + file);
    if (!r.ok) throw new Error(file + ': HTTP ' + r.status);
    return r.arrayBuffer();
  };
  const results = await runCases(ssimkit, fixtures, read);
  // A real DOM ImageData (RGBA, Uint8ClampedArray) is an image as it is.
  const draw = (shift) => {
    const ctx = new OffscreenCanvas(96, 80).getContext('2d');
    const g = ctx.createLinearGradient(0, 0, 96, 80);
    g.addColorStop(0, '#c33'); g.addColorStop(1, '#36c');
    ctx.fillStyle = g; ctx.fillRect(0, 0, 96, 80);
    ctx.fillStyle = '#fe8'; ctx.beginPath(); ctx.arc(40 + shift, 40, 22, 0, 7); ctx.fill();
    return ctx.getImageData(0, 0, 96, 80);
  };
  const [a, b] = [draw(0), draw(3)];
  const plain = (d) => ({ data: new Uint8Array(d.data), width: d.width, height: d.height, channels: 4 });
  let error;
  try { ssimkit.ssim(a, { data: b.data, width: 95, height: 80 }); } catch (e) { error = e.name; }
  const imageData = {
    isImageData: a instanceof ImageData,
    score: ssimkit.ssim(a, b).score,
    plain: ssimkit.ssim(plain(a), plain(b)).score,
    channels: ssimkit.ssim(a, b).channels.length,
    error,
    afterError: ssimkit.ssim(a, b).score,
  };
  window.__ssimkit = encode({ info, crossOriginIsolated, results, imageData });
} catch (e) {
  window.__ssimkit = encode({ fatal: String(e && e.stack || e) });
}`;

let server: Server, browser: Browser;
let node: Run, page: Run & {
  crossOriginIsolated?: boolean; fatal?: string;
  imageData?: { isImageData: boolean; score: number; plain: number; channels: number; error?: string; afterError: number };
};
let exported: string, exportedExists: boolean;
const served: { path: string; type?: string }[] = [];
const console_: string[] = [];

function serve(routes: Record<string, string>, html: string): Promise<string> {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    // What a threaded build needs (crossOriginIsolated); no caching between runs.
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    let file: string | undefined;
    if (path === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(html);
      served.push({ path, type: 'text/html' });
      return;
    }
    for (const [prefix, root] of Object.entries(routes)) {
      if (prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix) {
        const f = prefix.endsWith('/') ? normalize(join(root, path.slice(prefix.length))) : root;
        if (f === root || f.startsWith(root + sep)) file = f;
      }
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      served.push({ path });
      res.writeHead(404, headers).end();
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    served.push({ path, type });
    res.writeHead(200, { ...headers, 'Content-Type': type });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  const pkg = testPackage();
  node = await nodeReference(pkg, dir);
  // The import map holds what a browser bundler would pick: 'browser', then 'default'.
  exported = resolveExport(pkg.manifest, ['browser', 'import']);
  exportedExists = existsSync(join(pkg.dir, exported));
  const entry = exported;
  const html = `<!doctype html><meta charset="utf-8"><title>ssimkit</title><link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports: { ssimkit: `/pkg/${entry.replace(/^\.\//, '')}` } })}</script>
<script type="module">${PAGE_SCRIPT}</script>`;
  const origin = await serve({ '/pkg/': pkg.dir, '/fixtures/': dir, '/shared/cases.mjs': CASES_MJS, '/wire.mjs': WIRE_MJS }, html);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const tab = await browser.newPage();
  tab.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') console_.push(`${m.type()}: ${m.text()}`); });
  tab.on('pageerror', (e) => console_.push(`pageerror: ${e.message}`));
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => (window as { __ssimkit?: string }).__ssimkit !== undefined, null, { timeout: 60_000 });
  page = decode(await tab.evaluate(() => (window as { __ssimkit?: string }).__ssimkit!));
});

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
});

describe('chromium', () => {
  test("the exports map's browser entry is a file of the package", () => {
    expect(exportedExists, `exports['.'].browser = ${exported}`).toBe(true);
  });

  test('loads the browser entry and its wasm from the server, with SIMD, cross-origin isolated', () => {
    expect(page.fatal).toBeUndefined();
    expect(node.resolved).toMatch(/\/node_modules\/ssimkit\/dist\/node\.js$/);
    expect(node.info).toMatchObject({ runtime: 'node', simd: true });
    expect(page.info).toMatchObject({ runtime: 'browser', simd: true, build: 'simd' });
    expect(page.crossOriginIsolated).toBe(true);
    // Fetched as application/wasm, so instantiateStreaming took it: no fallback warning either.
    expect(served).toContainEqual({ path: '/pkg/dist/wasm/simd/ssimkit_bg.wasm', type: 'application/wasm' });
    expect(served.filter((s) => !s.type)).toEqual([]);
    expect(console_).toEqual([]);
  });

  test('scores a canvas ImageData as it is (alpha ignored), and survives a bad call', () => {
    const r = page.imageData!;
    expect(r.isImageData).toBe(true);
    expect(r.channels).toBe(3);
    expect(r.score).toBeGreaterThan(0.3);
    expect(r.score).toBeLessThan(1);
    expect(r.plain).toBe(r.score);
    expect(r.error).toBe('RangeError');
    expect(r.afterError).toBe(r.score);
  });

  test(`gives Node's results bit for bit on all ${count} fixture cases`, () => {
    expect(page.fatal).toBeUndefined();
    expect(differences(node.results, page.results, count)).toEqual([]);
    expect(differences(node.results, tampered(page.results), count)).not.toEqual([]);
  });
});
