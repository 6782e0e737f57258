// Vercel's edge-runtime (the VM behind `vercel dev` and next's edge sandbox)
// runs the packed ssimkit bundled with the 'edge-light' condition, as
// Vercel's own edge bundling does (vercel-edge.ts).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { vercelEdge } from './vercel-edge.js';
import { decodeCount, decodeDifferences, decodeList, nodeDecodeProblems, tamperedDecode } from './decode-cases.js';
import { decode, differences, expectEdgeBundle, fixtureForm, fixturesDir, loadFixtures, nodeReference, type Run, stageWorker, tampered, testPackage } from './harness.js';

const dir = fixturesDir();
const count = loadFixtures(dir).cases.length;
const decodes = decodeCount(decodeList());
let node: Run, edge: Run, inputs: string[];
let refusals: Record<string, string>;
let bareInit: { error?: string };

beforeAll(async () => {
  const pkg = testPackage();
  node = await nodeReference(pkg, dir);
  const stage = stageWorker(pkg);
  try {
    // A service-worker style edge function: the fetch listener on the handler.
    // Vercel's Edge compiles no wasm from bytes: the module its bundler
    // compiled ('?module') is passed to init(), as the README says.
    const bundle = await vercelEdge(
      "import wasm from 'ssimkit/simd.wasm?module';\nimport { handle } from './worker.mjs';\nglobalThis.SSIMKIT_INIT = { module: wasm };\naddEventListener('fetch', (e) => e.respondWith(handle(e.request)));",
      stage.dir,
    );
    // Without it, init() says what to do.
    const bare = await vercelEdge(
      "import { init } from 'ssimkit';\naddEventListener('fetch', (e) => e.respondWith(init().then((i) => Response.json(i), (err) => Response.json({ error: `${err.name}: ${err.message}` }))));",
      stage.dir,
    );
    bareInit = await (await bare.runtime.dispatchFetch('http://edge/')).json();
    inputs = bundle.inputs;
    const runtime = bundle.runtime;
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

  test("without a module, init() rejects with the recipe: ssimkit/simd.wasm?module passed to init()", () => {
    expect(bareInit.error).toBe("Error: init: this host does not allow compiling WebAssembly from bytes (Vercel's Edge Runtime, Next.js's edge sandbox): import the compiled module and pass it, `import wasm from 'ssimkit/simd.wasm?module'; await init({ module: wasm })`");
  });

  test(`gives Node's results bit for bit on all ${count} fixture cases`, () => {
    expect(differences(node.results, edge.results, count)).toEqual([]);
    expect(differences(node.results, tampered(edge.results), count)).not.toEqual([]);
  });

  test(`decodes ${decodes} files (PNG, JPEG, WebP of every kind), scores files and refuses broken ones as Node does, bit for bit`, () => {
    expect(nodeDecodeProblems(node.decode)).toEqual([]);
    expect(decodeDifferences(node.decode, edge.decode, decodes)).toEqual([]);
    expect(decodeDifferences(node.decode, tamperedDecode(edge.decode), decodes)).not.toEqual([]);
  });
});
