// What the bundler suites share: the app (examples/bundlers) staged in a
// fresh project of its own with the packed ssimkit installed, Node's
// report for the same app unbundled, a static server that isolates the page
// (COOP/COEP), and headless Chromium to run the bundles in.

import { execFile } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { expect } from 'vitest';
import { testPackage } from '../runtimes/harness.js';
import { ROOT } from '../runtimes/package.js';

export const APP = join(ROOT, 'examples/bundlers');
const run = promisify(execFile);

export interface Report {
  info?: { build: string; simd: boolean; threads: number; runtime: string; features: string[]; fallback?: string };
  ssim?: number;
  msssim?: number;
  initMs?: number;
  error?: string;
}

export interface App {
  /** A project of its own: package.json, node_modules/ssimkit, the app's sources. */
  dir: string;
  remove(): void;
}

/**
 * The packed package's install, copied with the app into a directory of its
 * own (bundler caches and outputs never meet another app's), outside the
 * repository so nothing resolves through its node_modules.
 */
export function stageApp(name: string): App {
  const pkg = testPackage();
  const base = join(tmpdir(), 'ssimkit-bundlers');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${name}-`));
  cpSync(join(pkg.project, 'package.json'), join(dir, 'package.json'));
  cpSync(pkg.dir, join(dir, 'node_modules/ssimkit'), { recursive: true });
  cpSync(APP, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function node(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return stdout;
}

/** The app unbundled in Node: the numbers every bundle must give. */
export async function nodeReport(): Promise<Report> {
  const app = stageApp('node-ref');
  try {
    return JSON.parse(await node(['node.js'], app.dir));
  } finally {
    app.remove();
  }
}

/** Same doubles (Object.is), and a real pair: neither 1 nor an error. */
export function expectNodeNumbers(ref: Report, got: Report | undefined, where: string) {
  expect(ref.error, 'node').toBeUndefined();
  expect(ref.ssim).toBeGreaterThan(0.2);
  expect(ref.ssim).toBeLessThan(0.99);
  expect(ref.msssim).toBeGreaterThan(0.2);
  expect(ref.msssim).toBeLessThan(0.999);
  expect(got?.error, where).toBeUndefined();
  expect(Object.is(got?.ssim, ref.ssim), `${where}: ssim ${got?.ssim}, node ${ref.ssim}`).toBe(true);
  expect(Object.is(got?.msssim, ref.msssim), `${where}: msssim ${got?.msssim}, node ${ref.msssim}`).toBe(true);
}

/**
 * A Worker's report: the threaded build on a pool, or the simd build with
 * `info.fallback` saying why not. Returns which happened.
 */
export function expectThreadsOrStatedFallback(r: Report | undefined, where: string): 'threads' | 'fallback' {
  expect(r?.error, where).toBeUndefined();
  if (r!.info!.build === 'threads') {
    expect(r!.info!.threads).toBeGreaterThan(1);
    expect(r!.info!.fallback).toBeUndefined();
    return 'threads';
  }
  expect(r!.info, where).toMatchObject({ build: 'simd', threads: 1 });
  expect(r!.info!.fallback, `${where}: the simd build without a reason`).toMatch(/\w+ \w+/);
  return 'fallback';
}

/**
 * A Worker of an isolated page whose bundler followed `new URL(...,
 * import.meta.url)` (webpack 5, vite build): the threaded build on a pool.
 */
export function expectThreads(r: Report | undefined, where: string) {
  expect(r?.error, where).toBeUndefined();
  expect(r!.info!.fallback, `${where}: fell back`).toBeUndefined();
  expect(r!.info).toMatchObject({ runtime: 'browser', build: 'threads', features: ['simd128', 'atomics'] });
  expect(r!.info!.threads).toBeGreaterThan(1);
}

/**
 * A Worker whose bundler left the threaded build behind: the simd build,
 * and a reason that says which files to serve where.
 */
export function expectCopyAdvice(r: Report | undefined, where: string) {
  expect(expectThreadsOrStatedFallback(r, where)).toBe('fallback');
  expect(r!.info!.fallback).toMatch(/copy node_modules\/ssimkit\/dist\/wasm\/threads\/ssimkit_bg\.wasm .*thread-worker\.js/);
}

// ------------------------------------------------------------------ serving

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm',
};

export interface Served {
  origin: string;
  /** Every request: path and status. */
  log: { path: string; status: number }[];
  close(): Promise<void>;
}

/**
 * A static server of `root` as a user's would be: correct MIME types, the
 * page cross-origin isolated (COOP same-origin, COEP require-corp) so a
 * Worker of it may run threads; `/` is index.html.
 */
export function serveStatic(root: string): Promise<Served> {
  const log: Served['log'] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      log.push({ path, status: 404 });
      res.writeHead(404, headers).end();
      return;
    }
    log.push({ path, status: 200 });
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () => new Promise((done) => server.close(() => done())),
  })));
}

/**
 * index.html (the app's page) written into an output directory, loading
 * `script` as a module, or as a classic script (webpack's default output).
 */
export function writePage(dir: string, script: string, kind: 'module' | 'classic' = 'module') {
  const tag = kind === 'module' ? `<script type="module" src="${script}"></script>` : `<script defer src="${script}"></script>`;
  writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>ssimkit</title><link rel="icon" href="data:,">\n${tag}\n`);
}

// ----------------------------------------------------------------- Chromium

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PageRun<T> {
  result?: T;
  /** Warnings, errors and uncaught exceptions of the page. */
  console: string[];
  /** Set when the page never reported (the app failed before it could). */
  timeout?: string;
}

/** Opens `url` in a fresh context and waits for the app's window.__result. */
export async function runPage<T = { page?: Report; worker?: Report; crossOriginIsolated?: boolean }>(
  browser: Browser, url: string, timeout = 60_000, graceMs = 15_000): Promise<PageRun<T>> {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const console_: string[] = [];
  // After the first error the app gets `graceMs` more to report (a stated
  // fallback may follow a failed fetch); a module that failed to load never will.
  let failed: () => void = () => {};
  const failure = new Promise<void>((ok) => { failed = ok; });
  tab.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') console_.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error') failed();
  });
  tab.on('pageerror', (e) => { console_.push(`pageerror: ${e.message}`); failed(); });
  try {
    await tab.goto(url);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = failure.then(() => new Promise<never>((_, no) => {
      timer = setTimeout(() => no(new Error(`no report ${graceMs} ms after the first error`)), graceMs);
    }));
    grace.catch(() => {});
    try {
      await Promise.race([tab.waitForFunction(() => (window as { __result?: string }).__result !== undefined, null, { timeout }), grace]);
    } finally {
      clearTimeout(timer);
    }
    return { result: JSON.parse(await tab.evaluate(() => (window as { __result?: string }).__result!)), console: console_ };
  } catch (e) {
    return { console: console_, timeout: String(e) };
  } finally {
    await context.close();
  }
}

/** An error as one readable string: its message, a bundler's error list, a child's stderr. */
export function describeError(e: unknown): string {
  const x = e as { errors?: { message?: string; text?: string }[]; stderr?: string; message?: string };
  const parts = [x?.stderr || String(e)];
  for (const m of x?.errors ?? []) parts.push(m.text ?? m.message ?? String(m));
  if (x?.message && !parts[0]!.includes(x.message)) parts.push(x.message);
  return parts.join('\n');
}
