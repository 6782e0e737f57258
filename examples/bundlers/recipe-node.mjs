// init({ module }) in Node: the package's simd build found through its exports map.
import { readFile } from 'node:fs/promises';
import { score } from './score.js';

const url = import.meta.resolve('ssimkit/simd.wasm');
console.log(JSON.stringify({ ...(await score({ module: await readFile(new URL(url)) })), url }));
