// Option defaults, presets and their encoding for the WebAssembly call.
// The layout of the Float64Array mirrors crate/src/wasm.rs (the one other
// place it is written down): head = [window, size, sigma, k1, k2, L, color,
// alpha, border], then the metric's own fields.

import { DOMAIN } from './domain.js';
import {
  given, bool, type CheckedImage, describe, inRange, nonNegative, numberArray, oneOf, type Options, windowSize,
} from './validate.js';

/** MS-SSIM weights of Wang, Simoncelli and Bovik (2003), finest scale first. */
export const MSSSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] as const;

const DEFAULT_RANGE = { u8: 255, u16: 65535, f32: 1 } as const;

/** What option checks need to know of the images. */
export type Dims = Pick<CheckedImage, 'width' | 'height' | 'kind'>;
const COMMON = ['k1', 'k2', 'dataRange', 'color', 'includeAlpha'] as const;
// Options of the metrics' encoded inputs (ts/decode.ts).
const FILE = ['maxPixels'] as const;

export interface Head {
  window: 'gaussian' | 'box';
  size: number;
  sigma: number;
  k1: number;
  k2: number;
  dataRange: number;
  color: 'rgb' | 'luma';
  includeAlpha: boolean;
  border: 'valid' | 'same';
}

export function head(fn: string, o: Options, img: Dims, d: { window: Head['window']; size: number }): Head {
  const window = o.window === undefined ? d.window : oneOf(fn, 'window', o.window, ['gaussian', 'box'] as const);
  const size = windowSize(fn, 'size', given(o.size, d.size), img, window === 'gaussian');
  return {
    window,
    size,
    sigma: inRange(fn, 'sigma', given(o.sigma, 1.5), DOMAIN.sigma),
    k1: inRange(fn, 'k1', given(o.k1, 0.01), DOMAIN.k),
    k2: inRange(fn, 'k2', given(o.k2, 0.03), DOMAIN.k),
    dataRange: inRange(fn, 'dataRange', given(o.dataRange, DEFAULT_RANGE[img.kind]), DOMAIN.dataRange),
    color: o.color === undefined ? 'rgb' : oneOf(fn, 'color', o.color, ['rgb', 'luma'] as const),
    includeAlpha: o.includeAlpha === undefined ? false : bool(fn, 'includeAlpha', o.includeAlpha),
    border: o.border === undefined ? 'valid' : oneOf(fn, 'border', o.border, ['valid', 'same'] as const),
  };
}

function encodeHead(h: Head): number[] {
  return [h.window === 'box' ? 1 : 0, h.size, h.sigma, h.k1, h.k2, h.dataRange, h.color === 'luma' ? 1 : 0,
    h.includeAlpha ? 1 : 0, h.border === 'same' ? 1 : 0];
}

const SSIM_KEYS = [...COMMON, ...FILE, 'preset', 'window', 'size', 'sigma', 'border', 'covariance', 'map'] as const;
// What the matlab preset fixes (ssim.m has no such knobs).
const MATLAB_FIXED = ['window', 'size', 'sigma', 'border', 'covariance', 'color', 'includeAlpha'] as const;

export const SSIM_KEYS_LIST: readonly string[] = SSIM_KEYS;

export function ssimOptions(fn: string, o: Options, img: Dims): {
  abi: Float64Array; map: boolean; matlab: boolean; dataRange: number; size: number; border: 'valid' | 'same';
} {
  const preset = o.preset === undefined ? undefined : oneOf(fn, 'preset', o.preset, ['matlab', 'skimage'] as const);
  if (preset === 'matlab') {
    const fixed = MATLAB_FIXED.filter((k) => o[k] !== undefined);
    if (fixed.length) {
      throw new RangeError(`${fn}: preset 'matlab' fixes ${fixed.join(', ')} (ssim.m: gray, Gaussian 11/1.5, valid); drop them or drop the preset`);
    }
  }
  const skimage = preset === 'skimage';
  const h = head(fn, o, img, { window: skimage ? 'box' : 'gaussian', size: skimage ? 7 : 11 });
  const covariance = o.covariance === undefined
    ? (skimage ? 'sample' : 'population')
    : oneOf(fn, 'covariance', o.covariance, ['population', 'sample'] as const);
  if (covariance === 'sample' && h.size === 1) {
    throw new RangeError(`${fn}: covariance 'sample' divides by N - 1, which a 1x1 window makes 0; use a larger window or 'population'`);
  }
  const map = o.map === undefined ? false : bool(fn, 'map', o.map);
  return {
    abi: new Float64Array([...encodeHead(h), covariance === 'sample' ? 1 : 0, preset === 'matlab' ? 1 : 0, map ? 1 : 0]),
    map,
    matlab: preset === 'matlab',
    dataRange: h.dataRange,
    size: h.size,
    border: h.border,
  };
}

/**
 * How many scales fit: the coarsest must still hold one window. A 1x1
 * window fits every halving (1 halves to 1), so the count stops at the
 * most scales any weights can ask for.
 */
export function maxScales(width: number, height: number, size: number): number {
  let n = 0;
  for (let w = width, h = height; w >= size && h >= size && n < DOMAIN.msssimScales[1]; w = Math.ceil(w / 2), h = Math.ceil(h / 2)) n++;
  return n;
}


/**
 * The standard weights of `n` scales, as crate/src/msssim.rs's
 * `standard_weights`: all five as published (they sum to 1.0001, as
 * TensorFlow uses them), fewer renormalised to sum to 1. So 'auto' on an
 * image that holds five scales is the default call, bit for bit.
 */
export function standardWeights(n: number): number[] {
  const w = MSSSIM_WEIGHTS.slice(0, n);
  if (n >= MSSSIM_WEIGHTS.length) return [...w];
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
}

