// Pool workers for browsers. The Worker that called init() starts ONE
// module Worker (thread-worker.js in its 'spawner' role), which starts the
// n pool Workers (the same file, 'thread' role) and then idles. Why not
// start them here: in Firefox ESR 153 under automation (WebDriver BiDi) a
// nested `new Worker()` sometimes never returns, and the worker that
// called it is blocked for good, its timers too (measured with stage words
// in a SharedArrayBuffer; scripts/soak-firefox.mjs). In the spawner that
// blocks only the spawner: init() gives up on the pool after
// POOL_START_TIMEOUT_MS and terminates it, which ends its children. The one
// constructor left here (the spawner's) can still block this thread: no
// JavaScript can bound a call that never returns. The file is named with `new URL('./thread-worker.js',
// import.meta.url)` written out, the form bundlers that follow workers
// (Vite, webpack 5, Parcel) recognise, and which works unbundled.
// (Deno uses thread-node.ts: its web Workers cannot be unref'd.)
import type { PoolStart, PoolWorkers } from './threads.js';

export function spawnWebWorkers(n: number, start: PoolStart): PoolWorkers {
  const url = new URL('./thread-worker.js', import.meta.url);
  const spawner = new Worker(url, { type: 'module', name: 'ssimkit-pool' });
  const failed = new Promise<never>((_, reject) => {
    spawner.onmessage = (e: MessageEvent) => {
      if (e.data?.error) reject(new Error(`a thread worker failed to start: ${e.data.error}`));
    };
    spawner.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      reject(new Error(`a thread worker failed to start: ${e.message || `worker script error: is ${url.href} served? (copy node_modules/ssimkit/dist/thread-worker.js there)`}`));
    };
  });
  failed.catch(() => {}); // observed by startThreads; later failures are the FAILED word's
  spawner.postMessage({ role: 'spawner', n, start });
  return { failed, terminate: () => spawner.terminate() };
}

/** navigator.hardwareConcurrency, or 1 where it is unknown. */
export function hardwareConcurrency(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? Math.floor(n) : 1;
}
