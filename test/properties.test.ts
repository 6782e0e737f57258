// Property tests (fast-check): for inputs drawn from the documented domains
// (random sizes, channel counts, pixel types, magnitudes and options), the
// contract holds: every metric finite and within its bounds, identity
// exact, symmetry bit-exact, every loss and gradient finite, and the
// gradient exactly zero at identity. FC_RUNS sets the cases per property
// (default 150 here; `npm run test:properties` runs many more).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dssim, dssimMaeLoss, init, lwssim, lwssimLoss, msssim, msssimLoss, ssim, ssimLoss,
  type Image, type LossResult, type Result,
} from 'ssimkit';

const RUNS = Number(process.env.FC_RUNS ?? 150);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = { numRuns: RUNS, seed: SEED, endOnFailure: true };

beforeAll(async () => {
  await init();
});

// ---- drawing inputs ----

/** mulberry32: the pixels come from a seed, so a failing case is replayable. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-uniform in [lo, hi], with the ends themselves drawn often. */
const logIn = (lo: number, hi: number) => fc.oneof(
  fc.constant(lo), fc.constant(hi),
  fc.double({ min: Math.log10(lo), max: Math.log10(hi), noNaN: true }).map((e) => Math.min(hi, Math.max(lo, 10 ** e))),
);

/** How the pixels are laid out: the cases that broke sums in the past. */
const STYLES = ['noise', 'flat', 'bright-then-flat', 'offset-ripple', 'extremes', 'steps'] as const;
type Style = (typeof STYLES)[number];

/** A value in [-1, 1] for pixel i of a style (then scaled to the pixel type). */
function shape(style: Style, r: () => number, i: number, w: number): number {
  const x = i % w;
  switch (style) {
    case 'noise': return 2 * r() - 1;
    case 'flat': return 0.37;
    case 'bright-then-flat': return x < w / 2 ? 1 : 0.999;
    case 'offset-ripple': return 0.99 + 0.005 * Math.sin(i);
    case 'extremes': return r() < 0.5 ? -1 : 1;
    case 'steps': return Math.floor(x / 3) % 2 ? 1 : -0.5;
  }
}

type Kind = 'u8' | 'u16' | 'f32';
interface Drawn { kind: Kind; w: number; h: number; c: number; seed: number; style: Style; yStyle: Style; dataRange?: number; magnitude: number; negative: boolean }

const drawImage = (maxSide: number) => fc.record({
  kind: fc.constantFrom<Kind>('u8', 'u16', 'f32'),
  w: fc.integer({ min: 1, max: maxSide }),
  h: fc.integer({ min: 1, max: maxSide }),
  c: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer(),
  style: fc.constantFrom(...STYLES),
  yStyle: fc.constantFrom(...STYLES),
  // f32: the pixels' reach as a fraction of 64 L (the most a metric takes).
  magnitude: fc.oneof(fc.constant(1), logIn(1e-6, 1)),
  negative: fc.boolean(),
  dataRange: fc.option(logIn(1e-6, 1e12), { nil: undefined }),
});

/** Two images of a drawn kind, within the metric domain (|v| <= 64 L). */
function pair(d: Drawn, nonNegative = false): [Image, Image, number] {
  const n = d.w * d.h * d.c;
  const L = d.dataRange ?? (d.kind === 'u8' ? 255 : d.kind === 'u16' ? 65535 : 1);
  const r = rng(d.seed);
  const make = (style: Style) => {
    const v = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let s = shape(style, r, Math.floor(i / d.c), d.w);
      if (nonNegative || !d.negative) s = Math.abs(s);
      v[i] = s;
    }
    return v;
  };
  const [a, b] = [make(d.style), make(d.yStyle)];
  const build = (v: number[]): Image => {
    if (d.kind === 'f32') {
      const reach = 64 * L * d.magnitude, lim = f32Below(64 * L);
      return { data: Float32Array.from(v, (s) => Math.max(-lim, Math.min(lim, Math.fround(s * reach)))), width: d.w, height: d.h, channels: d.c };
    }
    const max = d.kind === 'u8' ? 255 : 65535;
    // Integer data must stay within 64 L too: clamp the top.
    const top = Math.min(max, Math.floor(64 * L));
    const Ctor = d.kind === 'u8' ? Uint8Array : Uint16Array;
    return { data: Ctor.from(v, (s) => Math.round(Math.abs(s) * top)), width: d.w, height: d.h, channels: d.c };
  };
  return [build(a), build(b), L];
}

