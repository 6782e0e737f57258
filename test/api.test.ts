// The API's behaviour beyond the numbers: inputs it accepts, the shape of
// results, and identities that hold exactly by construction.
import { beforeAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { dssim, dssimMaeLoss, init, lwssim, msssim, msssimLoss, MSSSIM_WEIGHTS, ssim } from 'ssimkit';

const photo = (w: number, h: number, c: number, seed: number) => {
  const d = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const v = 128 + 90 * Math.sin(x * 0.17 + k) * Math.cos(y * 0.11) + ((x * 7 + y * 13 + seed * 29 + k) % 23) - 11;
        d[(y * w + x) * c + k] = Math.max(0, Math.min(255, Math.round(v)));
      }
  return { data: d, width: w, height: h };
};
const W = 64, H = 48;
const A = photo(W, H, 3, 1), B = photo(W, H, 3, 2);

beforeAll(async () => {
  await init();
});

describe('init', () => {
  it('reports the build and is idempotent', async () => {
    const a = await init();
    // Node gets the threaded build, a pool of its parallelism (at most 8),
    // unless it has a single core (test/threads.test.ts covers the rest).
    const n = Math.min(availableParallelism(), 8);
    expect(a).toMatchObject(n > 1 ? { build: 'threads', simd: true, threads: n, runtime: 'node' }
      : { build: 'simd', simd: true, threads: 1, runtime: 'node' });
    expect(a.features).toContain('simd128');
    expect(await init()).toBe(a);
  });
});

describe('inputs', () => {
  it('an ImageData-like RGBA image ignores alpha by default', () => {
    const rgba = (img: typeof A, alpha: number) => {
      const d = new Uint8ClampedArray(W * H * 4);
      for (let i = 0; i < W * H; i++) {
        d.set(img.data.subarray(i * 3, i * 3 + 3), i * 4);
        d[i * 4 + 3] = (i * alpha) & 255;
      }
      return { data: d, width: W, height: H }; // the shape of a DOM ImageData
    };
    const r = ssim(rgba(A, 3), rgba(B, 5));
    expect(r.channels).toHaveLength(3);
    expect(r.score).toBe(ssim(A, B).score);
    const withAlpha = ssim(rgba(A, 3), rgba(B, 5), { includeAlpha: true });
    expect(withAlpha.channels).toHaveLength(4);
    expect(withAlpha.channels.slice(0, 3)).toEqual(r.channels);
  });

  it('Uint8ClampedArray equals Uint8Array', () => {
    const c = (i: typeof A) => ({ ...i, data: new Uint8ClampedArray(i.data) });
    expect(ssim(c(A), c(B)).score).toBe(ssim(A, B).score);
  });

  it('8-bit and 16-bit (x257) give the same bits; float (v/255) agrees to its rounding', () => {
    // v/255 and 257v/65535 are the same real number, divided once in f64:
    // identical planes, identical scores. A Float32Array holding v/255 is
    // already rounded to 24 bits, so it agrees only to ~1e-7.
    const u16 = (i: typeof A) => ({ ...i, data: Uint16Array.from(i.data, (v) => v * 257) });
    const f32 = (i: typeof A) => ({ ...i, data: Float32Array.from(i.data, (v) => v / 255) });
    const big = [photo(180, 170, 3, 1), photo(180, 170, 3, 2)] as const;
    for (const fn of [ssim, msssim, lwssim] as const) {
      const [x, y] = fn === msssim ? big : [A, B];
      const want = fn(x, y).score;
      expect(fn(u16(x), u16(y)).score).toBe(want);
      expect(Math.abs(fn(f32(x), f32(y)).score - want)).toBeLessThan(1e-6);
    }
  });

  it('channels is inferred from the data length, or taken as given', () => {
    const g = { data: A.data.subarray(0, W * H), width: W, height: H };
    const g2 = { data: B.data.subarray(0, W * H), width: W, height: H };
    expect(ssim(g, g2).channels).toHaveLength(1);
    // 2 channels = gray + alpha: one channel compared.
    const ga = { data: A.data.subarray(0, W * H * 2), width: W, height: H, channels: 2 };
    const gb = { data: B.data.subarray(0, W * H * 2), width: W, height: H, channels: 2 };
    expect(ssim(ga, gb).channels).toHaveLength(1);
  });
});

