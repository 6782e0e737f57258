// Cloudflare's workerd (through miniflare 4) runs the packed ssimkit bundled
// as wrangler would bundle it: esbuild with the 'workerd' condition, the
// .wasm import left external and handed to workerd as a CompiledWasm module.
// workerd refuses to compile wasm from bytes at run time, so this is the
// runtime that catches a package compiling its wasm itself.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeCount, decodeDifferences, decodeList, nodeDecodeProblems, tamperedDecode } from './decode-cases.js';
import { decode, differences, expectEdgeBundle, fixtureForm, fixturesDir, loadFixtures, nodeReference, type Run, stageWorker, tampered, testPackage } from './harness.js';

const dir = fixturesDir();
const count = loadFixtures(dir).cases.length;
const decodes = decodeCount(decodeList());
let node: Run, worker: Run, inputs: string[];
let mf: Miniflare | undefined;
let refusals: Record<string, string>;

beforeAll(async () => {
  const pkg = testPackage();
  node = await nodeReference(pkg, dir);
  const stage = stageWorker(pkg);
  try {
    // wrangler's CompiledWasm rule: each `import x from '*.wasm'` stays an
    // import, of a module that workerd compiles when it loads the worker.
    const wasm = new Map<string, string>();
    const compiledWasm: esbuild.Plugin = {
      name: 'compiled-wasm',
      setup(build) {
        build.onResolve({ filter: /\.wasm$/ }, (args) => {
          const file = join(args.resolveDir, args.path);
          const name = `./${basename(file)}`;
          if (wasm.has(name) && wasm.get(name) !== file) throw new Error(`two wasm modules named ${name}`);
          wasm.set(name, file);
          return { path: name, external: true };
        });
      },
    };
    const out = await esbuild.build({
      entryPoints: [stage.entry], bundle: true, write: false, metafile: true,
      format: 'esm', platform: 'neutral', target: 'es2022',
      conditions: ['workerd', 'worker', 'browser'],
      plugins: [compiledWasm], logLevel: 'silent',
    });
    inputs = Object.keys(out.metafile.inputs);
    mf = new Miniflare({
      compatibilityDate: '2025-06-01',
      modulesRoot: '/',
      modules: [
        { type: 'ESModule', path: '/worker.mjs', contents: out.outputFiles[0]!.text },
        ...[...wasm].map(([name, file]) => ({ type: 'CompiledWasm' as const, path: join('/', name), contents: readFileSync(file) })),
      ],
    });
    const { body, contentType } = await fixtureForm(dir);
    const res = await mf.dispatchFetch('http://worker/run', { method: 'POST', body, headers: { 'content-type': contentType } });
    const text = await res.text();
    if (!res.ok) throw new Error(`worker: HTTP ${res.status}: ${text}`);
    worker = decode(text);
    const wasmBytes = readFileSync(join(pkg.dir, 'dist/wasm/simd/ssimkit_bg.wasm'));
    refusals = await (await mf.dispatchFetch('http://worker/compile-from-bytes', { method: 'POST', body: wasmBytes })).json() as Record<string, string>;
  } finally {
    stage.remove();
  }
});

afterAll(async () => {
  await mf?.dispose();
});

describe('workerd', () => {
  test('bundles dist/workerd.js through the workerd condition and runs it with SIMD', () => {
    expectEdgeBundle('workerd', inputs, node, worker);
  });

  test('is the real workerd: compiling wasm from bytes is refused', () => {
    const refused = 'CompileError: WebAssembly.compile(): Wasm code generation disallowed by embedder';
    expect(refusals.compile).toBe(refused);
    expect(refusals.instantiate).toMatch(/Wasm code generation disallowed by embedder/);
    expect(refusals.module).toMatch(/Wasm code generation disallowed by embedder/);
  });

  test(`gives Node's results bit for bit on all ${count} fixture cases`, () => {
    expect(differences(node.results, worker.results, count)).toEqual([]);
    expect(differences(node.results, tampered(worker.results), count)).not.toEqual([]);
  });

  test(`decodes ${decodes} files (PNG, JPEG, WebP of every kind), scores files and refuses broken ones as Node does, bit for bit`, () => {
    expect(nodeDecodeProblems(node.decode)).toEqual([]);
    expect(decodeDifferences(node.decode, worker.decode, decodes)).toEqual([]);
    expect(decodeDifferences(node.decode, tamperedDecode(worker.decode), decodes)).not.toEqual([]);
  });
});