/** The largest float32 that is not above x (x > 0). */
function f32Below(x: number): number {
  const f = new Float32Array([x]);
  if (f[0]! > x) new Uint32Array(f.buffer)[0]! -= 1;
  return f[0]!;
}

const odd = (max: number) => fc.integer({ min: 0, max: Math.max(0, Math.floor((max - 1) / 2)) }).map((k) => 2 * k + 1);

function common(d: Drawn) {
  return fc.record({
    k1: fc.option(logIn(1e-6, 1e6), { nil: undefined }),
    k2: fc.option(logIn(1e-6, 1e6), { nil: undefined }),
    color: fc.option(fc.constantFrom('rgb', 'luma') as fc.Arbitrary<'rgb' | 'luma'>, { nil: undefined }),
    includeAlpha: fc.option(fc.boolean(), { nil: undefined }),
    ...(d.dataRange === undefined ? {} : { dataRange: fc.constant(d.dataRange) }),
  });
}

function ssimOpts(d: Drawn) {
  const side = Math.min(d.w, d.h);
  return fc.oneof(
    fc.record({
      window: fc.constantFrom('gaussian', 'box') as fc.Arbitrary<'gaussian' | 'box'>,
      size: odd(Math.min(side, 15)),
      sigma: logIn(1e-3, 1e3),
      border: fc.constantFrom('valid', 'same') as fc.Arbitrary<'valid' | 'same'>,
      covariance: fc.constantFrom('population', 'sample') as fc.Arbitrary<'population' | 'sample'>,
      map: fc.boolean(),
    }).map((o) => (o.size === 1 ? { ...o, covariance: 'population' as const } : o)) // N - 1 = 0
      .chain((o) => common(d).map((c) => ({ ...o, ...c }))),
    fc.record({ preset: fc.constant('skimage' as const), size: odd(Math.min(side, 7)), map: fc.boolean() })
      .chain((o) => common(d).map((c) => ({ ...o, ...c }))),
    // ssim.m: gray, 11x11 after its down-sampling by round(min side / 256).
    fc.record({ preset: fc.constant('matlab' as const), map: fc.boolean(), ...(d.dataRange === undefined ? {} : { dataRange: fc.constant(d.dataRange) }) }),
  ).filter((o) => (!('preset' in o) || (o.preset === 'matlab' ? side >= 11 : o.size !== 1)));
}

// ---- the contract ----

const finiteIn = (v: number, lo: number, hi: number) => Number.isFinite(v) && v >= lo && v <= hi;

function expectBounded(r: Result, lo: number, hi: number) {
  expect(finiteIn(r.score, lo, hi), `score ${r.score}`).toBe(true);
  for (const c of r.channels) expect(finiteIn(c, lo, hi), `channel ${c}`).toBe(true);
  if (r.map) for (const v of r.map) if (!finiteIn(v, lo, hi)) expect.fail(`map value ${v} outside [${lo}, ${hi}]`);
}

function expectSameBits(a: Result, b: Result) {
  expect(Object.is(a.score, b.score), `${a.score} vs ${b.score}`).toBe(true);
  expect(a.channels).toEqual(b.channels);
  if (a.map) expect(Buffer.from(a.map.buffer).equals(Buffer.from(b.map!.buffer))).toBe(true);
}

