// Vercel's edge-runtime (the VM behind `vercel dev` and next's edge sandbox)
// runs the packed ssimkit bundled with the 'edge-light' condition. Its
// `import wasm from '…wasm?module'` is handled as Vercel's own edge bundling
// does (@vercel/node's edge-wasm-plugin): the import becomes the global
// `wasm_<sha1>`, a WebAssembly.Module compiled by the host and put on the
// VM's context. The VM itself is created with wasm code generation off, as
// Vercel's production Edge has it, so nothing can compile from bytes inside.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';
import { beforeAll, describe, expect, test } from 'vitest';
import { decode, differences, expectEdgeBundle, fixtureForm, fixturesDir, loadFixtures, nodeReference, type Run, stageWorker, tampered, testPackage } from './harness.js';

const dir = fixturesDir();
const count = loadFixtures(dir).cases.length;
let node: Run, edge: Run, inputs: string[];
let refusals: Record<string, string>;

beforeAll(async () => {
  const pkg = testPackage();
  node = await nodeReference(pkg, dir);
  const stage = stageWorker(pkg);
  try {
    const bindings = new Map<string, string>(); // global name -> .wasm file
    const wasmModule: esbuild.Plugin = {
      name: 'wasm-module',
      setup(build) {
        build.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
          const file = join(args.resolveDir, args.path.replace(/\?module$/, ''));
          const name = `wasm_${createHash('sha1').update(readFileSync(file)).digest('hex')}`;
          bindings.set(name, file);
          return { path: name, namespace: 'wasm-module' };
        });
        build.onLoad({ filter: /.*/, namespace: 'wasm-module' }, (args) => ({
          contents: `export default globalThis[${JSON.stringify(args.path)}];`, loader: 'js',
        }));
      },
    };
    // edge-runtime evaluates a script, not a module: an IIFE that registers
    // the fetch listener, as Vercel's service-worker style edge functions do.
    const out = await esbuild.build({
      stdin: {
        contents: "import { handle } from './worker.mjs';\naddEventListener('fetch', (e) => e.respondWith(handle(e.request)));",
        resolveDir: stage.dir, loader: 'js',
      },
      bundle: true, write: false, metafile: true,
      format: 'iife', platform: 'neutral', target: 'es2022',
      conditions: ['edge-light', 'worker', 'browser'],
      plugins: [wasmModule], logLevel: 'silent',
    });
    inputs = Object.keys(out.metafile.inputs);
    const modules: Record<string, WebAssembly.Module> = {};
    for (const [name, file] of bindings) modules[name] = await WebAssembly.compile(readFileSync(file));
    const runtime = new EdgeRuntime({
      codeGeneration: { strings: false, wasm: false },
      extend: (context) => Object.assign(context, modules),
      initialCode: out.outputFiles[0]!.text,
    });
    const { body, contentType } = await fixtureForm(dir);
    const res = await runtime.dispatchFetch('http://edge/run', { method: 'POST', body, headers: { 'content-type': contentType } });
    const text = await res.text();
    if (!res.ok) throw new Error(`edge function: HTTP ${res.status}: ${text}`);
    edge = decode(text);
    const wasmBytes = readFileSync(join(pkg.dir, 'dist/wasm/simd/ssimkit_bg.wasm'));
    refusals = await (await runtime.dispatchFetch('http://edge/compile-from-bytes', { method: 'POST', body: wasmBytes })).json();
  } finally {
    stage.remove();
  }
});

describe('edge-runtime', () => {
  test('bundles dist/edge-light.js through the edge-light condition and runs it with SIMD', () => {
    expectEdgeBundle('edge-light', inputs, node, edge);
  });

  test('the VM refuses to compile wasm from bytes, as Vercel Edge does', () => {
    expect(refusals.compile).toMatch(/Wasm code generation disallowed by embedder/);
    expect(refusals.instantiate).toMatch(/Wasm code generation disallowed by embedder/);
  });

  test(`gives Node's results bit for bit on all ${count} fixture cases`, () => {
    expect(differences(node.results, edge.results, count)).toEqual([]);
    expect(differences(node.results, tampered(edge.results), count)).not.toEqual([]);
  });
});
