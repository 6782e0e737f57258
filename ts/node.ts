// Node: the .wasm is read from the package directory.
import { readFile } from 'node:fs/promises';
import { makeInit } from './init.js';

export * from './common.js';
export const { init, initSync } = makeInit({
  name: 'node',
  locate: (build) => readFile(new URL(`./wasm/${build}/ssimkit_bg.wasm`, import.meta.url)),
});
