// One pool thread of the threaded build in Node or Deno (a worker_threads
// Worker started by thread-node.ts): instantiates the module it is given on the shared
// memory it is given, says so, and becomes a rayon worker for good.
import { parentPort, workerData } from 'node:worker_threads';
import { initSync, runThread } from './wasm/threads/ssimkit.js';

const { module, memory } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory };
initSync({ module, memory });
parentPort!.postMessage('ready');
runThread(); // never returns: rayon's worker loop
