// The structural losses. They take the prediction first and the target
// second, check both, and make one call into the WebAssembly, which returns
// the batch-mean loss and, when asked, its gradient in the input's layout.

import { backend, guard, Op, reserve } from './backend.js';
import { DOMAIN, MAX_PIXELS } from './domain.js';
import { type Dims, head, lwssimLevels, maxScales, msssimWeights, standardWeights } from './options.js';
import type {
  Batch, DssimMaeLossOptions, LossInput, LossResult, LwssimLossOptions, MsssimLossOptions, SsimLossOptions,
} from './types.js';
import {
  bool, checkFinite, freshView, given, describe, inRange, oneOf, type Options, positiveInt, readOptions, realLength, typedArrayTag,
} from './validate.js';

interface CheckedBatch {
  data: Float32Array;
  n: number; h: number; w: number; c: number;
  layout: 'nhwc' | 'nchw';
}

/** A loss argument's properties, each read once (the shape copied). */
interface RawBatch { data: unknown; shape: unknown; layout: unknown; width: unknown; height: unknown; channels: unknown }

function readBatch(fn: string, name: string, v: unknown): RawBatch {
  if (typeof v !== 'object' || v === null || typedArrayTag(v) !== undefined) {
    throw new TypeError(`${fn}: ${name} must be a batch { data, shape } or a float image { data, width, height }, got ${describe(v)}`);
  }
  const b = v as Record<string, unknown>;
  // A short shape is copied (its elements read once); a long one is an
  // error anyway, and its length is all the message reads.
  const shape = Array.isArray(b.shape) && b.shape.length <= 8 ? Array.from(b.shape as unknown[]) : b.shape;
  return { data: b.data, shape, layout: b.layout, width: b.width, height: b.height, channels: b.channels };
}

function checkBatch(fn: string, name: string, b: RawBatch): CheckedBatch {
  if (typedArrayTag(b.data) !== 'Float32Array') {
    throw new TypeError(`${fn}: ${name}.data must be a Float32Array (losses train on floats; for 8-bit data use Float32Array.from(data) and dataRange: 255), got ${describe(b.data)}`);
  }
  const length = realLength(b.data as Float32Array);
  let dims: number[], layout: 'nhwc' | 'nchw';
  if (b.shape !== undefined) {
    if (!Array.isArray(b.shape) || b.shape.length !== 4) {
      throw new TypeError(`${fn}: ${name}.shape must be an array of 4 sizes, [n, h, w, c] (or [n, c, h, w] with layout 'nchw'), got ${describe(b.shape)}`);
    }
    const shape = b.shape.map((d, i) => positiveInt(fn, `${name}.shape[${i}]`, d)) as [number, number, number, number];
    layout = b.layout === undefined ? 'nhwc' : oneOf(fn, `${name}.layout`, b.layout, ['nhwc', 'nchw'] as const);
    dims = layout === 'nhwc' ? [...shape] : [shape[0], shape[2], shape[3], shape[1]];
  } else {
    if (b.layout !== undefined) throw new TypeError(`${fn}: ${name}.layout needs a shape`);
    const w = positiveInt(fn, `${name}.width`, b.width);
    const h = positiveInt(fn, `${name}.height`, b.height);
    const c = b.channels === undefined ? length / (w * h) : positiveInt(fn, `${name}.channels`, b.channels);
    if (!Number.isInteger(c) || c < 1) throw new RangeError(`${fn}: ${name}.data holds ${length} values, not whole pixels of a ${w}x${h} image`);
    dims = [1, h, w, c];
    layout = 'nhwc';
  }
  const [n, h, w, c] = dims as [number, number, number, number];
  const described = b.shape !== undefined ? `[${(b.shape as number[]).join(', ')}] (${layout})` : `${w}x${h}x${c}`;
  if (h * w > MAX_PIXELS) throw new RangeError(`${fn}: ${name} images are ${w}x${h}; at most ${MAX_PIXELS} pixels are supported`);
  if (n * h * w * c !== length) {
    throw new RangeError(`${fn}: ${name} is ${described} = ${n * h * w * c} values but data holds ${length}`);
  }
  // A fresh view: the wasm glue reads `.length`, which the caller's array may redefine.
  const data = freshView('f32', b.data as Float32Array, length) as Float32Array;
  checkFinite(fn, `${name}.data`, data);
  return { data, n, h, w, c, layout };
}

