// One set of browser cases for every engine (chromium.test.ts,
// firefox.test.ts, webkit.test.ts). A cross-origin-isolated page (COOP
// same-origin, COEP require-corp) loads the packed ssimkit the way a page
// does: an import map points 'ssimkit' at the package's browser entry
// (resolved from its exports map). Its scripts (browser/) run the fixture
// cases (test/shared/cases.mjs: metrics, losses, decoding) on the main
// thread, on the simd build, then again in a module Worker with the
// default init(): the threaded build where the engine allows, else the
// simd build and the stated reason; a second Worker asks for
// init({ threads: 2 }), a third runs every case on the build without
// SIMD128. Everything must give Node's results bit for bit.
// The page reports by POST, so an engine's driver only has to open the
// URL (Firefox runs with no driver at all).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeCount, decodeDifferences, decodeList, type DecodeResult, nodeDecodeProblems, tamperedDecode } from './decode-cases.js';
import { CASES_MJS, decode, differences, fixturesDir, loadFixtures, nodeReference, resolveExport, type Result, ROOT, type Run, tampered, testPackage, WIRE_MJS } from './harness.js';
import { serveIsolated } from './isolated-server.mjs';

/** A browser an engine's suite opened on the page; close() ends it. */
export interface OpenBrowser {
  close(): Promise<void>;
  /** Console warnings and errors, where the driver can see them. */
  console?: string[];
}

export interface Engine {
  name: string;
  /** Opens `url` in a fresh browser; resolves once it navigates. */
  open(url: string): Promise<OpenBrowser>;
  /** Whether a Worker of an isolated page can run the threaded build here. */
  threads: boolean;
}

/** What a realm of the page says about itself. */
export interface Env {
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  /** typeof SharedArrayBuffer */
  sharedArrayBuffer: string;
  /** WebAssembly.validate of a module with one SIMD128 instruction. */
  wasmSimd: boolean;
  userAgent: string;
}

interface Info { runtime: string; simd: boolean; build: string; threads: number; features: string[]; fallback?: string }
export interface WorkerRun { fatal?: string; info: Info; env: Env; results: Result[]; decode: DecodeResult[]; used: number[] }
export interface PageRun {
  fatal?: string;
  info: Info;
  env: Env;
  mainThreads: string;
  results: Result[];
  decode: DecodeResult[];
  imageData: { isImageData: boolean; score: number; plain: number; channels: number; error?: string; afterError: number };
  threads2: { info?: Info; used?: number; error?: string; fatal?: string };
}

/** The page's and its Workers' scripts (page.mjs, worker.mjs, realm.mjs). */
const BROWSER_DIR = join(ROOT, 'test/runtimes/browser');

/** What only a pool fetches: its worker and the threaded wasm (the glue
 *  is imported by the entry itself). */
const POOL_FILE = /^\/pkg\/.*(thread-worker\.js|threads[^/]*\.wasm|\/threads\/[^/]*\.wasm)$/;

/** How long a page may take to report (it runs every case three times, decodes included). */
const REPORT_MS = 100_000;

/**
 * The cases of one engine as a vitest describe block: beforeAll packs (or
 * reuses) the package, takes Node's reference, serves the page, opens it
 * with `engine.open` and waits for its report.
 */
