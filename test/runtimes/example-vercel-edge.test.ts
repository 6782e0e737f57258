// examples/vercel-edge/api/score.js, bundled as Vercel bundles an Edge
// function (vercel-edge.ts: esbuild, 'edge-light', `?module` wasm) and run in
// edge-runtime with wasm code generation off.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { endpointCases, type Fetch } from './endpoint-cases.js';
import { stageExample } from './examples.js';
import { importPackage, testPackage } from './harness.js';
import { vercelEdge } from './vercel-edge.js';

let fetch: Fetch;
let api: any;
let inputs: string[];
let config: unknown;

beforeAll(async () => {
  const pkg = testPackage();
  api = await importPackage(pkg);
  await api.init();
  const stage = stageExample(pkg, 'vercel-edge');
  try {
    // Read, not imported: Node cannot import its `?module` wasm.
    config = /export const config = \{ runtime: 'edge' \};/.test(readFileSync(`${stage.dir}/api/score.js`, 'utf8')) ? { runtime: 'edge' } : undefined;
    // Vercel calls the default export with each request.
    const { inputs: i, runtime } = await vercelEdge(
      "import handler from './api/score.js';\naddEventListener('fetch', (e) => e.respondWith(handler(e.request)));",
      stage.dir,
    );
    inputs = i;
    fetch = (init) => runtime.dispatchFetch('http://edge/api/score', init);
  } finally {
    stage.remove();
  }
});

describe('examples/vercel-edge in edge-runtime', () => {
  test("declares the edge runtime and bundles dist/edge-light.js, the simd build as Vercel's bundler compiles it", () => {
    expect(config).toEqual({ runtime: 'edge' });
    expect(inputs.some((f) => /node_modules\/ssimkit\/dist\/edge-light\.js$/.test(f))).toBe(true);
    expect(inputs.filter((f) => /dist\/(wasm\/threads\/|thread-)/.test(f))).toEqual([]);
  });

  endpointCases(() => ({ fetch, api }));
});
