// Pool workers for browsers. The Worker that called init() starts ONE
// module Worker (thread-worker.js in its 'spawner' role), which starts the
// n pool Workers (the same file, 'thread' role), one after another, and
// then idles. Why not start them here: in Firefox ESR 153 a nested
// `new Worker()` sometimes never returns (measured: the second constructor
// of a row blocked the calling worker for good, its timers too; see
// scripts/soak-firefox.mjs). Called here it would block init() forever;
// in the spawner it blocks only the spawner, and init() gives up on the
// pool after POOL_START_TIMEOUT_MS and terminates it (which ends its
// children). The file is named with `new URL('./thread-worker.js',
// import.meta.url)` written out, the form bundlers that follow workers
// (Vite, webpack 5, Parcel) recognise, and which works unbundled.
// (Deno uses thread-node.ts: its web Workers cannot be unref'd.)
import type { PoolStart, PoolWorkers } from './threads.js';

export function spawnWebWorkers(n: number, start: PoolStart): PoolWorkers {
  const spawner = new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module', name: 'ssimkit-pool' });
  const failed = new Promise<never>((_, reject) => {
    spawner.onmessage = (e: MessageEvent) => {
      if (e.data?.error) reject(new Error(`a thread worker failed to start: ${e.data.error}`));
    };
    spawner.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      reject(new Error(`a thread worker failed to start: ${e.message || 'worker script error (is thread-worker.js served beside the entry?)'}`));
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