/** Reads both arguments and the options (each once), then checks the arguments. */
function args(fn: string, pred: unknown, target: unknown, options: unknown, keys: readonly string[]): [CheckedBatch, CheckedBatch, Options] {
  const rp = readBatch(fn, 'pred', pred), rt = readBatch(fn, 'target', target);
  const o = readOptions(fn, options, keys);
  const p = checkBatch(fn, 'pred', rp), t = checkBatch(fn, 'target', rt);
  if (p.layout !== t.layout) throw new RangeError(`${fn}: pred is ${p.layout} but target is ${t.layout}`);
  if (p.n !== t.n || p.h !== t.h || p.w !== t.w || p.c !== t.c) {
    throw new RangeError(`${fn}: pred is ${p.n}x${p.h}x${p.w}x${p.c} but target is ${t.n}x${t.h}x${t.w}x${t.c} (n x h x w x c)`);
  }
  return [p, t, o];
}

const BASE = ['grad', 'perSample', 'dataRange', 'k1', 'k2', 'window', 'size', 'sigma'] as const;
const DSSIM_MAE_KEYS = [...BASE, 'alpha', 'beta', 'structure', 'l1', 'scales', 'weights'];
type Kind = 0 | 1 | 2 | 3;

/** [kind, window, size, sigma, k1, k2, L, border, sample covariance]: crate/src/wasm.rs. */
function lossHead(fn: string, kind: Kind, o: Options, dims: Dims, defaults: { window: 'gaussian' | 'box'; size: number }) {
  const h = head(fn, o, dims, defaults);
  const sample = o.covariance === undefined ? false : oneOf(fn, 'covariance', o.covariance, ['population', 'sample'] as const) === 'sample';
  if (sample && h.size === 1) {
    throw new RangeError(`${fn}: covariance 'sample' divides by N - 1, which a 1x1 window makes 0; use a larger window or 'population'`);
  }
  return { h, abi: [kind, h.window === 'box' ? 1 : 0, h.size, h.sigma, h.k1, h.k2, h.dataRange, h.border === 'same' ? 1 : 0, sample ? 1 : 0] };
}

function run(fn: string, p: CheckedBatch, t: CheckedBatch, o: Options, abi: number[]): LossResult {
  const grad = o.grad === undefined ? false : bool(fn, 'grad', o.grad);
  const perSample = o.perSample === undefined ? false : bool(fn, 'perSample', o.perSample);
  const options = new Float64Array(abi);
  reserve(fn, Op.Loss, 'f32', p.w, p.h, p.c, p.n, options, grad);
  const b = backend(fn);
  return guard(fn, () => {
    const out = b.batchLoss(p.data, t.data, p.n, p.h, p.w, p.c, p.layout === 'nchw', options, grad);
    try {
      const r: LossResult = { loss: out.loss };
      if (perSample) r.perSample = Array.from(out.perSample);
      if (grad) r.grad = out.takeGrad();
      return r;
    } finally {
      out.free();
    }
  });
}

const dimsOf = (b: CheckedBatch): Dims => ({ width: b.w, height: b.h, kind: 'f32' });

/** 1 - SSIM, the batch mean; with `grad: true`, d(loss)/d(pred). */
export function ssimLoss(pred: LossInput, target: LossInput, options?: SsimLossOptions): LossResult {
  const fn = 'ssimLoss';
  const [p, t, o] = args(fn, pred, target, options, [...BASE, 'border', 'covariance']);
  const { abi } = lossHead(fn, 0, o, dimsOf(p), { window: 'gaussian', size: 11 });
  return run(fn, p, t, o, abi);
}

/** 1 - MS-SSIM (TensorFlow's rules), the batch mean; relu'd scales get the subgradient 0. */
export function msssimLoss(pred: LossInput, target: LossInput, options?: MsssimLossOptions): LossResult {
  const fn = 'msssimLoss';
  const [p, t, o] = args(fn, pred, target, options, [...BASE, 'scales', 'weights']);
  const { h, abi } = lossHead(fn, 1, o, dimsOf(p), { window: 'gaussian', size: 11 });
  const w = autoWeights(msssimWeights(fn, o, dimsOf(p), h.size), p, h.size);
  return run(fn, p, t, o, [...abi, w.length, ...w]);
}

/** 'auto' resolved here: the loss ABI takes explicit weights. */
function autoWeights(w: number[], p: CheckedBatch, size: number): number[] {
  if (w.length) return w;
  return standardWeights(maxScales(p.w, p.h, size));
}