export function browserSuite(engine: Engine): void {
  const dir = fixturesDir();
  const count = loadFixtures(dir).cases.length;
  const decodes = decodeCount(decodeList());
  let node: Run, page: PageRun, worker: WorkerRun, scalar: WorkerRun;
  let served: { path: string; type?: string }[] = [];
  let exported = '', exportedExists = false;
  let browser: OpenBrowser | undefined;
  let consoleLines: string[] | undefined;
  let server: { close(): Promise<void> } | undefined;

  describe(engine.name, () => {
    beforeAll(async () => {
      const pkg = testPackage();
      node = await nodeReference(pkg, dir);
      // What a browser bundler would pick: 'browser', then 'default'.
      exported = resolveExport(pkg.manifest, ['browser', 'import']);
      exportedExists = existsSync(join(pkg.dir, exported));
      const entry = `/pkg/${exported.replace(/^\.\//, '')}`;
      const html = `<!doctype html><html data-entry="${entry}"><meta charset="utf-8"><title>ssimkit</title><link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports: { ssimkit: entry } })}</script>
<script type="module" src="/browser/page.mjs"></script></html>`;
      let report: (body: string) => void;
      const reported = new Promise<string>((ok) => { report = ok; });
      const stages: string[] = [];
      const t0 = Date.now();
      const s = await serveIsolated({
        routes: { '/pkg/': pkg.dir, '/fixtures/': dir, '/browser/': BROWSER_DIR, '/shared/cases.mjs': CASES_MJS, '/wire.mjs': WIRE_MJS },
        docs: { '/': ['text/html', html], '/decode.json': ['application/json', JSON.stringify(decodeList())] },
        onPost: (path: string, _params: URLSearchParams, body: string) => {
          if (path === '/stage') stages.push(`${((Date.now() - t0) / 1000).toFixed(1)} s ${body}`);
          if (path === '/report') report(body);
        },
      });
      server = s;
      served = s.served;
      browser = await engine.open(`${s.origin}/`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const text = await Promise.race([reported, new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error(`${engine.name}: no report within ${REPORT_MS / 1000} s; stages: ${stages.join(' | ') || 'none'}`)), REPORT_MS);
      })]).finally(() => clearTimeout(timer));
      // The Workers' reports travel inside the page's, still encoded.
      const raw: Omit<PageRun, 'threads2'> & { worker?: string; threads2?: string; scalar?: string } = decode(text);
      worker = raw.worker ? decode(raw.worker) : ({ fatal: 'no worker result' } as WorkerRun);
      scalar = raw.scalar ? decode(raw.scalar) : ({ fatal: 'no scalar worker result' } as WorkerRun);
      page = { ...raw, threads2: raw.threads2 ? decode(raw.threads2) : { fatal: 'no threads-2 result' } };
      // What the engine says about itself, for the record (docs/browsers.md).
      if (page.env) {
        const w = worker.env;
        console.log(`${engine.name}: ${page.env.userAgent}\n  page: hardwareConcurrency ${page.env.hardwareConcurrency}, crossOriginIsolated ${page.env.crossOriginIsolated}, SharedArrayBuffer ${page.env.sharedArrayBuffer}, SIMD128 ${page.env.wasmSimd}\n  worker: hardwareConcurrency ${w?.hardwareConcurrency}, crossOriginIsolated ${w?.crossOriginIsolated}, SharedArrayBuffer ${w?.sharedArrayBuffer}; init(): ${JSON.stringify(worker.info)}; threads: 2: ${JSON.stringify(page.threads2)}; simd: false: ${JSON.stringify(scalar.info)}`);
      }
      consoleLines = browser.console;
      await browser.close();
      browser = undefined;
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    test("the exports map's browser entry is a file of the package", () => {
      expect(exportedExists, `exports['.'].browser = ${exported}`).toBe(true);
    });

    test('loads the browser entry with SIMD on a cross-origin-isolated page, with no missing file', () => {
      expect(page.fatal).toBeUndefined();
      expect(node.resolved).toMatch(/\/node_modules\/ssimkit\/dist\/node\.js$/);
      expect(node.info).toMatchObject({ runtime: 'node', simd: true });
      expect(page.env).toMatchObject({ crossOriginIsolated: true, wasmSimd: true });
      expect(page.info).toMatchObject({ runtime: 'browser', simd: true, build: 'simd', threads: 1 });
      expect(served.filter((s) => !s.type)).toEqual([]);
      // Whatever .wasm is fetched (inlined builds fetch none) goes as application/wasm.
      expect(served.filter((s) => s.path.endsWith('.wasm') && s.type !== 'application/wasm')).toEqual([]);
      // Where the driver shows the console: nothing to warn about either.
      if (consoleLines) expect(consoleLines).toEqual([]);
    });

    test('the main thread refuses threads (it may not block) and runs simd', () => {
      expect(page.fatal).toBeUndefined();
      expect(page.mainThreads).toMatch(/^Error: init: threads: 2 cannot be used here: a page's main thread may not block/);
    });

    if (engine.threads) {
      test('a module Worker of the isolated page runs the threaded build on a pool that really works', () => {
        expect(worker.fatal).toBeUndefined();
        expect(worker.env).toMatchObject({ crossOriginIsolated: true, sharedArrayBuffer: 'function', wasmSimd: true });
        const hc = worker.env.hardwareConcurrency;
        // Two cores or more (the CI has two): the default is a pool, at most 8.
        expect(hc).toBeGreaterThan(1);
        expect(worker.info).toMatchObject({ runtime: 'browser', simd: true, build: 'threads', features: ['simd128', 'atomics'] });
        expect(worker.info.fallback).toBeUndefined();
        expect(worker.info.threads).toBeGreaterThan(1);
        expect(worker.info.threads).toBeLessThanOrEqual(Math.min(hc, 8));
        // The best of three small jobs: a busy machine may starve one thread once.
        expect(Math.max(...worker.used)).toBeGreaterThan(1);
        // Its pool worker and the threaded wasm came from the package, as served files.
        expect(served.filter((s) => /^\/pkg\/dist\/thread-worker\.js$/.test(s.path) && s.type)).not.toEqual([]);
        expect(served.filter((s) => POOL_FILE.test(s.path) && s.path.endsWith('.wasm') && s.type === 'application/wasm')).not.toEqual([]);
      });

      test('init({ threads: 2 }) in a Worker starts a pool of two', () => {
        expect(page.threads2.fatal).toBeUndefined();
        expect(page.threads2.error).toBeUndefined();
        expect(page.threads2.info).toMatchObject({ build: 'threads', threads: 2 });
      });
    } else {
      test('a module Worker of the isolated page has no SharedArrayBuffer: init() runs simd and says why', () => {
        expect(worker.fatal).toBeUndefined();
        expect(worker.env).toMatchObject({ crossOriginIsolated: true, sharedArrayBuffer: 'undefined', wasmSimd: true });
        expect(worker.info).toMatchObject({ runtime: 'browser', simd: true, build: 'simd', threads: 1, features: ['simd128'] });
        expect(worker.info.fallback).toMatch(/SharedArrayBuffer/);
        expect(worker.used).toEqual([1, 1, 1]);
        // Decided before fetching: no pool worker, no threaded wasm.
        expect(served.filter((s) => POOL_FILE.test(s.path))).toEqual([]);
      });

      test('init({ threads: 2 }) in a Worker rejects with an Error that names the missing SharedArrayBuffer', () => {
        expect(page.threads2.fatal).toBeUndefined();
        expect(page.threads2.info).toBeUndefined();
        expect(page.threads2.error).toMatch(/^Error: init: threads: 2 cannot be used here: .*SharedArrayBuffer/);
      });
    }

    test(`the Worker's results equal the main thread's and Node's, bit for bit, on all ${count} fixture cases`, () => {
      expect(worker.fatal).toBeUndefined();
      expect(differences(page.results, worker.results, count)).toEqual([]);
      expect(differences(node.results, worker.results, count)).toEqual([]);
    });

    test(`the build without SIMD128 (init({ simd: false }), in a Worker) gives Node's results bit for bit on all ${count} fixture cases and ${decodes} decode cases`, () => {
      expect(scalar.fatal).toBeUndefined();
      expect(scalar.info).toMatchObject({ runtime: 'browser', simd: false, build: 'scalar', threads: 1 });
      expect(scalar.info.features).not.toContain('simd128');
      expect(differences(node.results, scalar.results, count)).toEqual([]);
      expect(decodeDifferences(node.decode, scalar.decode, decodes)).toEqual([]);
    });

    test(`the main thread gives Node's results bit for bit on all ${count} fixture cases`, () => {
      expect(page.fatal).toBeUndefined();
      expect(differences(node.results, page.results, count)).toEqual([]);
      expect(differences(node.results, tampered(page.results), count)).not.toEqual([]);
    });

    test(`decodes ${decodes} files (PNG, JPEG, WebP of every kind), scores files and refuses broken ones as Node does, bit for bit, on the main thread and in the Worker`, () => {
      expect(page.fatal).toBeUndefined();
      expect(nodeDecodeProblems(node.decode)).toEqual([]);
      expect(decodeDifferences(node.decode, page.decode, decodes)).toEqual([]);
      expect(decodeDifferences(node.decode, worker.decode, decodes)).toEqual([]);
      expect(decodeDifferences(node.decode, tamperedDecode(page.decode), decodes)).not.toEqual([]);
    });

    test('scores a canvas ImageData as it is (alpha ignored), and survives a bad call', () => {
      const r = page.imageData;
      expect(r.isImageData).toBe(true);
      expect(r.channels).toBe(3);
      expect(r.score).toBeGreaterThan(0.3);
      expect(r.score).toBeLessThan(1);
      expect(r.plain).toBe(r.score);
      expect(r.error).toBe('RangeError');
      expect(r.afterError).toBe(r.score);
    });
  });

}
