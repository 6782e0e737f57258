// Pool workers on `node:worker_threads`, for Node and Deno (whose web
// Workers cannot be unref'd: a Deno script would never exit). Each worker
// is unref'd once ready, so the pool never keeps the process alive.
import { Worker } from 'node:worker_threads';
import type { ThreadWorker } from './threads.js';

export function spawnNodeWorker(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<ThreadWorker> {
  return new Promise<ThreadWorker>((resolve, reject) => {
    // No inherited node flags: `node --input-type=module -e ...` would pass
    // --input-type on to the worker, which refuses it. The worker runs only
    // wasm and needs none.
    const worker = new Worker(new URL('./thread-worker-node.js', import.meta.url), { workerData: { module, memory }, execArgv: [] });
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
    worker.once('exit', (code) => {
      if (!ready) reject(new Error(`a thread worker exited (code ${code}) before it started`));
    });
  });
}