/**
 * alpha (1 - S) + beta L1 / L: 0.8 / 0.2 by default (the TensorFlow form on
 * [0, 1] data); `{ alpha: 0.5, beta: 0.5, dataRange: 255 }` is the
 * normalised 8-bit form; `{ structure: 'msssim', l1: 'gaussian', alpha: 0.84,
 * beta: 0.16 }` is Zhao et al.'s mix.
 */
export function dssimMaeLoss(pred: LossInput, target: LossInput, options?: DssimMaeLossOptions): LossResult {
  const fn = 'dssimMaeLoss';
  const [p, t, o] = args(fn, pred, target, options, DSSIM_MAE_KEYS);
  const { h, abi } = lossHead(fn, 2, o, dimsOf(p), { window: 'gaussian', size: 11 });
  const alpha = inRange(fn, 'alpha', given(o.alpha, 0.8), DOMAIN.mix);
  const beta = inRange(fn, 'beta', given(o.beta, 0.2), DOMAIN.mix);
  if (alpha === 0 && beta === 0) throw new RangeError(`${fn}: alpha and beta must not both be 0 (the loss would be 0 whatever the images)`);
  const structure = o.structure === undefined ? 'ssim' : oneOf(fn, 'structure', o.structure, ['ssim', 'msssim'] as const);
  const l1 = o.l1 === undefined ? 'plain' : oneOf(fn, 'l1', o.l1, ['plain', 'gaussian'] as const);
  if (structure === 'ssim' && (o.scales !== undefined || o.weights !== undefined)) {
    throw new TypeError(`${fn}: scales and weights apply to structure: 'msssim'`);
  }
  const w = structure === 'msssim' ? autoWeights(msssimWeights(fn, o, dimsOf(p), h.size), p, h.size) : [];
  return run(fn, p, t, o, [...abi, structure === 'msssim' ? 1 : 0, alpha, beta, l1 === 'gaussian' ? 1 : 0, w.length, ...w]);
}

/** 1 - LWSSIM / 2 (0 at equality with the default weights). */
export function lwssimLoss(pred: LossInput, target: LossInput, options?: LwssimLossOptions): LossResult {
  const fn = 'lwssimLoss';
  const [p, t, o] = args(fn, pred, target, options, ['grad', 'perSample', 'dataRange', 'k1', 'k2', 'levels', 'weights', 'window', 'sigma', 'alpha', 'beta', 'gamma', 'border']);
  const { head: h, exps, per } = lwssimLevels(fn, o, dimsOf(p), [['pred', { data: p.data, kind: 'f32' }], ['target', { data: t.data, kind: 'f32' }]]);
  const abi = [3, h.window === 'box' ? 1 : 0, h.size, h.sigma, h.k1, h.k2, h.dataRange, h.border === 'same' ? 1 : 0, 0];
  return run(fn, p, t, o, [...abi, ...exps, per.length / 3, ...per]);
}

/**
 * The phased schedule of the DSSIM+MAE article: MAE alone (alpha 0, beta 1)
 * for the first `maeSteps` steps, then the mix. Call it with the step number
 * from your training loop.
 */
export function phasedDssimMae(schedule: { maeSteps: number } & DssimMaeLossOptions) {
  const fn = 'phasedDssimMae';
  const { maeSteps, ...mix } = readOptions(fn, schedule, ['maeSteps', ...DSSIM_MAE_KEYS.filter((k) => k !== 'grad' && k !== 'perSample')]);
  if (maeSteps === undefined) throw new TypeError(`${fn}: maeSteps must be given (the steps of MAE alone before the mix)`);
  inRange(fn, 'maeSteps', maeSteps, [0, Number.MAX_SAFE_INTEGER], true);
  return (pred: LossInput, target: LossInput, step: number, options?: Pick<DssimMaeLossOptions, 'grad' | 'perSample'>): LossResult => {
    inRange(fn, 'step', step, [0, Number.MAX_SAFE_INTEGER], true);
    // Only grad and perSample may be given per call: the schedule owns the mix.
    const per = readOptions(fn, options, ['grad', 'perSample']);
    const phase = step < (maeSteps as number) ? { ...mix, alpha: 0, beta: 1 } : mix;
    return dssimMaeLoss(pred, target, { ...phase, ...per } as DssimMaeLossOptions);
  };
}
