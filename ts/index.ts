// Browsers (and any bundler's default): the simd build is inlined in the
// JavaScript (inline.ts), so whatever bundles this file carries it with no
// configuration. The threaded build and its pool worker are files found
// with `new URL('./…', import.meta.url)` written out, the form webpack 5 and
// Vite follow; where they are not served, a Worker's init() runs the simd
// build and says why (InitInfo.fallback). The threaded build runs only
// inside a dedicated Web Worker of a cross-origin-isolated page: a page's
// main thread may not block, which every synchronous call on a pool would.
import { makeInit } from './init.js';
import { inlinedSimd } from './inline.js';
import { fetchServed } from './locate-web.js';
import { hardwareConcurrency, spawnWebWorkers } from './thread-web.js';
// Static, not import(): a dynamic import makes Rollup with `output.file`
// refuse to build. The glue is ~8 KB gzipped; its wasm stays a file.
import * as threadsGlue from './wasm/threads/ssimkit.js';

export * from './common.js';

function inWorker(): boolean {
  const g = globalThis as { DedicatedWorkerGlobalScope?: new () => unknown };
  return typeof g.DedicatedWorkerGlobalScope === 'function' && globalThis instanceof g.DedicatedWorkerGlobalScope;
}

export const { init, initSync } = makeInit({
  name: 'browser',
  locate: (build) => {
    if (build === 'simd') return inlinedSimd();
    if (build === 'threads') return fetchServed('threads', new URL('./wasm/threads/ssimkit_bg.wasm', import.meta.url));
    return fetchServed('scalar', new URL('./wasm/scalar/ssimkit_bg.wasm', import.meta.url));
  },
  threads: {
    mayBlock: inWorker,
    unavailable: () => {
      if (!inWorker()) {
        return "a page's main thread may not block (Atomics.wait); call init() inside a Web Worker to use threads";
      }
      if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
        return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
      }
      if (typeof SharedArrayBuffer !== 'function') return 'this browser has no SharedArrayBuffer, even in a cross-origin-isolated page';
      if (typeof Worker !== 'function') return 'this Worker cannot start nested Workers';
      return undefined;
    },
    parallelism: hardwareConcurrency,
    glue: async () => threadsGlue,
    spawn: spawnWebWorkers,
  },
});
