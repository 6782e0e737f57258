// init({ module }) with esbuild: `--loader:.wasm=file` copies the package's simd build and gives its URL.
import url from 'ssimkit/simd.wasm';
import { score } from './score.js';

score({ module: new URL(url, import.meta.url) }).then((page) => { window.__result = JSON.stringify({ page, url }); });
