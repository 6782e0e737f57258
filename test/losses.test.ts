// The losses from JavaScript: inputs, layouts, degenerate cases, bad input,
// and training: gradient descent on the pixels lowers every loss.
import { describe, expect, it } from 'vitest';
import { dssimMaeLoss, init, lwssimLoss, msssimLoss, phasedDssimMae, ssim, ssimLoss } from 'ssimkit';
import { expectError } from './shared/expect-error.js';

type Shape = [number, number, number, number];
const N = 2, H = 40, W = 36, C = 3;

function photo(n: number, h: number, w: number, c: number, seed: number): Float32Array {
  const d = new Float32Array(n * h * w * c);
  for (let s = 0; s < n; s++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) {
          const v = 0.5 + 0.3 * Math.sin((x + s * 5) * 0.3 + k) * Math.cos(y * 0.21) + 0.1 * Math.sin(x * y * 0.05 + seed);
          d[((s * h + y) * w + x) * c + k] = v;
        }
  return d;
}
function noisy(d: Float32Array, amp: number): Float32Array {
  return d.map((v, i) => v + amp * Math.sin(i * 12.9898 + 78.233 * Math.sin(i)));
}
const toNchw = (d: Float32Array, [n, h, w, c]: Shape) => {
  const o = new Float32Array(d.length);
  for (let s = 0; s < n; s++) for (let k = 0; k < c; k++) for (let i = 0; i < h * w; i++) o[(s * c + k) * h * w + i] = d[(s * h * w + i) * c + k]!;
  return o;
};

const target = { data: photo(N, H, W, C, 1), shape: [N, H, W, C] as Shape };
const pred = { data: noisy(target.data, 0.08), shape: [N, H, W, C] as Shape };
const losses = {
  ssimLoss: (p: typeof pred, t: typeof pred, o = {}) => ssimLoss(p, t, { size: 7, ...o }),
  msssimLoss: (p: typeof pred, t: typeof pred, o = {}) => msssimLoss(p, t, { size: 7, scales: 3, ...o }),
  dssimMaeLoss: (p: typeof pred, t: typeof pred, o = {}) => dssimMaeLoss(p, t, { size: 7, ...o }),
  'dssimMaeLoss (Zhao)': (p: typeof pred, t: typeof pred, o = {}) =>
    dssimMaeLoss(p, t, { size: 7, structure: 'msssim', l1: 'gaussian', alpha: 0.84, beta: 0.16, scales: 3, ...o }),
  lwssimLoss: (p: typeof pred, t: typeof pred, o = {}) => lwssimLoss(p, t, o),
};

await init();

describe.each(Object.entries(losses))('%s', (_name, loss) => {
  it('returns the batch mean, per-sample values and a gradient of the input shape', () => {
    const r = loss(pred, target, { grad: true, perSample: true });
    expect(r.perSample).toHaveLength(N);
    expect(r.loss).toBeCloseTo((r.perSample![0]! + r.perSample![1]!) / 2, 15);
    expect(r.grad).toBeInstanceOf(Float32Array);
    expect(r.grad!.length).toBe(pred.data.length);
    expect(r.grad!.every(Number.isFinite)).toBe(true);
    // The value does not depend on asking for the gradient: SSIM, MS-SSIM and
    // DSSIM's backward streams the forward's four moment signals, the same bits;
    // LWSSIM's five, in its own passes, to rounding (README "Backward passes").
    if (_name === 'lwssimLoss') {
      expect(Math.abs(loss(pred, target).loss - r.loss)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(r.loss)));
    } else {
      expect(loss(pred, target).loss).toBe(r.loss);
    }
    expect(loss(pred, target).grad).toBeUndefined();
  });

  it("NCHW gives the same loss and the transposed gradient", () => {
    const a = loss(pred, target, { grad: true });
    const nchw = (b: typeof pred) => ({ data: toNchw(b.data, b.shape), shape: [N, C, H, W] as Shape, layout: 'nchw' as const });
    const b = loss(nchw(pred), nchw(target), { grad: true });
    expect(b.loss).toBe(a.loss);
    expect(Array.from(b.grad!)).toEqual(Array.from(toNchw(a.grad!, pred.shape)));
  });

  it('gradient descent on the pixels lowers the loss at every step', () => {
    let x = { ...pred, data: Float32Array.from(pred.data) };
    const first = loss(x, target).loss;
    let last = first;
    for (let step = 0; step < 40; step++) {
      const { grad } = loss(x, target, { grad: true });
      // Steepest descent with the step set by the largest component (no
      // pixel moves more than 0.006 * 0.95^step, whatever the loss's scale),
      // decaying because the L1 terms have a kink at their minimum.
      const lr = (0.006 * 0.95 ** step) / grad!.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
      x = { ...x, data: x.data.map((v, i) => v - lr * grad![i]!) };
      const now = loss(x, target).loss;
      expect(now).toBeLessThan(last);
      last = now;
    }
    expect(last).toBeLessThan(0.7 * first);
    // Structure was restored, not just the loss gamed.
    const img = (b: Float32Array) => ({ data: b.subarray(0, H * W * C), width: W, height: H, channels: C });
    expect(ssim(img(target.data), img(x.data), { dataRange: 1 }).score).toBeGreaterThan(ssim(img(target.data), img(pred.data), { dataRange: 1 }).score);
  });

  it('identical inputs, flat and all-zero images: finite gradients', () => {
    const flat = { data: new Float32Array(pred.data.length).fill(0.3), shape: pred.shape };
    const zero = { data: new Float32Array(pred.data.length), shape: pred.shape };
    const same = loss(target, target, { grad: true });
    expect(same.grad!.every((g) => g === 0)).toBe(true);
    for (const [a, b] of [[flat, flat], [zero, zero], [zero, target], [target, zero], [flat, target]] as const) {
      const r = loss(a, b, { grad: true });
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(r.grad!.every(Number.isFinite)).toBe(true);
    }
  });
});

