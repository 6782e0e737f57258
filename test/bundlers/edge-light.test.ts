// The `edge-light` entry under plain esbuild (`conditions: ['edge-light']`,
// no plugin, no loader), bundled into the script a service-worker style
// edge function is, and run in Vercel's edge-runtime twice: with wasm
// code generation from bytes allowed (`vercel dev`, next's sandbox), and
// disallowed, as Vercel's production Edge has it. Where the bytes cannot be
// compiled, init() must fail with an ssimkit error that says what to pass.

import * as esbuild from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type App, expectNodeNumbers, nodeReport, type Report, stageApp, describeError } from './apps.js';

let ref: Report, app: App, buildError: string | undefined, inputs: string[] = [];
const runs: Record<'allowed' | 'disallowed', { report?: Report; failure?: string }> = { allowed: {}, disallowed: {} };

beforeAll(async () => {
  ref = await nodeReport();
  app = stageApp('edge-light');
  let code: string | undefined;
  try {
    const out = await esbuild.build({ absWorkingDir: app.dir, entryPoints: ['edge.js'], bundle: true, write: false, metafile: true,
      format: 'iife', conditions: ['edge-light'], logLevel: 'silent' });
    code = out.outputFiles[0]!.text;
    inputs = Object.keys(out.metafile.inputs);
  } catch (e) {
    buildError = describeError(e);
  }
  if (code === undefined) return;
  for (const mode of ['allowed', 'disallowed'] as const) {
    try {
      const runtime = new EdgeRuntime({ codeGeneration: { strings: false, wasm: mode === 'allowed' }, initialCode: code });
      const res = await runtime.dispatchFetch('http://edge/');
      runs[mode].report = JSON.parse(await res.text());
    } catch (e) {
      runs[mode].failure = describeError(e);
    }
  }
});

afterAll(() => app?.remove());

describe("esbuild with conditions: ['edge-light'], no plugin, in edge-runtime", () => {
  test('bundles the edge-light entry without a plugin', () => {
    expect(buildError).toBeUndefined();
    expect(inputs.some((f) => /node_modules\/ssimkit\/dist\/edge-light\.js$/.test(f)), inputs.join('\n')).toBe(true);
    // Nothing of the threaded build: no glue, no wasm, no pool worker.
    expect(inputs.filter((f) => /dist\/(wasm\/threads\/|thread-)/.test(f))).toEqual([]);
  });

  test("wasm code generation allowed: runs the simd build and gives Node's numbers bit for bit", () => {
    expect(buildError).toBeUndefined();
    expect(runs.allowed.failure).toBeUndefined();
    console.log(`edge-light, codegen allowed: ${JSON.stringify(runs.allowed.report)}`);
    expect(runs.allowed.report!.info).toMatchObject({ runtime: 'edge-light', simd: true, build: 'simd', threads: 1 });
    expectNodeNumbers(ref, runs.allowed.report, 'edge-light');
  });

  test("wasm code generation disallowed: Node's numbers, or an init error that says what to pass", () => {
    expect(buildError).toBeUndefined();
    expect(runs.disallowed.failure).toBeUndefined();
    const r = runs.disallowed.report!;
    console.log(`edge-light, codegen disallowed: ${JSON.stringify(r)}`);
    if (r.error === undefined) {
      expectNodeNumbers(ref, r, 'edge-light');
    } else {
      expect(r.error).toMatch(/^(Type)?Error: init: /);
      expect(r.error).toMatch(/module/);
    }
  });
});
