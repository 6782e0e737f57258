// The loss batch that ssimkit (bench/ssimkit-child.mjs --mode batch) and
// torch (bench/python/peers.py) both read: n crops of side x side from one
// pair that bench/inputs.mjs wrote, as float32 RGB in [0, 1] (byte / 255),
// NHWC, little-endian, written once so that both sides see the same numbers.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPair } from '../inputs.mjs';

/** Top-left corners of the n crops: spread along x, permuted along y, inside w x h. */
export function cropOrigins(w, h, n = 8, side = 256) {
  if (w < side || h < side) throw new RangeError(`batch: ${w}x${h} is smaller than a ${side}x${side} crop`);
  const step = (span, i) => (n > 1 ? Math.floor((i * (span - side)) / (n - 1)) : 0);
  return Array.from({ length: n }, (_, i) => [step(w, i), step(h, (i * 3) % n)]);
}

/** Float32Array [n, side, side, 3] of the crops of one RGBA image. */
export function crops(rgba, w, origins, side = 256) {
  const out = new Float32Array(origins.length * side * side * 3);
  let j = 0;
  for (const [x0, y0] of origins) {
    for (let y = y0; y < y0 + side; y++) {
      for (let x = x0; x < x0 + side; x++) {
        const i = (y * w + x) * 4;
        out[j++] = rgba[i] / 255; out[j++] = rgba[i + 1] / 255; out[j++] = rgba[i + 2] / 255;
      }
    }
  }
  return out;
}

/**
 * Writes dir/batch.pred.f32 (crops of the distorted image) and dir/batch.target.f32
 * (the reference's) from the w x h pair. Returns { prefix, shape, sha256_16, description }.
 */
export function writeLossBatch(dir, w, h, n = 8, side = 256) {
  const { ref, dist } = readPair(dir, w, h);
  const origins = cropOrigins(w, h, n, side);
  const pred = crops(dist, w, origins, side), target = crops(ref, w, origins, side);
  const prefix = join(dir, 'batch');
  const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(`${prefix}.pred.f32`, bytes(pred));
  writeFileSync(`${prefix}.target.f32`, bytes(target));
  return {
    prefix, shape: [n, side, side, 3],
    sha256_16: createHash('sha256').update(bytes(pred)).update(bytes(target)).digest('hex').slice(0, 16),
    description: `[${n}, ${side}, ${side}, 3] float32 in [0, 1]: ${n} crops of the ${w}x${h} pair at (x, y) ${origins.map(([x, y]) => `${x},${y}`).join(' ')}; prediction = distorted, target = reference`,
  };
}
