// Pool workers for browsers: nested module Workers of the dedicated Worker
// that called init(). The worker is named with `new URL('./thread-worker.js',
// import.meta.url)` written out, the form bundlers that follow workers (Vite,
// webpack 5, Parcel) recognise, and which works unbundled (native ESM).
// (Deno uses thread-node.ts: its web Workers cannot be unref'd.)
import type { ThreadSupport, ThreadWorker } from './threads.js';

type WebSupport = Omit<ThreadSupport, 'unavailable' | 'parallelism' | 'glue'>;

export const webWorkers: WebSupport = {
  spawn(module, memory) {
    const worker = new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module', name: 'ssimkit-thread' });
    return new Promise<ThreadWorker>((resolve, reject) => {
      let ready = false;
      worker.onmessage = (e: MessageEvent) => {
        worker.onmessage = null;
        ready = e.data?.ready === true;
        if (ready) resolve(worker);
        else reject(new Error(`a thread worker failed to start: ${e.data?.error ?? 'no reason given'}`));
      };
      // Before 'ready': the start failed. After: a trap in a pool thread.
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault?.();
        if (ready) console.error('ssimkit: a thread worker failed:', e.message);
        else reject(new Error(`a thread worker failed to start: ${e.message || 'worker script error (is thread-worker.js served beside the entry?)'}`));
      };
      worker.postMessage({ module, memory });
    });
  },
};

/** navigator.hardwareConcurrency, or 1 where it is unknown. */
export function hardwareConcurrency(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? Math.floor(n) : 1;
}
