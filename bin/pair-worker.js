// A worker of bin/workers.js: its own ssimkit module on one thread, scoring
// the pairs it is sent, one at a time.

import { parentPort, workerData } from 'node:worker_threads';
import { init } from 'ssimkit';
import { FileError, scorePair } from './score.js';

await init({ threads: 1 });
parentPort.on('message', ({ id, ref, img, mapPath }) => {
  try {
    parentPort.postMessage({ id, ...scorePair(ref, img, { ...workerData, mapPath }) });
  } catch (e) {
    parentPort.postMessage({ id, error: { file: e instanceof FileError, message: String(e?.message ?? e) } });
  }
});
parentPort.postMessage({ ready: true });
