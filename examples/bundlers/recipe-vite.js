// init({ module }) with Vite: `?url` gives the served URL of the package's simd build.
import url from 'ssimkit/simd.wasm?url';
import { score } from './score.js';

score({ module: url }).then((page) => { window.__result = JSON.stringify({ page, url }); });
