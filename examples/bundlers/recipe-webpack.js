// init({ module }) with webpack 5: `new URL(<package file>, import.meta.url)` emits it as an asset.
import { score } from './score.js';

const url = new URL('ssimkit/simd.wasm', import.meta.url);
score({ module: url }).then((page) => { window.__result = JSON.stringify({ page, url: String(url) }); });
