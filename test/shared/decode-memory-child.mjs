// Child process of test/decode-memory.test.ts: a fresh module scores a pair
// of 4K files from their bytes with one metric and reports its wasm memory.
import { readFileSync } from 'node:fs';
import { dssim, init, lwssim, msssim, ssim, wasmMemoryBytes } from 'ssimkit';

const [threads, metric, a, b] = process.argv.slice(2);
const info = await init({ threads: Number(threads) });
const x = new Uint8Array(readFileSync(a)), y = new Uint8Array(readFileSync(b));
const f = { ssim: (p, q) => ssim(p, q).score, 'ssim-map': (p, q) => ssim(p, q, { map: true }).score, dssim, lwssim: (p, q) => lwssim(p, q).score, msssim: (p, q) => msssim(p, q).score }[metric];
const t = performance.now();
const score = f(x, y);
process.stdout.write(JSON.stringify({ build: info.build, score, bytes: wasmMemoryBytes(), ms: performance.now() - t }));
