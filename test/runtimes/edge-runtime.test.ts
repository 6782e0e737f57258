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

beforeAll(async () => {
  const pkg = testPackage();
  node = await nodeReference(pkg, dir);
  const stage = stageWorker(pkg);
  try {
    // A service-worker style edge function: the fetch listener on the handler.
    const bundle = await vercelEdge(
      "import { handle } from './worker.mjs';\naddEventListener('fetch', (e) => e.respondWith(handle(e.request)));",
      stage.dir,
    );
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
