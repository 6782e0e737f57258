// Browsers (and any host with fetch): the .wasm is fetched beside this file.
import { makeInit } from './init.js';

export * from './common.js';
export const { init, initSync } = makeInit({
  name: 'browser',
  locate: (build) => fetch(new URL(`./wasm/${build}/ssimkit_bg.wasm`, import.meta.url)),
});
