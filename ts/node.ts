// Node: the .wasm is read from the package directory; the threaded build's
// pool runs on worker_threads (thread-node.ts).
import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { makeInit } from './init.js';
import { spawnNodeWorkers } from './thread-node.js';

export * from './common.js';
export const { init, initSync } = makeInit({
  name: 'node',
  locate: (build) => readFile(new URL(`./wasm/${build}/ssimkit_bg.wasm`, import.meta.url)),
  threads: {
    unavailable: () => undefined,
    parallelism: () => (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length),
    glue: () => import('./wasm/threads/ssimkit.js'),
    spawn: spawnNodeWorkers,
  },
});
