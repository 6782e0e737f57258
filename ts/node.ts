// Node: the .wasm is read from the package directory; the threaded build's
// pool runs on worker_threads (thread-node.ts). In a single-file bundle
// (esbuild or Rollup for Node, ESM or CommonJS) the files are not beside the
// script: the simd build then comes from the inlined copy, and init() says
// why threads are not used.
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { makeInit } from './init.js';
import { inlinedSimd } from './inline.js';
import { spawnNodeWorkers } from './thread-node.js';

export * from './common.js';

/** The file of a build, or an Error naming where it was looked for. */
async function readBuild(build: 'simd' | 'threads' | 'scalar'): Promise<Uint8Array> {
  let url: URL;
  try {
    // Written out per build: bundlers only follow literal URLs.
    url = build === 'simd' ? new URL('./wasm/simd/ssimkit_bg.wasm', import.meta.url)
      : build === 'threads' ? new URL('./wasm/threads/ssimkit_bg.wasm', import.meta.url)
      : new URL('./wasm/scalar/ssimkit_bg.wasm', import.meta.url);
  } catch (e) {
    // A CommonJS bundle has no import.meta.url.
    throw new Error(`the ${build} build's wasm cannot be located from this bundle (no import.meta.url)`, { cause: e });
  }
  try {
    return await readFile(url);
  } catch (e) {
    const path = url.protocol === 'file:' ? fileURLToPath(url) : url.href;
    throw new Error(`the ${build} build's wasm is not at ${path} (${(e as NodeJS.ErrnoException)?.code ?? e}): a bundle that left ssimkit's files behind; copy node_modules/ssimkit/dist/ beside it to use them`, { cause: e });
  }
}

export const { init, initSync } = makeInit({
  name: 'node',
  locate: (build) => (build === 'simd' ? readBuild('simd').catch(() => inlinedSimd()) : readBuild(build)),
  threads: {
    unavailable: () => undefined,
    parallelism: () => (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length),
    glue: () => import('./wasm/threads/ssimkit.js'),
    spawn: spawnNodeWorkers,
  },
});