describe('metrics on any accepted input', () => {
  it('SSIM and DSSIM: finite, in [-1, 1] and [0, 1], 1 and 0 for identical images, symmetric to the bit', () => {
    fc.assert(fc.property(drawImage(40).chain((d) => ssimOpts(d).map((o) => [d, o] as const)), ([d, o]) => {
      const [a, b] = pair(d);
      const r = ssim(a, b, o);
      expectBounded(r, -1, 1);
      expectSameBits(ssim(b, a, o), r);
      const same = ssim(a, a, o);
      expect(same.score).toBe(1);
      if (same.map) expect(same.map.every((v) => v === 1)).toBe(true);
      const { map: _, ...noMap } = o as { map?: boolean };
      const ds = dssim(a, b, noMap);
      expect(finiteIn(ds, 0, 1)).toBe(true);
      expect(dssim(b, a, noMap)).toBe(ds);
      expect(dssim(a, a, noMap)).toBe(0);
    }), params);
  });

  it('MS-SSIM: finite, in [0, 1], 1 for identical images, symmetric to the bit', () => {
    const draw = drawImage(48).chain((d) => {
      const side = Math.min(d.w, d.h);
      return fc.record({
        size: odd(Math.min(side, 11)),
        sigma: logIn(1e-3, 1e3),
        window: fc.constantFrom('gaussian', 'box') as fc.Arbitrary<'gaussian' | 'box'>,
        weights: fc.option(fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 64, noNaN: true })), { minLength: 1, maxLength: 3 }), { nil: undefined }),
      }).chain((o) => common(d).map((c) => [d, { ...o, ...c }] as const));
    }).filter(([, o]) => o.weights === undefined || o.weights.some((w) => w > 0));
    fc.assert(fc.property(draw, ([d, o]) => {
      const [a, b] = pair(d);
      const opts = o.weights === undefined ? { ...o, weights: undefined, scales: 'auto' as const } : o;
      let r: Result;
      try {
        r = msssim(a, b, opts);
      } catch (e) {
        // Too many explicit weights for a small image is the one refusal here.
        expect(e).toBeInstanceOf(RangeError);
        expect((e as Error).message).toMatch(/too small for \d+ MS-SSIM scales/);
        return;
      }
      expectBounded(r, 0, 1);
      expectSameBits(msssim(b, a, opts), r);
      expect(msssim(a, a, opts).score).toBe(1);
    }), params);
  });

  it('LWSSIM: finite, within +-2 mean(lambda), 2 mean(lambda) for identical images, symmetric to the bit', () => {
    const draw = drawImage(40).chain((d) => {
      const side = Math.min(d.w, d.h);
      return fc.record({
        levels: fc.array(odd(Math.min(side, 13)), { minLength: 1, maxLength: 5 }),
        alpha: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 64 }), fc.double({ min: 0, max: 64, noNaN: true })),
        beta: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 64 }), fc.double({ min: 0, max: 64, noNaN: true })),
        gamma: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 64 })),
        window: fc.constantFrom('box', 'gaussian') as fc.Arbitrary<'box' | 'gaussian'>,
        border: fc.constantFrom('valid', 'same') as fc.Arbitrary<'valid' | 'same'>,
        lambda: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
      }).chain((o) => common(d).map((c) => [d, { ...o, ...c }] as const));
    });
    fc.assert(fc.property(draw, ([d, o]) => {
      const { lambda, ...rest } = o;
      const weights = lambda === undefined ? undefined : o.levels.map((_, i) => (i === 0 ? Math.max(lambda, 1e-3) : lambda));
      const opts = { ...rest, weights };
      const [a, b] = pair(d, !Number.isInteger(o.alpha));
      const mean = weights === undefined ? 1 : weights.reduce((s, w) => s + w, 0) / weights.length;
      const r = lwssim(a, b, opts);
      expectBounded(r, -2 * mean * (1 + 1e-12), 2 * mean * (1 + 1e-12));
      expectSameBits(lwssim(b, a, opts), r);
      const same = lwssim(a, a, opts).score;
      if (weights === undefined) expect(same).toBe(2);
      else expect(Math.abs(same - 2 * mean)).toBeLessThanOrEqual(1e-12 * 2 * mean);
    }), params);
  });
});

// ---- losses ----

type Shape = [number, number, number, number];
const drawBatch = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 24 }),
  w: fc.integer({ min: 1, max: 24 }),
  c: fc.integer({ min: 1, max: 4 }),
  nchw: fc.boolean(),
  seed: fc.integer(),
  style: fc.constantFrom(...STYLES),
  // Losses take any finite f32: a network's early outputs can be wild.
  reach: fc.oneof(fc.constant(1), logIn(1e-30, 3e38)),
  dataRange: fc.option(logIn(1e-6, 1e12), { nil: undefined }),
});

interface DrawnBatch { n: number; h: number; w: number; c: number; nchw: boolean; seed: number; style: Style; reach: number }

/** A prediction and a target of a drawn batch (any finite f32 values). */
function batches(d: DrawnBatch, nonNegative = false) {
  const dims = (d.nchw ? [d.n, d.c, d.h, d.w] : [d.n, d.h, d.w, d.c]) as Shape;
  const len = d.n * d.h * d.w * d.c;
  const r = rng(d.seed);
  const make = (style: Style) => {
    const v = new Float32Array(len);
    for (let i = 0; i < len; i++) {
      const s = shape(style, r, i, d.w);
      const x = Math.fround((nonNegative ? Math.abs(s) : s) * d.reach);
      v[i] = Number.isFinite(x) ? x : Math.sign(x) * 3.4e38;
    }
    return v;
  };
  const layout = d.nchw ? ('nchw' as const) : ('nhwc' as const);
  return [{ data: make(d.style), shape: dims, layout }, { data: make(d.style === 'noise' ? 'steps' : 'noise'), shape: dims, layout }] as const;
}

