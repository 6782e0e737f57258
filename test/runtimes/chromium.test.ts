// Headless Chromium loads the packed ssimkit the way a page does: an import
// map points 'ssimkit' at the package's browser entry (resolved from its
// exports map), the module fetches its .wasm from the same server, and the
// page is cross-origin isolated (COOP same-origin, COEP require-corp). The
// page's main thread may not block, so it gets the single-threaded simd
// build; a module Web Worker of the page gets the threaded build (its pool
// on nested module Workers), and both must give Node's numbers, bit for bit.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeCount, decodeDifferences, decodeList, nodeDecodeProblems, tamperedDecode } from './decode-cases.js';
import { CASES_MJS, decode, differences, fixturesDir, loadFixtures, nodeReference, resolveExport, type Run, tampered, testPackage, WIRE_MJS } from './harness.js';

const dir = fixturesDir();
const count = loadFixtures(dir).cases.length;
const decodes = decodeCount(decodeList());
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm',
};

// Runs in the page. A dynamic import, so that a wrong entry (a 404 through
// the import map) is an error we can report rather than a silent hang.
const PAGE_SCRIPT = `
import { encode } from '/wire.mjs';
import { runCases, runDecodeCases } from '/shared/cases.mjs';
try {
  const ssimkit = await import('ssimkit');
  // Threads asked for on the main thread: refused, and init() still works after.
  let mainThreads;
  try { await ssimkit.init({ threads: 2 }); mainThreads = 'loaded'; } catch (e) { mainThreads = e.name + ': ' + e.message; }
  const info = await ssimkit.init();
  const fixtures = await (await fetch('/fixtures/cases.json')).json();
  const read = async (file) => {
    const r = await fetch('/fixtures/' + file);
    if (!r.ok) throw new Error(file + ': HTTP ' + r.status);
    return r.arrayBuffer();
  };
  const results = await runCases(ssimkit, fixtures, read);
  const decode = await runDecodeCases(ssimkit, await (await fetch('/decode.json')).json(), read);
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
  // The same package in a module Worker of this page (import maps do not
  // reach workers: it imports the entry by its path).
  const worker = await new Promise((resolve) => {
    const w = new Worker('/page-worker.mjs', { type: 'module' });
    w.onmessage = (e) => resolve(e.data);
    w.onerror = (e) => resolve(encode({ fatal: 'worker: ' + (e.message || 'failed to load') }));
  });
  window.__ssimkit = encode({ info, mainThreads, crossOriginIsolated, results, decode, imageData, worker });
} catch (e) {
  window.__ssimkit = encode({ fatal: String(e && e.stack || e) });
}`;

// Runs in a module Worker of the page: the threaded build, default init().
const workerScript = (entry: string) => `
import { encode } from '/wire.mjs';
import { runCases, runDecodeCases } from '/shared/cases.mjs';
try {
  const ssimkit = await import('/pkg/${entry.replace(/^\.\//, '')}');
  const info = await ssimkit.init();
  const fixtures = await (await fetch('/fixtures/cases.json')).json();
  const read = async (file) => (await fetch('/fixtures/' + file)).arrayBuffer();
  const results = await runCases(ssimkit, fixtures, read);
  const decode = await runDecodeCases(ssimkit, await (await fetch('/decode.json')).json(), read);
  const used = [ssimkit.threadsUsed(), ssimkit.threadsUsed(), ssimkit.threadsUsed()];
  postMessage(encode({ info, results, decode, used, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency }));
} catch (e) {
  postMessage(encode({ fatal: String(e && e.stack || e) }));
}`;

let server: Server, browser: Browser;
type WorkerRun = Run & { used: number[]; crossOriginIsolated: boolean; hardwareConcurrency: number; fatal?: string;
  info: { threads: number; features: string[] } };
let node: Run, worker: WorkerRun, page: Run & {
  crossOriginIsolated?: boolean; fatal?: string; mainThreads?: string; worker?: string;
  imageData?: { isImageData: boolean; score: number; plain: number; channels: number; error?: string; afterError: number };
};
let exported: string, exportedExists: boolean;
const served: { path: string; type?: string }[] = [];
const console_: string[] = [];

function serve(routes: Record<string, string>, docs: Record<string, [type: string, body: string]>): Promise<string> {
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
    const doc = docs[path];
    if (doc) {
      res.writeHead(200, { ...headers, 'Content-Type': doc[0] }).end(doc[1]);
      served.push({ path, type: doc[0] });
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
  const origin = await serve({ '/pkg/': pkg.dir, '/fixtures/': dir, '/shared/cases.mjs': CASES_MJS, '/wire.mjs': WIRE_MJS },
    { '/': ['text/html', html], '/page-worker.mjs': ['text/javascript', workerScript(entry)], '/decode.json': ['application/json', JSON.stringify(decodeList())] });

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
  worker = page.worker ? decode(page.worker) : ({ fatal: 'no worker result' } as WorkerRun);
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

  test("the main thread refuses threads (it may not block) and runs simd", () => {
    expect(page.fatal).toBeUndefined();
    expect(page.info).toMatchObject({ build: 'simd', threads: 1 });
    expect(page.mainThreads).toMatch(/^Error: init: threads: 2 cannot be used here: a page's main thread may not block/);
  });

  test('a module Web Worker of the isolated page runs the threaded build on a pool that really works', () => {
    expect(worker.fatal).toBeUndefined();
    expect(worker.crossOriginIsolated).toBe(true);
    // Two cores or more (the CI has two): the default is a pool, up to 8.
    expect(worker.hardwareConcurrency).toBeGreaterThan(1);
    expect(worker.info).toMatchObject({ runtime: 'browser', simd: true, build: 'threads', features: ['simd128', 'atomics'],
      threads: Math.min(worker.hardwareConcurrency, 8) });
    // The best of three small jobs: a busy machine may starve one thread once.
    expect(Math.max(...worker.used)).toBeGreaterThan(1);
    // Its pool workers, the threaded glue and wasm came from the package, as served files.
    for (const f of ['thread-worker.js', 'wasm/threads/ssimkit.js', 'wasm/threads/ssimkit_bg.wasm']) {
      expect(served.map((s) => s.path)).toContain(`/pkg/dist/${f}`);
    }
    expect(served).toContainEqual({ path: '/pkg/dist/wasm/threads/ssimkit_bg.wasm', type: 'application/wasm' });
  });

  test(`the worker's threaded results equal the main thread's simd results and Node's, bit for bit`, () => {
    expect(differences(page.results, worker.results, count)).toEqual([]);
    expect(differences(node.results, worker.results, count)).toEqual([]);
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

  test(`decodes ${decodes} files (PNG, JPEG, WebP of every kind), scores files and refuses broken ones as Node does, bit for bit, on the main thread and in the worker`, () => {
    expect(page.fatal).toBeUndefined();
    expect(nodeDecodeProblems(node.decode)).toEqual([]);
    expect(decodeDifferences(node.decode, page.decode, decodes)).toEqual([]);
    expect(decodeDifferences(node.decode, worker.decode, decodes)).toEqual([]);
    expect(decodeDifferences(node.decode, tamperedDecode(page.decode), decodes)).not.toEqual([]);
  });
});
