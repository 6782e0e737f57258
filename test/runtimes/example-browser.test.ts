// examples/browser, as a user runs it: staged with the packed ssimkit in its
// own node_modules (as `npm i` leaves it), built by `vite build` (Vite's JS
// API, the example's vite.config.js, nothing else) and served by
// `vite preview`; then the same page on Vite's dev server. Headless Chromium
// presses "Use the sample pair": the page's main thread and its module
// Worker must both show Node's scores of the shipped pair, bit for bit, and
// the Worker of the built app must run the threaded build.

import { cpSync, existsSync, readdirSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, createServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { crop, nodeScores, read, SHIPPED, stageExample, thrown } from './examples.js';
import { importPackage, testPackage } from './harness.js';

const METRICS = ['ssim', 'msssim', 'dssim', 'lwssim'] as const;
type Four = Record<(typeof METRICS)[number], number | null>;
interface Posted { info: { build: string; threads: number; fallback?: string }; scores: Four; ms: number }
interface Seen { main: Four; worker: Four; posted: Posted[]; mainInfo: string; workerInfo: string; errors: string[] }

let node: Four;
let nodeSwapped: Four;
let nodeMismatch: string;
let stage: { dir: string; remove(): void };
let browser: Browser;
let built: string[];
let fromBuild: Seen;
let fromDev: Seen;
let picked: Seen;
let mismatched: Seen;

const freePort = () => new Promise<number>((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});

// Records what the page's Workers post (before the app's script runs), so
// the test sees the message itself as well as what the page made of it.
const RECORD_POSTS = () => {
  const posted: unknown[] = ((window as unknown as { __posted: unknown[] }).__posted = []);
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.addEventListener('message', (e) => posted.push(e.data));
    }
  };
};

/** Opens the app, gives it two images (`act`), reads both columns and the posted message. */
async function visit(origin: string, act: (tab: Page) => Promise<unknown> = (tab) => tab.click('#sample'), until = ['main-info', 'worker-info']): Promise<Seen> {
  const tab = await browser.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  tab.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await tab.addInitScript(RECORD_POSTS);
  try {
    await tab.goto(`${origin}/`);
    await act(tab);
    await tab.waitForFunction((ids) => ids.every((id) => document.getElementById(id)!.textContent !== ''), until, { timeout: 45_000 });
    const cells = (where: string) => tab.evaluate(([w, ms]) => Object.fromEntries(ms.map((m) => {
      const text = document.getElementById(`${w}-${m}`)!.textContent!;
      return [m, text === '–' ? null : text === '' ? undefined : Number(text)];
    })), [where, METRICS] as const) as Promise<Four>;
    return {
      main: await cells('main'),
      worker: await cells('worker'),
      posted: await tab.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted),
      mainInfo: await tab.textContent('#main-info') ?? '',
      workerInfo: await tab.textContent('#worker-info') ?? '',
      errors,
    };
  } finally {
    await tab.close();
  }
}

/** Every score that is not Node's double (Object.is), as readable lines. */
const unlike = (got: Four, want = node) => METRICS.filter((m) => !Object.is(got[m], want[m])).map((m) => `${m}: ${got[m]} vs node ${want[m]}`);

