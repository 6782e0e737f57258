// The benchmark's inputs: a photograph (examples/images/chelsea.png, 451x300)
// brought to each size, and a distorted copy of it, as raw 8-bit RGBA files
// `WxH.ref.rgba` / `WxH.dist.rgba` in one directory that every
// implementation (ssimkit in each configuration, the native build, the npm
// peers) reads. Deterministic: the same bytes on every run.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import pngjs from 'pngjs';

const SOURCE = new URL('../examples/images/chelsea.png', import.meta.url);

export const DESCRIPTION =
  'examples/images/chelsea.png (451x300 photo) upscaled bilinearly by max(1, min(w/451, h/300)/2), ' +
  'then mirror-tiled to the size (no seams); distorted copy = half of a 5x5 box blur mixed in, ' +
  'plus Gaussian noise (sigma 6, fixed seed), alpha 255';

function loadSource() {
  const png = pngjs.PNG.sync.read(readFileSync(SOURCE));
  return { data: png.data, width: png.width, height: png.height };
}

function bilinear(src, w, h) {
  const out = new Float64Array(w * h * 3);
  const sx = src.width / w, sy = src.height / h;
  for (let y = 0; y < h; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5), y0 = Math.min(Math.floor(fy), src.height - 1), y1 = Math.min(y0 + 1, src.height - 1), ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5), x0 = Math.min(Math.floor(fx), src.width - 1), x1 = Math.min(x0 + 1, src.width - 1), tx = fx - x0;
      for (let k = 0; k < 3; k++) {
        const p = (yy, xx) => src.data[(yy * src.width + xx) * 4 + k];
        out[(y * w + x) * 3 + k] = (1 - ty) * ((1 - tx) * p(y0, x0) + tx * p(y0, x1)) + ty * ((1 - tx) * p(y1, x0) + tx * p(y1, x1));
      }
    }
  }
  return { data: out, width: w, height: h };
}

// Mirror index into [0, n): 0 1 .. n-1 n-1 .. 1 0 0 1 ..
const mirror = (i, n) => {
  const m = i % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
};

/** { ref, dist }: Uint8Array RGBA of w x h. */
export function makePair(w, h) {
  const src = loadSource();
  const f = Math.max(1, Math.min(w / src.width, h / src.height) / 2);
  const up = bilinear(src, Math.round(src.width * f), Math.round(src.height * f));
  const rgb = new Float64Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const yy = mirror(y, up.height);
    for (let x = 0; x < w; x++) {
      const xx = mirror(x, up.width);
      for (let k = 0; k < 3; k++) rgb[(y * w + x) * 3 + k] = up.data[(yy * up.width + xx) * 3 + k];
    }
  }
  const ref = new Uint8Array(w * h * 4);
  for (let i = 0, j = 0; i < ref.length; i += 4, j += 3) {
    ref[i] = Math.round(rgb[j]); ref[i + 1] = Math.round(rgb[j + 1]); ref[i + 2] = Math.round(rgb[j + 2]); ref[i + 3] = 255;
  }
  // 5x5 box blur (clamped borders), separable.
  const tmp = new Float64Array(rgb.length), blur = new Float64Array(rgb.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < 3; k++) {
        let s = 0;
        for (let d = -2; d <= 2; d++) s += ref[(y * w + Math.min(w - 1, Math.max(0, x + d))) * 4 + k];
        tmp[(y * w + x) * 3 + k] = s / 5;
      }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < 3; k++) {
        let s = 0;
        for (let d = -2; d <= 2; d++) s += tmp[(Math.min(h - 1, Math.max(0, y + d)) * w + x) * 3 + k];
        blur[(y * w + x) * 3 + k] = s / 5;
      }
  // Gaussian noise from a fixed-seed xorshift32 (Box-Muller).
  let seed = 0x9e3779b9;
  const uniform = () => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return (seed + 0.5) / 4294967296;
  };
  const dist = new Uint8Array(w * h * 4);
  for (let i = 0, j = 0; i < dist.length; i += 4, j += 3) {
    for (let k = 0; k < 3; k++) {
      const noise = 6 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      dist[i + k] = Math.min(255, Math.max(0, Math.round(0.5 * ref[i + k] + 0.5 * blur[j + k] + noise)));
    }
    dist[i + 3] = 255;
  }
  return { ref, dist };
}

/** Writes every size's pair into dir; returns { 'WxH': sha256 of ref+dist }. */
export function writePairs(dir, sizes) {
  const digests = {};
  for (const [w, h] of sizes) {
    const { ref, dist } = makePair(w, h);
    writeFileSync(`${dir}/${w}x${h}.ref.rgba`, ref);
    writeFileSync(`${dir}/${w}x${h}.dist.rgba`, dist);
    digests[`${w}x${h}`] = createHash('sha256').update(ref).update(dist).digest('hex').slice(0, 16);
  }
  return digests;
}

/** Reads one size's pair back: { ref, dist } as Uint8ClampedArray RGBA. */
export function readPair(dir, w, h) {
  const read = (k) => {
    const b = readFileSync(`${dir}/${w}x${h}.${k}.rgba`);
    if (b.length !== w * h * 4) throw new Error(`${dir}/${w}x${h}.${k}.rgba: ${b.length} bytes, expected ${w * h * 4}`);
    return new Uint8ClampedArray(b.buffer, b.byteOffset, b.length);
  };
  return { ref: read('ref'), dist: read('dist') };
}

/** RGBA bytes to float RGB in [0, 1] (what the losses train on). */
export function rgbFloat(rgba) {
  const out = new Float32Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out[j] = rgba[i] / 255; out[j + 1] = rgba[i + 1] / 255; out[j + 2] = rgba[i + 2] / 255;
  }
  return out;
}
