// Deno: read from disk when installed locally, fetched when served remotely;
// the threaded build's pool runs on module Workers.
import { makeInit } from './init.js';
import { hardwareConcurrency, webWorkers } from './thread-web.js';

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
    ...webWorkers,
  },
});
