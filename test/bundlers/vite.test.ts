// Vite, through its JS API with the app's root and nothing else (no config
// file, no optimizeDeps, no plugin): the dev server, and `vite build`
// served by a static server with COOP/COEP, each run in headless Chromium
// on the page and in a module Worker. Plus the init({ module }) recipe:
// `import url from 'ssimkit/simd.wasm?url'`.
// The dev server sends no COOP/COEP without configuration: its page is
// not cross-origin isolated, so its Worker must fall back and say so; with
// `server.headers` set to them, the Worker runs threads.

import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { build, createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type App, expectNodeNumbers, expectThreads, expectThreadsOrStatedFallback, launchChromium, nodeReport, type PageRun, type Report,
  runPage, type Served, serveStatic, stageApp, writePage, describeError } from './apps.js';

type AppRun = PageRun<{ page?: Report; worker?: Report; crossOriginIsolated?: boolean }>;
let ref: Report, browser: Browser, dev: ViteDevServer | undefined;
const apps: App[] = [], servers: Served[] = [];
let devRun: AppRun, devError: string | undefined, isolatedRun: AppRun | undefined, isolatedError: string | undefined, buildRun: AppRun, buildError: string | undefined;
let devRecipe: PageRun<{ page?: Report; url?: string }>, recipe: PageRun<{ page?: Report; url?: string }>, recipeError: string | undefined;
let devRequests: string[] = [];

function staged(name: string, script?: string): App {
  const app = stageApp(name);
  apps.push(app);
  if (script) writePage(app.dir, script);
  return app;
}

async function viteBuild(app: App): Promise<Served> {
  await build({ root: app.dir, configFile: false, logLevel: 'silent' });
  const served = await serveStatic(join(app.dir, 'dist'));
  servers.push(served);
  return served;
}

beforeAll(async () => {
  [ref, browser] = await Promise.all([nodeReport(), launchChromium()]);

  const devApp = staged('vite-dev');
  try {
    dev = await createServer({ root: devApp.dir, configFile: false, logLevel: 'silent', server: { port: 0, host: '127.0.0.1' } });
    dev.middlewares.use((req, _res, next) => { devRequests.push(req.url!); next(); });
    await dev.listen();
    const origin = dev.resolvedUrls!.local[0]!;
    devRun = await runPage(browser, origin);
    // The recipe on the same server: its own page.
    writePage(devApp.dir, './recipe-vite.js');
    devRecipe = await runPage(browser, origin);
  } catch (e) {
    devError = describeError(e);
  }

  // The one setting that lets a dev page's Worker run threads: the headers.
  await dev?.close();
  dev = undefined;
  try {
    writePage(devApp.dir, './main.js');
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    dev = await createServer({ root: devApp.dir, configFile: false, logLevel: 'silent', server: { port: 0, host: '127.0.0.1', headers } });
    await dev.listen();
    isolatedRun = await runPage(browser, dev.resolvedUrls!.local[0]!);
  } catch (e) {
    isolatedError = describeError(e);
  }

  try {
    buildRun = await runPage(browser, `${(await viteBuild(staged('vite-build'))).origin}/`);
  } catch (e) {
    buildError = describeError(e);
  }
  try {
    recipe = await runPage(browser, `${(await viteBuild(staged('vite-recipe', './recipe-vite.js'))).origin}/`);
  } catch (e) {
    recipeError = describeError(e);
  }
});

afterAll(async () => {
  await browser?.close();
  await dev?.close();
  for (const s of servers) await s.close();
  for (const a of apps) a.remove();
});

function expectPage(r: AppRun, isolated: boolean) {
  expect(r.timeout, r.console.join('\n')).toBeUndefined();
  expect(r.result!.crossOriginIsolated).toBe(isolated);
  expect(r.result!.page?.error).toBeUndefined();
  expect(r.result!.page!.info).toMatchObject({ runtime: 'browser', simd: true, build: 'simd', threads: 1 });
  expectNodeNumbers(ref, r.result!.page, 'page');
}

describe('vite dev server (createServer, root only)', () => {
  test("the page loads the simd build and gives Node's numbers bit for bit", () => {
    expect(devError).toBeUndefined();
    expect(devRequests.filter((u) => /\/undefined(\?|$)/.test(u)), 'requests for "undefined"').toEqual([]);
    expectPage(devRun, false);
  });

  test('the module Worker of the page, not isolated, falls back to simd and says why', () => {
    expect(devRun.timeout, devRun.console.join('\n')).toBeUndefined();
    const worker = devRun.result!.worker;
    expect(expectThreadsOrStatedFallback(worker, 'worker')).toBe('fallback');
    expect(worker!.info!.fallback).toMatch(/cross-origin isolated/);
    expectNodeNumbers(ref, worker, 'worker');
  });

  test("init({ module }) with `import url from 'ssimkit/simd.wasm?url'` gives Node's numbers", () => {
    expect(devRecipe.timeout, devRecipe.console.join('\n')).toBeUndefined();
    expect(devRecipe.result!.page!.info).toMatchObject({ runtime: 'browser', build: 'simd' });
    expectNodeNumbers(ref, devRecipe.result!.page, 'recipe');
  });
});

describe('vite dev server with server.headers COOP/COEP', () => {
  test("the page is isolated, its module Worker runs the threaded build and gives Node's numbers", () => {
    expect(isolatedError).toBeUndefined();
    expectPage(isolatedRun!, true);
    console.log(`vite dev (isolated) worker: ${JSON.stringify(isolatedRun!.result!.worker?.info)}`);
    expectThreads(isolatedRun!.result!.worker, 'worker');
    expectNodeNumbers(ref, isolatedRun!.result!.worker, 'worker');
  });
});

describe('vite build (root only), served with COOP/COEP', () => {
  test("the page loads the simd build and gives Node's numbers bit for bit", () => {
    expect(buildError).toBeUndefined();
    expectPage(buildRun, true);
  });

  test("the module Worker runs the threaded build (Vite follows new URL(..., import.meta.url)) and gives Node's numbers", () => {
    expect(buildError).toBeUndefined();
    expect(buildRun.timeout, buildRun.console.join('\n')).toBeUndefined();
    const worker = buildRun.result!.worker;
    console.log(`vite build worker: ${JSON.stringify(worker?.info)}`);
    expectThreads(worker, 'worker');
    expectNodeNumbers(ref, worker, 'worker');
  });

  test("init({ module }) with `import url from 'ssimkit/simd.wasm?url'` gives Node's numbers", () => {
    expect(recipeError).toBeUndefined();
    expect(recipe.timeout, recipe.console.join('\n')).toBeUndefined();
    expect(recipe.result!.url).toMatch(/\.wasm$/);
    expect(recipe.result!.page!.info).toMatchObject({ runtime: 'browser', build: 'simd' });
    expectNodeNumbers(ref, recipe.result!.page, 'recipe');
  });
});
