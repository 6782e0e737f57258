// Child of test/memory-need.test.ts: a fresh module runs one call and
// reports how far wasm memory grew and what the module reckoned beforehand.
import * as api from 'ssimkit';
import { lastMemoryNeed, lastOutputNeed } from '../../dist/backend.js';

const [threads, fn, spec] = [Number(process.argv[2]), process.argv[3], JSON.parse(process.argv[4])];
await api.init({ threads });
const fill = (Ctor, n, seed) => {
  const d = new Ctor(n);
  for (let i = 0; i < n; i++) d[i] = Ctor === Float32Array ? ((i * 7919 + seed * 13) % 251) / 251 : (i * 7919 + seed * 13) % 251;
  return d;
};
let args;
if (fn === 'heatmap') {
  // A map as ssim's { map: true } gives it, 'valid' (a frame of 5 around it).
  const [w, h] = [spec.width, spec.height];
  const map = fill(Float32Array, (w - 10) * (h - 10), 1);
  args = [{ map, mapWidth: w - 10, mapHeight: h - 10, width: w, height: h, mapOffsetX: 5, mapOffsetY: 5, mapScale: 1 }];
} else if (fn === 'encodePng') {
  // Noise (a hash, not a ramp): PNG's worst case, it does not compress.
  const Ctor = { u8: Uint8Array, u16: Uint16Array }[spec.kind];
  const data = new Ctor(spec.width * spec.height * spec.channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.imul(i + 1, 2654435761) >>> (spec.kind === 'u8' ? 24 : 16);
  args = [{ data, width: spec.width, height: spec.height, channels: spec.channels }];
} else if (spec.shape) {
  const n = spec.shape.reduce((a, b) => a * b);
  args = [{ data: fill(Float32Array, n, 1), shape: spec.shape }, { data: fill(Float32Array, n, 2), shape: spec.shape }];
} else {
  // spec.y: the second image's kind and channels, when they differ.
  args = [spec, { ...spec, ...spec.y }].map(({ kind, channels }, s) => {
    const Ctor = { u8: Uint8Array, u16: Uint16Array, f32: Float32Array }[kind];
    return { data: fill(Ctor, spec.width * spec.height * channels, s + 1), width: spec.width, height: spec.height, channels };
  });
}
const before = api.wasmMemoryBytes();
const out = api[fn](...args, spec.options ?? {});
const output = fn === 'heatmap' || fn === 'encodePng';
process.stdout.write(JSON.stringify({ before, after: api.wasmMemoryBytes(), need: output ? lastOutputNeed() : lastMemoryNeed(),
  bytes: output ? (out.data ?? out).length : undefined }));