/**
 * MS-SSIM's per-scale weights from `scales` / `weights`, checked against
 * what the image holds; [] means 'auto' (the module picks: `standardWeights`
 * of as many scales as fit).
 */
export function msssimWeights(fn: string, o: Options, img: Dims, size: number): number[] {
  const fit = maxScales(img.width, img.height, size);
  let weights: number[];
  if (o.weights !== undefined) {
    weights = numberArray(fn, 'weights', o.weights, DOMAIN.msssimScales, (x, what) => inRange(fn, what, x, DOMAIN.msssimWeight));
    if (weights.every((w) => w === 0)) throw new RangeError(`${fn}: weights must not all be 0 (the score would be 1 whatever the images)`);
    if (o.scales !== undefined && o.scales !== weights.length) {
      throw new RangeError(`${fn}: scales (${describe(o.scales)}) and weights (${weights.length} entries) disagree`);
    }
  } else if (o.scales === 'auto') {
    if (fit === 0) throw new RangeError(`${fn}: a ${size}x${size} window does not fit a ${img.width}x${img.height} image`);
    return [];
  } else {
    if (o.scales !== undefined && typeof o.scales !== 'number') {
      throw new TypeError(`${fn}: scales must be an integer from 1 to 5 or 'auto', got ${describe(o.scales)}`);
    }
    const n = (given(o.scales, 5)) as number;
    if (!(Number.isInteger(n) && n >= 1 && n <= 5)) throw new RangeError(`${fn}: scales must be an integer from 1 to 5 or 'auto', got ${n}`);
    weights = standardWeights(n);
  }
  if (weights.length > fit) {
    throw new RangeError(
      `${fn}: a ${img.width}x${img.height} image is too small for ${weights.length} MS-SSIM scales with a ${size}x${size} window ` +
        `(each scale halves the image and the coarsest must still hold one window; it fits ${fit}). ` +
        `Pass scales: 'auto' to use as many as fit, with their weights renormalised.`,
    );
  }
  return weights;
}

const MSSSIM_KEYS = [...COMMON, ...FILE, 'window', 'size', 'sigma', 'scales', 'weights'] as const;

export const MSSSIM_KEYS_LIST: readonly string[] = MSSSIM_KEYS;

export function msssimOptions(fn: string, o: Options, img: Dims): { abi: Float64Array; dataRange: number } {
  const h = head(fn, o, img, { window: 'gaussian', size: 11 });
  const weights = msssimWeights(fn, o, img, h.size);
  return { abi: new Float64Array([...encodeHead(h), weights.length, ...weights]), dataRange: h.dataRange };
}


/**
 * LWSSIM's levels and exponents, checked; `per` is (size, sigma, lambda)
 * per level. `images` are both images (or batches): a non-integer alpha
 * needs both non-negative, whichever order they come in.
 */
export function lwssimLevels(fn: string, o: Options, img: Dims, images: [string, { data: CheckedImage['data']; kind: CheckedImage['kind'] }][]): { head: Head; exps: number[]; per: number[] } {
  const levels = o.levels === undefined
    ? [3, 5, 7, 9, 11]
    : numberArray(fn, 'levels', o.levels, DOMAIN.lwssimLevels, (n, what) => windowSize(fn, what, n, img, o.window === 'gaussian'));
  const weights = o.weights === undefined
    ? levels.map(() => 1)
    : numberArray(fn, 'weights', o.weights, [levels.length, levels.length], (x, what) => inRange(fn, what, x, DOMAIN.lwssimWeight));
  if (weights.every((w) => w === 0)) throw new RangeError(`${fn}: weights must not all be 0 (the score would be 0 whatever the images)`);
  const a = inRange(fn, 'alpha', given(o.alpha, 1), DOMAIN.exponent);
  const b = inRange(fn, 'beta', given(o.beta, 1), DOMAIN.exponent);
  if (typeof o.gamma === 'number' && !Number.isInteger(o.gamma) && Number.isFinite(o.gamma)) {
    throw new RangeError(`${fn}: gamma must be an integer from 0 to 64, got ${o.gamma} ` +
      '(s = (sxy + C3)/(sx sy + C3) can be negative, and a negative number has no real non-integer power)');
  }
  const g = inRange(fn, 'gamma', given(o.gamma, 1), DOMAIN.exponent, true);
  const h = head(fn, { ...o, size: Math.min(...levels) }, img, { window: 'box', size: 3 });
  if (!Number.isInteger(a)) {
    // l < 0 needs means of opposite sign, possible only with negative pixels.
    for (const [name, im] of images) {
      if (!nonNegative(im)) throw new RangeError(`${fn}: alpha ${a} is not an integer and ${name} has negative values, where l can be negative (a negative number has no real non-integer power)`);
    }
  }
  const sigmaGiven = o.sigma !== undefined;
  const per = levels.flatMap((n, i) => [n, sigmaGiven ? h.sigma : (1.5 * n) / 11, weights[i]!]);
  return { head: h, exps: [a, b, g], per };
}

const LWSSIM_KEYS = [...COMMON, ...FILE, 'levels', 'weights', 'window', 'sigma', 'alpha', 'beta', 'gamma', 'border'] as const;

export const LWSSIM_KEYS_LIST: readonly string[] = LWSSIM_KEYS;

/** `img`: what the pair compares as (see validate.ts's pairDims). */
export function lwssimOptions(fn: string, o: Options, img: Dims, a: CheckedImage, b: CheckedImage): { abi: Float64Array; dataRange: number } {
  const { head: h, exps, per } = lwssimLevels(fn, o, img, [['ref', a], ['img', b]]);
  return { abi: new Float64Array([...encodeHead(h), ...exps, per.length / 3, ...per]), dataRange: h.dataRange };
}
