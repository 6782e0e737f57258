// Deno: read from disk when installed locally, fetched when served remotely.
// The threaded build's pool runs on Deno's node:worker_threads, loaded only
// when used: unlike its web Workers, those can be unref'd, so a script still
// exits when its work is done.
import { makeInit } from './init.js';
import { hardwareConcurrency } from './thread-web.js';

declare const Deno: { readFile(path: URL): Promise<Uint8Array> };

export * from './common.js';
export const { init, initSync } = makeInit({
  name: 'deno',
  locate: (build) => {
    const url = new URL(`./wasm/${build}/ssimkit_bg.wasm`, import.meta.url);
    return url.protocol === 'file:' ? Deno.readFile(url) : fetch(url);
  },
  threads: {
    unavailable: () => (typeof Worker === 'function' ? undefined : 'this Deno has no Worker'),
    parallelism: hardwareConcurrency,
    glue: () => import('./wasm/threads/ssimkit.js'),
    spawn: (n, start) => {
      const workers = import('./thread-node.js').then((m) => m.spawnNodeWorkers(n, start));
      const failed = workers.then((w) => w.failed) as Promise<never>;
      failed.catch(() => {});
      return { failed, terminate: () => void workers.then((w) => w.terminate(), () => {}) };
    },
  },
});