describe('conventions', () => {
  it('identical images lose exactly 0', () => {
    for (const loss of Object.values(losses)) expect(loss(target, target).loss).toBe(0);
  });

  it('ssimLoss is 1 - ssim of each sample, averaged', () => {
    const r = ssimLoss(pred, target, { perSample: true });
    const img = (b: Float32Array, s: number) => ({ data: b.subarray(s * H * W * C, (s + 1) * H * W * C), width: W, height: H, channels: C });
    for (let s = 0; s < N; s++) expect(r.perSample![s]).toBeCloseTo(1 - ssim(img(target.data, s), img(pred.data, s)).score, 14);
  });

  it('a single float image is a batch of one', () => {
    const one = { data: pred.data.subarray(0, H * W * C), width: W, height: H, channels: C };
    const t1 = { data: target.data.subarray(0, H * W * C), width: W, height: H, channels: C };
    expect(ssimLoss(one, t1).loss).toBe(ssimLoss({ data: one.data, shape: [1, H, W, C] }, { data: t1.data, shape: [1, H, W, C] }).loss);
  });

  it('dssimMaeLoss: both source forms, and alpha 0 is the MAE / L', () => {
    const r = dssimMaeLoss(pred, target, { alpha: 0, beta: 1 });
    let mae = 0;
    for (let i = 0; i < pred.data.length; i++) mae += Math.abs(pred.data[i]! - target.data[i]!);
    expect(r.loss).toBeCloseTo(mae / pred.data.length, 12);
    // With its gradient: the same loss, and the L1 term's gradient alone.
    const g = dssimMaeLoss(pred, target, { alpha: 0, beta: 1, grad: true });
    expect(g.loss).toBe(r.loss);
    const n = pred.data.length;
    for (let i = 0; i < n; i++) {
      const d = pred.data[i]! - target.data[i]!;
      expect(g.grad![i]).toBe(Math.fround(Math.sign(d) / n));
    }
    const b8 = (b: typeof pred) => ({ data: b.data.map((v) => v * 255), shape: b.shape });
    const eightBit = dssimMaeLoss(b8(pred), b8(target), { alpha: 0.5, beta: 0.5, dataRange: 255, size: 7 });
    const unit = dssimMaeLoss(pred, target, { alpha: 0.5, beta: 0.5, size: 7 });
    expect(eightBit.loss).toBeCloseTo(unit.loss, 6);
  });

  it('phasedDssimMae is MAE alone before maeSteps, the mix after', () => {
    const phased = phasedDssimMae({ maeSteps: 3, size: 7 });
    expect(phased(pred, target, 0).loss).toBe(dssimMaeLoss(pred, target, { size: 7, alpha: 0, beta: 1 }).loss);
    expect(phased(pred, target, 2).loss).toBe(dssimMaeLoss(pred, target, { size: 7, alpha: 0, beta: 1 }).loss);
    expect(phased(pred, target, 3).loss).toBe(dssimMaeLoss(pred, target, { size: 7 }).loss);
  });
});

