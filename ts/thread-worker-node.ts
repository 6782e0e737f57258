// One pool thread of the threaded build in Node or Deno (a worker_threads
// Worker started by thread-node.ts): instantiates the module it is given on
// the shared memory it is given, says so, and becomes a rayon worker for
// good. If that traps, it reports the failure (thread-fail.ts) and ends.
import { parentPort, workerData } from 'node:worker_threads';
import { reportPoolFailure } from './thread-fail.js';
import type { PoolStart } from './threads.js';
import { initSync, runThread } from './wasm/threads/ssimkit.js';

const { module, memory, words } = workerData as PoolStart;
initSync({ module, memory });
parentPort!.postMessage('ready');
try {
  runThread(); // returns only if it traps: rayon's worker loop
} catch {
  reportPoolFailure(memory, words);
}
