// Deno: read from disk when installed locally, fetched when served remotely.
import { makeInit } from './init.js';

declare const Deno: { readFile(path: URL): Promise<Uint8Array> };

export * from './common.js';
export const { init, initSync } = makeInit({
  name: 'deno',
  locate: (build) => {
    const url = new URL(`./wasm/${build}/ssimkit_bg.wasm`, import.meta.url);
    return url.protocol === 'file:' ? Deno.readFile(url) : fetch(url);
  },
});
