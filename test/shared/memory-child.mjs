// Child process of test/memory.test.ts: a fresh module scores one pair of
// 8-bit images with one metric and reports its wasm memory after the call.
// argv: threads metric width height channels
import { dssim, init, lwssim, msssim, ssim, wasmMemoryBytes } from 'ssimkit';

const [threads, metric, w, h, c] = process.argv.slice(2).map((v, i) => (i === 1 ? v : Number(v)));
const info = await init({ threads });
const a = new Uint8ClampedArray(w * h * c), b = new Uint8ClampedArray(w * h * c);
for (let i = 0; i < a.length; i++) {
  a[i] = (i * 7919) % 251;
  b[i] = (i * 7919 + (i % 13)) % 251;
}
const x = { data: a, width: w, height: h, channels: c }, y = { data: b, width: w, height: h, channels: c };
const before = wasmMemoryBytes();
const t0 = performance.now();
const run = {
  ssim: () => ssim(x, y).score,
  'ssim with map': () => {
    const r = ssim(x, y, { map: true });
    if (r.map.length !== r.mapWidth * r.mapHeight) throw new Error('the map is not as large as it says');
    return r.score;
  },
  msssim: () => msssim(x, y).score,
  dssim: () => 1 - 2 * dssim(x, y),
  lwssim: () => lwssim(x, y).score / 2,
}[metric];
const score = run();
process.stdout.write(JSON.stringify({ build: info.build, score, before, after: wasmMemoryBytes(), ms: Math.round(performance.now() - t0) }));