describe('results', () => {
  it('identical images: exactly 1, 1, 0 and 2', () => {
    expect(ssim(A, A).score).toBe(1);
    expect(ssim(A, A, { border: 'same', window: 'box', size: 5 }).score).toBe(1);
    const big = photo(200, 180, 3, 4);
    expect(msssim(big, big).score).toBe(1);
    expect(dssim(A, A)).toBe(0);
    expect(lwssim(A, A).score).toBe(2);
    expect(lwssim(A, A, { alpha: 2, beta: 0.5, gamma: 3 }).score).toBe(2);
  });

  it('is symmetric in its two images, bit for bit', () => {
    expect(ssim(B, A).score).toBe(ssim(A, B).score);
    expect(lwssim(B, A).score).toBe(lwssim(A, B).score);
  });

  it('the score is the mean of the channels and dssim is (1 - ssim) / 2', () => {
    const r = ssim(A, B);
    expect(r.score).toBeCloseTo(r.channels.reduce((a, b) => a + b) / 3, 15);
    expect(dssim(A, B)).toBe((1 - r.score) / 2);
    expect(r.map).toBeUndefined();
  });

  it('luma compares one plane', () => {
    const r = ssim(A, B, { color: 'luma' });
    expect(r.channels).toHaveLength(1);
    expect(r.score).not.toBe(ssim(A, B).score);
  });

  it('maps: valid is (h-n+1)x(w-n+1), same is the image size; their mean is the score', () => {
    const mean = (m: Float32Array) => m.reduce((a, b) => a + b, 0) / m.length;
    const v = ssim(A, B, { map: true });
    expect([v.mapWidth, v.mapHeight, v.map!.length]).toEqual([W - 10, H - 10, (W - 10) * (H - 10)]);
    expect(mean(v.map!)).toBeCloseTo(v.score, 6);
    const s = ssim(A, B, { map: true, border: 'same' });
    expect([s.mapWidth, s.mapHeight]).toEqual([W, H]);
    expect(mean(s.map!)).toBeCloseTo(s.score, 6);
  });

  it("msssim 'auto' on a small image equals the renormalised explicit weights", () => {
    // 64x48 with an 11x11 window: 64x48 and 32x24 hold it, 16x12 does too: 3 scales.
    const w = MSSSIM_WEIGHTS.slice(0, 3);
    const s = w.reduce((a, b) => a + b);
    expect(msssim(A, B, { scales: 'auto' }).score).toBe(msssim(A, B, { weights: w.map((v) => v / s) }).score);
    expect(msssim(A, B, { scales: 3 }).score).toBe(msssim(A, B, { scales: 'auto' }).score);
  });

  it("msssim 'auto' on an image that holds 5 scales is the default call, bit for bit (metric and losses)", () => {
    // 176 -> 88 -> 44 -> 22 -> 11: the fifth scale just holds the window.
    const a = photo(176, 180, 3, 1), b = photo(176, 180, 3, 2);
    const def = msssim(a, b);
    expect(def.score).toBeLessThan(1);
    expect(msssim(a, b, { scales: 'auto' })).toEqual(def);
    // The published weights sum to 1.0001: renormalised, they move the score
    // (what 'auto' gave before), so the equality above is not vacuous.
    const sum = MSSSIM_WEIGHTS.reduce((x, y) => x + y);
    expect(msssim(a, b, { weights: MSSSIM_WEIGHTS.map((v) => v / sum) }).score).not.toBe(def.score);
    const batch = (img: typeof a) => ({ data: Float32Array.from(img.data, (v) => v / 255), shape: [1, 180, 176, 3] as [number, number, number, number] });
    const [p, t] = [batch(b), batch(a)];
    const lossDef = msssimLoss(p, t, { grad: true });
    const lossAuto = msssimLoss(p, t, { grad: true, scales: 'auto' });
    expect(lossAuto.loss).toBe(lossDef.loss);
    expect(lossAuto.grad).toEqual(lossDef.grad);
    expect(dssimMaeLoss(p, t, { structure: 'msssim', scales: 'auto' }).loss).toBe(dssimMaeLoss(p, t, { structure: 'msssim' }).loss);
  });

  it('more distortion scores lower, for every metric', () => {
    const noisy = (amp: number) => ({ ...A, data: A.data.map((v, i) => Math.max(0, Math.min(255, v + (((i * 2654435761) >>> 0) % (2 * amp + 1)) - amp))) });
    const big = photo(200, 180, 3, 1);
    const bigNoisy = (amp: number) => ({ ...big, data: big.data.map((v, i) => Math.max(0, Math.min(255, v + (((i * 2654435761) >>> 0) % (2 * amp + 1)) - amp))) });
    expect(ssim(A, noisy(5)).score).toBeGreaterThan(ssim(A, noisy(40)).score);
    expect(lwssim(A, noisy(5)).score).toBeGreaterThan(lwssim(A, noisy(40)).score);
    expect(msssim(big, bigNoisy(5)).score).toBeGreaterThan(msssim(big, bigNoisy(40)).score);
  });

  it('the skimage preset is a 7x7 box with sample covariance', () => {
    expect(ssim(A, B, { preset: 'skimage' }).score).toBe(ssim(A, B, { window: 'box', size: 7, covariance: 'sample' }).score);
  });
});

describe("where a 'valid' map sits on the image (README)", () => {
  it("map pixel (x, y) is the 'same' map's pixel (x + size/2, y + size/2), to the bit", async () => {
    await init();
    const w = 40, h = 30;
    const a = new Uint8Array(w * h), b = new Uint8Array(w * h);
    for (let i = 0; i < a.length; i++) { a[i] = (i * 37) % 251; b[i] = (a[i]! * 3 + (i % 11)) % 256; }
    const A = { data: a, width: w, height: h }, B = { data: b, width: w, height: h };
    for (const size of [3, 7, 11]) {
      for (const window of ['gaussian', 'box'] as const) {
        const valid = ssim(A, B, { map: true, size, window });
        const same = ssim(A, B, { map: true, border: 'same', size, window });
        const o = size >> 1;
        expect([valid.mapWidth, valid.mapHeight]).toEqual([w - size + 1, h - size + 1]);
        let mismatches = 0;
        for (let y = 0; y < valid.mapHeight!; y++) {
          for (let x = 0; x < valid.mapWidth!; x++) {
            if (!Object.is(valid.map![y * valid.mapWidth! + x], same.map![(y + o) * w + x + o])) mismatches++;
          }
        }
        expect(mismatches, `size ${size} ${window}`).toBe(0);
      }
    }
  });
});
