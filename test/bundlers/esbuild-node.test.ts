// esbuild for Node: single-file server bundles (`esbuild node.js --bundle
// --platform=node --format=esm|cjs --outfile=…`), each copied ALONE into an
// empty directory, where no node_modules and no .wasm file can be found,
// and run with node. And the Node recipe for init({ module }):
// `import.meta.resolve('ssimkit/simd.wasm')`.

import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type App, expectNodeNumbers, expectThreadsOrStatedFallback, node, nodeReport, type Report, stageApp, describeError } from './apps.js';

type Outcome = { report?: Report; failure?: string; warnings: string[] };
let ref: Report, app: App, alone: string;
const runs: Record<'esm' | 'cjs', Outcome> = { esm: { warnings: [] }, cjs: { warnings: [] } };
let recipe: Report & { url?: string }, recipeFailure: string | undefined;
const withDist: Outcome = { warnings: [] };

beforeAll(async () => {
  ref = await nodeReport();
  app = stageApp('esbuild-node');
  alone = mkdtempSync(join(tmpdir(), 'ssimkit-bundlers-alone-'));
  for (const format of ['esm', 'cjs'] as const) {
    const file = `server.${format === 'esm' ? 'mjs' : 'cjs'}`;
    const o = runs[format];
    try {
      const r = await esbuild.build({ absWorkingDir: app.dir, entryPoints: ['node.js'], bundle: true, platform: 'node', format,
        outfile: join(app.dir, 'out', file), logLevel: 'silent' });
      o.warnings = r.warnings.map((w) => w.text);
      copyFileSync(join(app.dir, 'out', file), join(alone, file));
      o.report = JSON.parse(await node([file], alone));
    } catch (e) {
      o.failure = describeError(e);
    }
  }
  // What the fallback asks for: the package's dist/ files beside the bundle.
  try {
    cpSync(join(app.dir, 'node_modules/ssimkit/dist'), alone, { recursive: true });
    withDist.report = JSON.parse(await node(['server.mjs'], alone));
  } catch (e) {
    withDist.failure = describeError(e);
  }
  try {
    recipe = JSON.parse(await node(['recipe-node.mjs'], app.dir));
  } catch (e) {
    recipeFailure = describeError(e);
  }
});

afterAll(() => {
  app?.remove();
  if (alone) rmSync(alone, { recursive: true, force: true });
});

describe('esbuild --platform=node, the bundle alone in an empty directory', () => {
  for (const format of ['esm', 'cjs'] as const) {
    test(`--format=${format}: runs, threads or a stated fallback, Node's numbers bit for bit`, () => {
      const o = runs[format];
      expect(o.failure).toBeUndefined();
      expect(o.report!.error).toBeUndefined();
      expect(o.report!.info).toMatchObject({ runtime: 'node', simd: true });
      const what = expectThreadsOrStatedFallback(o.report, format);
      console.log(`esbuild node ${format}: ${what}${o.report!.info!.fallback ? `: ${o.report!.info!.fallback}` : ''}; warnings: ${JSON.stringify(o.warnings)}`);
      expectNodeNumbers(ref, o.report, format);
    });
  }
});

describe('esbuild --platform=node --format=esm with dist/ copied beside it', () => {
  test("runs the threaded build, as the fallback's advice promises, and gives Node's numbers", () => {
    expect(withDist.failure).toBeUndefined();
    console.log(`esbuild node esm + dist/: ${JSON.stringify(withDist.report?.info)}`);
    expect(withDist.report!.info).toMatchObject({ runtime: 'node', build: 'threads' });
    expect(withDist.report!.info!.fallback).toBeUndefined();
    expectNodeNumbers(ref, withDist.report, 'esm + dist/');
  });
});

describe('Node: init({ module }) from import.meta.resolve', () => {
  test("`import.meta.resolve('ssimkit/simd.wasm')` is the package's simd build and gives Node's numbers", () => {
    expect(recipeFailure).toBeUndefined();
    expect(recipe.url).toMatch(/\/node_modules\/ssimkit\/.+\.wasm$/);
    expect(recipe.info).toMatchObject({ runtime: 'node', build: 'simd', threads: 1 });
    expectNodeNumbers(ref, recipe, 'recipe');
  });
});
