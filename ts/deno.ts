// Deno: read from disk when installed locally, fetched when served remotely.
// The threaded build's pool runs on Deno's node:worker_threads, loaded only
// when used: unlike its web Workers, those can be unref'd, so a script still
// exits when its work is done.
// A bundle that left the files behind gets the inlined simd build.
import { makeInit } from './init.js';
import { inlinedSimd } from './inline.js';
import { fetchServed } from './locate-web.js';
import { hardwareConcurrency } from './thread-web.js';

declare const Deno: { readFile(path: URL): Promise<Uint8Array> };

// Written out per build: bundlers only follow literal URLs.
const url = (build: 'simd' | 'threads' | 'scalar'): URL => (build === 'simd' ? new URL('./wasm/simd/ssimkit_bg.wasm', import.meta.url)
  : build === 'threads' ? new URL('./wasm/threads/ssimkit_bg.wasm', import.meta.url)
  : new URL('./wasm/scalar/ssimkit_bg.wasm', import.meta.url));

function read(build: 'simd' | 'threads' | 'scalar'): Promise<Uint8Array | Response> {
  const at = url(build);
  if (at.protocol !== 'file:') return fetchServed(build, at);
  return Deno.readFile(at).catch((e) => {
    throw new Error(`the ${build} build's wasm is not at ${at.href} (${(e as Error)?.name ?? e})`, { cause: e });
  });
}

export * from './common.js';
export const { init, initSync } = makeInit({
  name: 'deno',
  locate: (build) => (build === 'simd' ? read('simd').catch(() => inlinedSimd()) : read(build)),
  threads: {
    unavailable: () => (typeof Worker === 'function' ? undefined : 'this Deno has no Worker'),
    parallelism: hardwareConcurrency,
    glue: () => import('./wasm/threads/ssimkit.js'),
    spawn: (n, start) => {
      const workers = import('./thread-node.js').then((m) => m.spawnNodeWorkers(n, start));
      const failed = workers.then((w) => w.failed) as Promise<never>;
      failed.catch(() => {});
      return { failed, terminate: () => void workers.then((w) => w.terminate(), () => {}) };
    },
  },
});
