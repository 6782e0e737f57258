// Browsers (and any host with fetch): the .wasm is fetched beside this file.
// The threaded build runs only inside a dedicated Web Worker of a
// cross-origin-isolated page: a page's main thread may not block, which
// every synchronous call on a pool would.
import { makeInit } from './init.js';
import { hardwareConcurrency, spawnWebWorkers } from './thread-web.js';

export * from './common.js';
export const { init, initSync } = makeInit({
  name: 'browser',
  locate: (build) => fetch(new URL(`./wasm/${build}/ssimkit_bg.wasm`, import.meta.url)),
  threads: {
    unavailable: () => {
      const g = globalThis as { DedicatedWorkerGlobalScope?: new () => unknown; crossOriginIsolated?: boolean };
      if (typeof g.DedicatedWorkerGlobalScope !== 'function' || !(globalThis instanceof g.DedicatedWorkerGlobalScope)) {
        return "a page's main thread may not block (Atomics.wait); call init() inside a Web Worker to use threads";
      }
      if (g.crossOriginIsolated !== true) {
        return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
      }
      if (typeof Worker !== 'function') return 'this Worker cannot start nested Workers';
      return undefined;
    },
    parallelism: hardwareConcurrency,
    glue: () => import('./wasm/threads/ssimkit.js'),
    spawn: spawnWebWorkers,
  },
});
