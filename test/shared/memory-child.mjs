// Child process of test/memory.test.ts: a fresh module scores a 3840x2160
// RGBA pair (SSIM and LWSSIM, no map) and reports its wasm memory.
import { init, lwssim, ssim, wasmMemoryBytes } from 'ssimkit';

const info = await init({ threads: Number(process.argv[2]) });
const w = 3840, h = 2160;
const a = new Uint8ClampedArray(w * h * 4), b = new Uint8ClampedArray(w * h * 4);
for (let i = 0; i < a.length; i++) {
  a[i] = (i * 7919) % 251;
  b[i] = (i * 7919 + (i % 13)) % 251;
}
const x = { data: a, width: w, height: h }, y = { data: b, width: w, height: h };
const s = ssim(x, y).score;
const afterSsim = wasmMemoryBytes();
const l = lwssim(x, y).score;
process.stdout.write(JSON.stringify({ build: info.build, ssim: s, lwssim: l, afterSsim, afterLwssim: wasmMemoryBytes() }));
