// Rollup 4 with @rollup/plugin-node-resolve ({ browser: true }) and no other
// plugin, through its JS API: `output.dir` (main.js and worker.js as the two
// inputs: Rollup does not follow `new Worker(new URL(...))`), and
// `output.file` with the page alone, which Rollup refuses for a build of
// more than one chunk (ssimkit loads its threaded glue with a dynamic
// import) unless the user inlines dynamic imports. Each output served with
// COOP/COEP and run in headless Chromium.

import { join } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import type { Browser } from 'playwright-core';
import { rollup } from 'rollup';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type App, expectNodeNumbers, expectCopyAdvice, launchChromium, nodeReport, type PageRun, type Report,
  runPage, type Served, serveStatic, stageApp, writePage, describeError } from './apps.js';

type AppRun = PageRun<{ page?: Report; worker?: Report; crossOriginIsolated?: boolean }>;
let ref: Report, browser: Browser;
const apps: App[] = [], servers: Served[] = [];
let dirRun: AppRun, dirError: string | undefined, fileRun: AppRun | undefined, fileError: string | undefined;
let inlinedRun: AppRun | undefined, inlinedError: string | undefined;

async function bundleAndRun(name: string, input: string[], output: { dir?: string; file?: string; inlineDynamicImports?: boolean }): Promise<AppRun> {
  const app = stageApp(name);
  apps.push(app);
  const out = join(app.dir, 'out');
  const bundle = await rollup({ input: input.map((f) => join(app.dir, f)), plugins: [nodeResolve({ browser: true })], logLevel: 'silent' });
  try {
    await bundle.write(output.file ? { ...output, file: join(out, output.file) } : { ...output, dir: out });
  } finally {
    await bundle.close();
  }
  writePage(out, `./${output.file ?? 'main.js'}`);
  const served = await serveStatic(out);
  servers.push(served);
  return runPage(browser, `${served.origin}/`);
}

beforeAll(async () => {
  [ref, browser] = await Promise.all([nodeReport(), launchChromium()]);
  try {
    dirRun = await bundleAndRun('rollup-dir', ['main.js', 'worker.js'], { dir: 'out' });
  } catch (e) {
    dirError = describeError(e);
  }
  try {
    fileRun = await bundleAndRun('rollup-file', ['page-only.js'], { file: 'app.js' });
  } catch (e) {
    fileError = describeError(e);
  }
  try {
    inlinedRun = await bundleAndRun('rollup-inlined', ['page-only.js'], { file: 'app.js', inlineDynamicImports: true });
  } catch (e) {
    inlinedError = describeError(e);
  }
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  for (const a of apps) a.remove();
});

describe('rollup + node-resolve({ browser: true })', () => {
  test("output.dir: the page loads the simd build and gives Node's numbers bit for bit", () => {
    expect(dirError).toBeUndefined();
    expect(dirRun.timeout, dirRun.console.join('\n')).toBeUndefined();
    expect(dirRun.result!.page?.error).toBeUndefined();
    expect(dirRun.result!.page!.info).toMatchObject({ runtime: 'browser', simd: true, build: 'simd', threads: 1 });
    expectNodeNumbers(ref, dirRun.result!.page, 'page');
  });

  test("output.dir: the module Worker, its threaded build not copied, runs simd, says what to copy, and gives Node's numbers", () => {
    expect(dirError).toBeUndefined();
    const worker = dirRun.result!.worker;
    console.log(`rollup worker: ${JSON.stringify(worker?.info)}`);
    expectCopyAdvice(worker, 'worker');
    expectNodeNumbers(ref, worker, 'worker');
  });

  test('output.file: builds a single file, or Rollup says it needs output.dir or inlined dynamic imports', () => {
    console.log(`rollup output.file: ${fileError ?? 'built'}`);
    if (fileError !== undefined) {
      expect(fileError).toMatch(/output\.dir|inlineDynamicImports|code-splitting|multiple chunks/);
      return;
    }
    expect(fileRun!.timeout, fileRun!.console.join('\n')).toBeUndefined();
    expectNodeNumbers(ref, fileRun!.result!.page, 'page');
  });

  test("output.file with inlineDynamicImports: one file, Node's numbers", () => {
    expect(inlinedError).toBeUndefined();
    expect(inlinedRun!.timeout, inlinedRun!.console.join('\n')).toBeUndefined();
    expect(inlinedRun!.result!.page!.info).toMatchObject({ runtime: 'browser', simd: true, build: 'simd' });
    expectNodeNumbers(ref, inlinedRun!.result!.page, 'page');
  });
});
