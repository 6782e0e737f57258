// webpack 5 through its JS API with `mode: 'production'`, an entry and an
// output path and nothing else (no loader, no rule, no plugin); the output
// served with COOP/COEP and run in headless Chromium, on the page and in
// the module Worker webpack emits for `new Worker(new URL('./worker.js',
// import.meta.url))`. Plus the init({ module }) recipe:
// `new URL('ssimkit/simd.wasm', import.meta.url)`.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import webpack from 'webpack';
import { type App, expectNodeNumbers, expectThreads, launchChromium, nodeReport, type PageRun, type Report,
  runPage, type Served, serveStatic, stageApp, writePage } from './apps.js';

interface Built { errors: string[]; warnings: string[]; assets: string[] }
let ref: Report, browser: Browser;
const apps: App[] = [], servers: Served[] = [];
let main: Built, run: PageRun<{ page?: Report; worker?: Report; crossOriginIsolated?: boolean }>;
let recipeBuild: Built, recipe: PageRun<{ page?: Report; url?: string }>, recipeServed: Served;

function pack(entry: string, out: string): Promise<Built> {
  return new Promise((ok, fail) => {
    webpack({ mode: 'production', entry, output: { path: out } }, (err, stats) => {
      if (err || !stats) return fail(err ?? new Error('webpack: no stats'));
      const j = stats.toJson({ all: false, errors: true, warnings: true, assets: true });
      ok({ errors: (j.errors ?? []).map((e) => e.message), warnings: (j.warnings ?? []).map((w) => w.message), assets: (j.assets ?? []).map((a) => a.name) });
    });
  });
}

async function buildAndRun<T>(name: string, script: string): Promise<[Built, PageRun<T>, Served]> {
  const app = stageApp(name);
  apps.push(app);
  const out = join(app.dir, 'out');
  const built = await pack(join(app.dir, script), out);
  mkdirSync(out, { recursive: true });
  writePage(out, './main.js', 'classic');
  const served = await serveStatic(out);
  servers.push(served);
  return [built, built.errors.length ? { console: [] } : await runPage<T>(browser, `${served.origin}/`), served];
}

beforeAll(async () => {
  [ref, browser] = await Promise.all([nodeReport(), launchChromium()]);
  [main, run] = await buildAndRun<{ page?: Report; worker?: Report; crossOriginIsolated?: boolean }>('webpack', 'main.js');
  [recipeBuild, recipe, recipeServed] = await buildAndRun<{ page?: Report; url?: string }>('webpack-recipe', 'recipe-webpack.js');
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  for (const a of apps) a.remove();
});

describe("webpack 5, mode: 'production', entry and output only", () => {
  test('builds without errors', () => {
    expect(main.errors).toEqual([]);
    console.log(`webpack assets: ${main.assets.join(', ')}; warnings: ${main.warnings.map((w) => w.split('\n')[0]).join(' | ')}`);
  });

  test("the page loads the simd build and gives Node's numbers bit for bit", () => {
    expect(run.timeout, run.console.join('\n')).toBeUndefined();
    expect(run.result!.crossOriginIsolated).toBe(true);
    expect(run.result!.page?.error).toBeUndefined();
    expect(run.result!.page!.info).toMatchObject({ runtime: 'browser', simd: true, build: 'simd', threads: 1 });
    expectNodeNumbers(ref, run.result!.page, 'page');
  });

  test("the module Worker runs the threaded build (webpack follows new URL(..., import.meta.url)) and gives Node's numbers", () => {
    expect(run.timeout, run.console.join('\n')).toBeUndefined();
    const worker = run.result!.worker;
    console.log(`webpack worker: ${JSON.stringify(worker?.info)}`);
    expectThreads(worker, 'worker');
    expectNodeNumbers(ref, worker, 'worker');
  });

  test("init({ module: new URL('ssimkit/simd.wasm', import.meta.url) }) gives Node's numbers", () => {
    expect(recipeBuild.errors).toEqual([]);
    expect(recipe.timeout, recipe.console.join('\n')).toBeUndefined();
    expect(recipe.result!.page!.info).toMatchObject({ runtime: 'browser', build: 'simd' });
    expect(recipeServed.log).toContainEqual({ path: new URL(recipe.result!.url!).pathname, status: 200 });
    expectNodeNumbers(ref, recipe.result!.page, 'recipe');
  });
});
