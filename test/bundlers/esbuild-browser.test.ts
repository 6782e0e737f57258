// esbuild for the browser, as a user runs it: `esbuild main.js worker.js
// --bundle --format=esm --outdir=out`, no plugin, no loader, nothing copied
// by hand; the output served by a static server with COOP/COEP and run in
// headless Chromium, on the page and in a module Worker.
// What was needed beyond `main.js`: worker.js as a second entry point
// (esbuild does not follow `new Worker(new URL('./worker.js', import.meta.url))`).

import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type App, expectCopyAdvice, expectNodeNumbers, expectThreads, launchChromium, nodeReport, type PageRun, type Report,
  runPage, type Served, serveStatic, stageApp, writePage, describeError } from './apps.js';

let ref: Report, app: App, recipeApp: App, browser: Browser, served: Served, recipeServed: Served;
let build: esbuild.BuildResult & { errors: esbuild.Message[] }, buildError: string | undefined;
let run: PageRun<{ page?: Report; worker?: Report; crossOriginIsolated?: boolean }>, copied: typeof run;
let recipe: PageRun<{ page?: Report; url?: string }>, recipeError: string | undefined;
const sizes: Record<string, { raw: number; gzip: number }> = {};
const initMs: number[] = [];
let firstLoad: Served['log'] = [];

async function bundle(dir: string, options: esbuild.BuildOptions) {
  return esbuild.build({ absWorkingDir: dir, bundle: true, format: 'esm', outdir: join(dir, 'out'), logLevel: 'silent', ...options });
}

beforeAll(async () => {
  [ref, browser] = await Promise.all([nodeReport(), launchChromium()]);
  app = stageApp('esbuild-browser');
  try {
    build = await bundle(app.dir, { entryPoints: ['main.js', 'worker.js'] });
  } catch (e) {
    buildError = describeError(e);
  }
  const out = join(app.dir, 'out');
  if (!buildError) {
    for (const f of readdirSync(out)) {
      const bytes = readFileSync(join(out, f));
      sizes[f] = { raw: bytes.length, gzip: gzipSync(bytes).length };
    }
    writePage(out, './main.js');
    served = await serveStatic(out);
    run = await runPage(browser, `${served.origin}/`);
    firstLoad = [...served.log];
    // Time to init() over a few loads (each in a fresh context: nothing cached).
    initMs.push(run.result?.page?.initMs ?? NaN);
    for (let i = 0; i < 4; i++) initMs.push((await runPage(browser, `${served.origin}/`)).result?.page?.initMs ?? NaN);
    // What the fallback asks for: the threaded build and the pool worker,
    // copied from the package beside the bundle.
    const dist = join(app.dir, 'node_modules/ssimkit/dist');
    mkdirSync(join(out, 'wasm/threads'), { recursive: true });
    cpSync(join(dist, 'wasm/threads/ssimkit_bg.wasm'), join(out, 'wasm/threads/ssimkit_bg.wasm'));
    cpSync(join(dist, 'thread-worker.js'), join(out, 'thread-worker.js'));
    copied = await runPage(browser, `${served.origin}/`);
  }

  // The init({ module }) recipe: the one loader esbuild needs to copy a .wasm.
  recipeApp = stageApp('esbuild-recipe');
  try {
    await bundle(recipeApp.dir, { entryPoints: ['recipe-esbuild.js'], loader: { '.wasm': 'file' } });
    writePage(join(recipeApp.dir, 'out'), './recipe-esbuild.js');
    recipeServed = await serveStatic(join(recipeApp.dir, 'out'));
    recipe = await runPage(browser, `${recipeServed.origin}/`);
  } catch (e) {
    recipeError = describeError(e);
  }
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await recipeServed?.close();
  app?.remove();
  recipeApp?.remove();
});

describe('esbuild --bundle --format=esm for the browser, no configuration', () => {
  test('bundles main.js and worker.js without errors', () => {
    expect(buildError).toBeUndefined();
    expect(build.errors).toEqual([]);
    expect(Object.keys(sizes)).toEqual(expect.arrayContaining(['main.js', 'worker.js']));
  });

  test("the page loads the simd build and gives Node's numbers bit for bit", () => {
    expect(run?.timeout, run?.console.join('\n')).toBeUndefined();
    expect(run.result!.crossOriginIsolated).toBe(true);
    expect(run.result!.page?.error).toBeUndefined();
    expect(run.result!.page!.info).toMatchObject({ runtime: 'browser', simd: true, build: 'simd', threads: 1 });
    expectNodeNumbers(ref, run.result!.page, 'page');
  });

  test('the page and the Worker fetch no wasm but the threaded build (the simd build is inlined)', () => {
    expect(firstLoad.filter((r) => r.path.endsWith('.wasm'))).toEqual([{ path: '/wasm/threads/ssimkit_bg.wasm', status: 404 }]);
  });

  test("the module Worker, its threaded build left behind, runs simd, says what to copy, and gives Node's numbers", () => {
    expect(run?.timeout, run?.console.join('\n')).toBeUndefined();
    const worker = run.result!.worker;
    console.log(`esbuild worker: ${JSON.stringify(worker?.info)}`);
    expectCopyAdvice(worker, 'worker');
    expectNodeNumbers(ref, worker, 'worker');
  });

  test("with the two files copied as the fallback says, the Worker runs the threaded build and gives Node's numbers", () => {
    expect(copied?.timeout, copied?.console.join('\n')).toBeUndefined();
    expectThreads(copied.result!.worker, 'worker');
    expectNodeNumbers(ref, copied.result!.worker, 'worker');
    expectNodeNumbers(ref, copied.result!.page, 'page');
  });

  test('size of the bundle and time from page load to init() resolved', () => {
    expect(run?.result?.page?.initMs).toBeGreaterThan(0);
    const total = Object.values(sizes).reduce((s, x) => ({ raw: s.raw + x.raw, gzip: s.gzip + x.gzip }), { raw: 0, gzip: 0 });
    const sorted = [...initMs].sort((a, b) => a - b);
    expect(sorted.every((t) => t > 0)).toBe(true);
    console.log(`esbuild browser bundle: ${JSON.stringify(sizes)}; total raw ${total.raw} B, gzip ${total.gzip} B; `
      + `page load to init() resolved: median ${sorted[sorted.length >> 1]!.toFixed(0)} ms of ${sorted.map((t) => t.toFixed(0)).join(', ')}; `
      + `worker start to init() resolved: ${run.result!.worker?.initMs?.toFixed(0)} ms (simd), ${copied?.result?.worker?.initMs?.toFixed(0)} ms (threads)`);
    // The inlined simd build (deflated, base64) must stay within a megabyte.
    expect(sizes['main.js']!.gzip).toBeLessThan(1_000_000);
  });

  test("init({ module }) with `--loader:.wasm=file` and `import url from 'ssimkit/simd.wasm'` gives Node's numbers", () => {
    expect(recipeError).toBeUndefined();
    expect(recipe.timeout, recipe.console.join('\n')).toBeUndefined();
    expect(recipe.result!.page!.info).toMatchObject({ runtime: 'browser', build: 'simd' });
    expect(recipeServed.log).toContainEqual({ path: `/${recipe.result!.url!.replace(/^\.\//, '')}`, status: 200 });
    expectNodeNumbers(ref, recipe.result!.page, 'recipe');
  });
});