function expectLoss(r: LossResult, lo: number, hi: number, len: number) {
  expect(finiteIn(r.loss, lo, hi), `loss ${r.loss}`).toBe(true);
  for (const v of r.perSample ?? []) expect(Number.isFinite(v)).toBe(true);
  expect(r.grad!.length).toBe(len);
  for (let i = 0; i < r.grad!.length; i++) if (!Number.isFinite(r.grad![i]!)) expect.fail(`grad[${i}] is ${r.grad![i]}`);
}

function expectZeroAtIdentity(r: LossResult) {
  expect(r.loss).toBe(0);
  for (let i = 0; i < r.grad!.length; i++) if (r.grad![i] !== 0) expect.fail(`grad[${i}] is ${r.grad![i]} at identity`);
}

describe('losses on any accepted input', () => {
  const base = (d: { h: number; w: number }) => fc.record({
    size: odd(Math.min(d.h, d.w, 11)),
    window: fc.constantFrom('gaussian', 'box') as fc.Arbitrary<'gaussian' | 'box'>,
    sigma: logIn(1e-3, 1e3),
    k1: fc.option(logIn(1e-6, 1e6), { nil: undefined }),
    k2: fc.option(logIn(1e-6, 1e6), { nil: undefined }),
  });

  it('ssimLoss and dssimMaeLoss: finite loss and gradient, 0 and all-zero gradient at identity', () => {
    const draw = drawBatch.chain((d) => base(d).chain((o) => fc.record({
      alpha: fc.oneof(fc.constant(0.8), fc.double({ min: 0, max: 1e6, noNaN: true })),
      beta: fc.oneof(fc.constant(0.2), fc.double({ min: 1e-3, max: 1e6, noNaN: true })),
      l1: fc.constantFrom('plain', 'gaussian') as fc.Arbitrary<'plain' | 'gaussian'>,
      border: fc.constantFrom('valid', 'same') as fc.Arbitrary<'valid' | 'same'>,
    }).map((m) => [d, o, m] as const)));
    fc.assert(fc.property(draw, ([d, o, m]) => {
      const [p, t] = batches(d);
      const opts = { ...o, dataRange: d.dataRange, grad: true, perSample: true };
      const len = p.data.length;
      expectLoss(ssimLoss(p, t, { ...opts, border: m.border }), 0, 2, len);
      expectZeroAtIdentity(ssimLoss(p, p, { ...opts, border: m.border }));
      const { border: _, ...mix } = m;
      expectLoss(dssimMaeLoss(p, t, { ...opts, ...mix }), 0, Infinity, len);
      expectZeroAtIdentity(dssimMaeLoss(t, t, { ...opts, ...mix }));
    }), params);
  });

  it('msssimLoss: finite loss in [0, 1] and gradient, 0 and all-zero gradient at identity', () => {
    const draw = drawBatch.chain((d) => base(d).map((o) => [d, o] as const));
    fc.assert(fc.property(draw, ([d, o]) => {
      const [p, t] = batches(d);
      const opts = { ...o, dataRange: d.dataRange, grad: true, scales: 'auto' as const };
      expectLoss(msssimLoss(p, t, opts), 0, 1, p.data.length);
      expectZeroAtIdentity(msssimLoss(p, p, opts));
    }), params);
  });

  it('lwssimLoss: finite loss and gradient for any exponents, 0 and all-zero gradient at identity', () => {
    const draw = drawBatch.chain((d) => fc.record({
      levels: fc.array(odd(Math.min(d.h, d.w, 11)), { minLength: 1, maxLength: 5 }),
      alpha: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 64 }), fc.double({ min: 0, max: 64, noNaN: true })),
      beta: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 64 }), fc.double({ min: 0, max: 64, noNaN: true })),
      gamma: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 64 })),
      window: fc.constantFrom('box', 'gaussian') as fc.Arbitrary<'box' | 'gaussian'>,
      border: fc.constantFrom('valid', 'same') as fc.Arbitrary<'valid' | 'same'>,
    }).map((o) => [d, o] as const));
    fc.assert(fc.property(draw, ([d, o]) => {
      const [p, t] = batches(d, !Number.isInteger(o.alpha));
      const opts = { ...o, dataRange: d.dataRange, grad: true };
      expectLoss(lwssimLoss(p, t, opts), -1, 3, p.data.length);
      expectZeroAtIdentity(lwssimLoss(t, t, opts));
    }), params);
  });
});