describe('bad input', () => {
  const good = () => ssimLoss(pred, target, { size: 7 }).loss;
  const before = good();
  const cases: [string, () => unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    ['Uint8 data', () => ssimLoss({ data: new Uint8Array(10) as never, shape: [1, 1, 10, 1] }, target), TypeError, /pred\.data must be a Float32Array/],
    ['shape of 3', () => ssimLoss({ data: pred.data, shape: [N, H, W] as never }, target), TypeError, /pred\.shape must be an array of 4 sizes, \[n, h, w, c\]/],
    ['shape does not match data', () => ssimLoss({ data: pred.data, shape: [N, H, W, 4] }, target), RangeError, /= 11520 values but data holds 8640/],
    ['zero in shape', () => ssimLoss({ data: pred.data, shape: [0, H, W, C] }, target), RangeError, /shape\[0\] must be a positive integer/],
    ['shapes differ', () => ssimLoss(pred, { data: target.data, shape: [N, W, H, C] }), RangeError, /pred is 2x40x36x3 but target is 2x36x40x3/],
    ['layouts differ', () => ssimLoss(pred, { ...target, shape: [N, C, H, W], layout: 'nchw' }), RangeError, /pred is nhwc but target is nchw/],
    ['unknown layout', () => ssimLoss({ ...pred, layout: 'nhcw' as never }, target), RangeError, /layout must be one of 'nhwc', 'nchw'/],
    ['NaN', () => ssimLoss({ ...pred, data: Float32Array.from(pred.data, (v, i) => (i === 5 ? NaN : v)) }, target), RangeError, /pred\.data\[5\] is NaN/],
    ['window too large', () => ssimLoss(pred, target, { size: 41 }), RangeError, /41x41 window does not fit a 36x40 image/],
    ['unknown option', () => ssimLoss(pred, target, { lr: 1 } as never), TypeError, /unknown option 'lr'/],
    ['grad not boolean', () => ssimLoss(pred, target, { grad: 1 as never }), TypeError, /grad must be true or false, got 1/],
    ['msssim too small', () => msssimLoss(pred, target), RangeError, /too small for 5 MS-SSIM scales/],
    ['negative alpha', () => dssimMaeLoss(pred, target, { alpha: -0.8 }), RangeError, /alpha must be a number from 0 to 1000000, got -0\.8/],
    ['scales without msssim', () => dssimMaeLoss(pred, target, { scales: 3 }), TypeError, /apply to structure: 'msssim'/],
    ['empty levels', () => lwssimLoss(pred, target, { levels: [] }), RangeError, /levels must have 1 to 32 entries, got 0/],
    ['negative level weight', () => lwssimLoss(pred, target, { weights: [1, 1, 1, -1, 1] }), RangeError, /weights\[3\] must be a number from 0 to 1000000, got -1/],
    ['fractional gamma', () => lwssimLoss(pred, target, { gamma: 1.5 }), RangeError, /gamma must be an integer from 0 to 64, got 1\.5/],
    ['negative maeSteps', () => phasedDssimMae({ maeSteps: -1 }), RangeError, /maeSteps must be an integer from 0 to 9007199254740991, got -1/],
  ];
  it.each(cases)('%s', (_n, call, type, message) => {
    expectError(call, type, message);
    expect(good()).toBe(before);
  });

  // The finite check scans in four lanes and a tail: a bad value in any
  // lane or the tail, of any kind, is found and named.
  it('NaN and infinities anywhere are named, in every lane and the tail', () => {
    const shape: Shape = [1, 3, 5, 1]; // 15 values: three blocks of 4 and a tail of 3
    const base = Float32Array.from({ length: 15 }, (_, i) => 0.5 + 0.01 * i);
    for (let i = 0; i < base.length; i++) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const data = base.slice();
        data[i] = bad;
        expectError(() => ssimLoss({ data, shape }, { data: base, shape }, { size: 3 }), RangeError, new RegExp(`pred\\.data\\[${i}\\] is ${bad}`));
      }
    }
    expect(good()).toBe(before);
  });
});
