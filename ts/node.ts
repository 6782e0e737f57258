// Node: the .wasm is read from the package directory; the threaded build's
// pool runs on worker_threads, unref'd so that they never keep Node alive.
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { makeInit } from './init.js';
import type { ThreadWorker } from './threads.js';

export * from './common.js';
export const { init, initSync } = makeInit({
  name: 'node',
  locate: (build) => readFile(new URL(`./wasm/${build}/ssimkit_bg.wasm`, import.meta.url)),
  threads: {
    unavailable: () => undefined,
    parallelism: () => (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length),
    glue: () => import('./wasm/threads/ssimkit.js'),
    spawn: (module, memory) => new Promise<ThreadWorker>((resolve, reject) => {
      const worker = new Worker(new URL('./thread-worker-node.js', import.meta.url), { workerData: { module, memory } });
      let ready = false;
      worker.once('message', () => {
        ready = true;
        worker.unref();
        resolve(worker);
      });
      // Before 'ready': the start failed. After: a trap in a pool thread
      // (reported, never thrown into the host's event loop).
      worker.on('error', (e) => {
        if (!ready) reject(new Error(`a thread worker failed to start: ${e.message}`, { cause: e }));
        else console.error('ssimkit: a thread worker failed:', e);
      });
      worker.once('exit', (code) => { if (!ready) reject(new Error(`a thread worker exited (code ${code}) before it started`)); });
    }),
  },
});
