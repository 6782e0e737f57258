// Pool workers on `node:worker_threads`, for Node and Deno (whose web
// Workers cannot be unref'd: a Deno script would never exit). Each worker
// is unref'd once ready, so the pool never keeps the process alive.
import { Worker } from 'node:worker_threads';
import type { PoolStart, PoolWorkers } from './threads.js';

export function spawnNodeWorkers(n: number, start: PoolStart): PoolWorkers {
  let fail!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  failed.catch(() => {}); // observed by startThreads; later failures are the FAILED word's
  const workers: Worker[] = [];
  for (let i = 0; i < n; i++) {
    // No inherited node flags: `node --input-type=module -e ...` would pass
    // --input-type on to the worker, which refuses it. The worker runs only
    // wasm and needs none.
    const worker = new Worker(new URL('./thread-worker-node.js', import.meta.url), { workerData: start, execArgv: [] });
    workers.push(worker);
    let ready = false;
    worker.once('message', () => {
      ready = true;
      worker.unref();
    });
    // Before 'ready': the start failed. After: reported, never thrown into
    // the host's event loop (a trap in runThread is the FAILED word's).
    worker.on('error', (e) => {
      if (!ready) fail(new Error(`a thread worker failed to start: ${e.message}`, { cause: e }));
      else console.error('ssimkit: a thread worker failed:', e);
    });
    worker.once('exit', (code) => {
      if (!ready) fail(new Error(`a thread worker exited (code ${code}) before it started`));
    });
  }
  return { failed, terminate: () => { for (const w of workers) void w.terminate(); } };
}