beforeAll(async () => {
  const pkg = testPackage();
  const api = await importPackage(pkg);
  await api.init();
  const all = nodeScores(api, read(SHIPPED.ref), read(SHIPPED.img));
  node = Object.fromEntries(METRICS.map((m) => [m, all[m]])) as Four;
  const swapped = nodeScores(api, read(SHIPPED.img), read(SHIPPED.ref));
  nodeSwapped = Object.fromEntries(METRICS.map((m) => [m, swapped[m]])) as Four;
  const small = await crop(200);
  nodeMismatch = thrown(() => api.ssim(api.decode(read(SHIPPED.ref)), api.decode(small.img)));

  // The package inside the app's own node_modules, as `npm i` leaves it,
  // so Vite's dev server serves it from within its root.
  stage = stageExample(pkg, 'browser');
  cpSync(pkg.dir, join(stage.dir, 'node_modules/ssimkit'), { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  await build({ root: stage.dir, logLevel: 'warn' });
  built = readdirSync(join(stage.dir, 'dist/assets'));
  const served = await preview({ root: stage.dir, logLevel: 'warn', preview: { host: '127.0.0.1', port: await freePort(), strictPort: true } });
  try {
    const origin = served.resolvedUrls!.local[0]!.replace(/\/$/, '');
    fromBuild = await visit(origin);
    // The two file inputs, the pair swapped (the JPEG-damaged image as reference).
    picked = await visit(origin, async (tab) => {
      await tab.setInputFiles('#ref', SHIPPED.img);
      await tab.setInputFiles('#img', SHIPPED.ref);
    });
    // Two sizes: the main thread shows ssimkit's error, the Worker gets nothing.
    const small = await crop(200);
    mismatched = await visit(origin, async (tab) => {
      await tab.setInputFiles('#ref', SHIPPED.ref);
      await tab.setInputFiles('#img', { name: 'crop.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(small.img) });
    }, ['main-info']);
  } finally {
    await served.close();
  }

  const dev = await createServer({ root: stage.dir, logLevel: 'warn', server: { host: '127.0.0.1', port: await freePort(), strictPort: true } });
  await dev.listen();
  try {
    fromDev = await visit(dev.resolvedUrls!.local[0]!.replace(/\/$/, ''));
  } finally {
    await dev.close();
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  stage?.remove();
});

describe('examples/browser built by vite build, served by vite preview', () => {
  test('Node scored the shipped pair (the reference the page must match)', () => {
    for (const m of METRICS) expect(typeof node[m], m).toBe('number');
    expect(node.ssim).toBeGreaterThan(0);
    expect(node.ssim).toBeLessThan(1);
  });

  test('the build emitted the threaded wasm and the pool worker as files (no configuration)', () => {
    expect(existsSync(join(stage.dir, 'vite.config.js'))).toBe(true);
    expect(built.filter((f) => f.endsWith('.wasm')).length).toBeGreaterThanOrEqual(1);
    expect(built.some((f) => /^thread-worker-.*\.js$/.test(f))).toBe(true);
  });

  test("the page's main thread shows Node's four scores, bit for bit, on the simd build", () => {
    expect(fromBuild.errors).toEqual([]);
    expect(unlike(fromBuild.main)).toEqual([]);
    // One thread is the design there, not a fallback: nothing to explain.
    expect(fromBuild.mainInfo).toMatch(/^main thread: simd build, 1 thread\(s\), \d+\.\d ms$/);
  });

  test("the Worker posts and the page shows Node's four scores, bit for bit, from the threaded build", () => {
    expect(fromBuild.posted).toHaveLength(1);
    const [posted] = fromBuild.posted;
    expect(unlike(posted!.scores)).toEqual([]);
    expect(unlike(fromBuild.worker)).toEqual([]);
    expect(posted!.info.fallback).toBeUndefined();
    expect(posted!.info.build).toBe('threads');
    expect(posted!.info.threads).toBeGreaterThan(1);
    expect(posted!.ms).toBeGreaterThan(0);
    console.log(`vite build + preview, sample pair (decode + 4 metrics): ${fromBuild.mainInfo}; ${fromBuild.workerInfo}`);
    expect(fromBuild.workerInfo).toMatch(new RegExp(`^worker: threads build, ${posted!.info.threads} thread\\(s\\), `));
  });

  test("two picked files: both columns show Node's scores of that pair", () => {
    expect(picked.errors).toEqual([]);
    expect(unlike(picked.main, nodeSwapped)).toEqual([]);
    expect(unlike(picked.worker, nodeSwapped)).toEqual([]);
    expect(picked.posted).toHaveLength(1);
    expect(unlike(picked.posted[0]!.scores, nodeSwapped)).toEqual([]);
  });

  test("two images of different sizes: the main thread shows ssimkit's error, as Node raises it", () => {
    expect(nodeMismatch).toMatch(/^ssim: images differ in size/);
    expect(mismatched.errors).toEqual([]);
    expect(mismatched.mainInfo).toBe(`main thread: RangeError: ${nodeMismatch}`);
    expect(Object.values(mismatched.main)).toEqual([undefined, undefined, undefined, undefined]); // cells left empty
    expect(mismatched.posted).toEqual([]);
  });
});

describe('examples/browser on the Vite dev server', () => {
  test("the main thread shows Node's scores", () => {
    expect(fromDev.errors).toEqual([]);
    expect(unlike(fromDev.main)).toEqual([]);
  });

  // The optimizer pre-bundles ssimkit but points its new URL('./…',
  // import.meta.url) files back at node_modules/ssimkit/dist, served there
  // by their own names: the threaded build runs, no configuration.
  test("the Worker posts and the page shows Node's scores from the threaded build", () => {
    expect(fromDev.posted).toHaveLength(1);
    const [posted] = fromDev.posted;
    expect(unlike(posted!.scores)).toEqual([]);
    expect(unlike(fromDev.worker)).toEqual([]);
    expect(posted!.info.fallback).toBeUndefined();
    expect(posted!.info.build).toBe('threads');
    expect(posted!.info.threads).toBeGreaterThan(1);
    console.log(`vite dev server, sample pair: ${fromDev.mainInfo}; ${fromDev.workerInfo}`);
  });
});
