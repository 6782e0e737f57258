// The metrics. Each reads its arguments once, checks them, encodes its
// options and feeds the WebAssembly bands of rows (so memory stays bounded:
// a map, when asked, is the one plane held); the mathematics is all in crate/.
// The two images need the same width and height; they may differ in
// channels (gray against colour compares luma; alpha against none, an
// opaque alpha) and in 8/16-bit depth (compared as 16-bit): the rules are
// crate/src/pairing.rs's.

import { backend, callStream } from './backend.js';
import {
  LWSSIM_KEYS_LIST, lwssimOptions, MSSSIM_KEYS_LIST, msssimOptions, SSIM_KEYS_LIST, ssimOptions,
} from './options.js';
import { decodeFile, fileBytes, isFile, maxPixelsOption } from './decode.js';
import type { ImageInput, LwssimOptions, MsssimOptions, Result, SsimOptions } from './types.js';
import { type CheckedImage, checkMagnitude, checkPair, type Options, pairDims, readImage, readOptions } from './validate.js';

type Dims = ReturnType<typeof pairDims>;

/** One argument read: an image's properties, or a file's bytes. */
const input = (fn: string, name: string, v: unknown) => (isFile(v) ? fileBytes(fn, name, v) : readImage(fn, name, v));

/** Reads both images and the options (each property once), decodes the
 *  inputs that are files (one at a time), then checks the images, and
 *  returns what the pair compares as (its defaults' source). */
function args(fn: string, ref: unknown, img: unknown, options: unknown, keys: readonly string[]): [CheckedImage, CheckedImage, Options, Dims] {
  const r = input(fn, 'ref', ref);
  const i = input(fn, 'img', img);
  const o = readOptions(fn, options, keys);
  const maxPixels = maxPixelsOption(fn, o);
  // A full-size map (checked later; a hint here) is one large plane after
  // the decodes; the matlab preset's is on down-sampled planes.
  const thenMap = o.map === true && o.preset !== 'matlab';
  const decoded = (name: string, v: typeof r) => (v instanceof Uint8Array ? decodeFile(fn, name, v, maxPixels, undefined, thenMap) : v);
  const [a, b] = checkPair(fn, decoded('ref', r), decoded('img', i));
  return [a, b, o, pairDims(fn, a, b, o.dataRange)];
}

/**
 * SSIM of `img` against the reference `ref` (Wang et al. 2004). Defaults:
 * Gaussian 11x11 window, sigma 1.5, K1 0.01, K2 0.03, valid windows, R, G, B
 * scored separately and averaged; equal to `tf.image.ssim` and
 * scikit-image's Gaussian, population-covariance `structural_similarity`.
 * The score lies in [-1, 1]; identical images give exactly 1.
 */
export function ssim(ref: ImageInput, img: ImageInput, options?: SsimOptions): Result {
  const [a, b, o, d] = args('ssim', ref, img, options, SSIM_KEYS_LIST);
  const { abi, map, matlab, dataRange, size, border } = ssimOptions('ssim', o, d);
  checkMagnitude('ssim', [['ref', a], ['img', b]], dataRange);
  const r: Result = callStream('ssim', 'ssim', a, b, abi, map);
  return map ? placeMap(r, d.width, d.height, border === 'same' ? 0 : Math.floor(size / 2), matlab) : r;
}

/** Where a map sits on the image (what `heatmap` needs): 'valid' windows
 *  start floor(size/2) in, on the matlab preset's down-sampled plane. */
function placeMap(r: Result, width: number, height: number, offset: number, matlab: boolean): Result {
  const mapScale = matlab ? (backend('ssim') as unknown as { matlabFactor(w: number, h: number): number }).matlabFactor(width, height) : 1;
  return Object.assign(r, { width, height, mapOffsetX: offset, mapOffsetY: offset, mapScale });
}

/**
 * Multi-scale SSIM (Wang, Simoncelli, Bovik 2003) as `tf.image.ssim_multiscale`:
 * 5 scales with the standard weights, relu before each power, an odd side
 * padded by repeating its last row or column before each 2x2 average.
 * The score lies in [0, 1]; identical images give exactly 1.
 */
export function msssim(ref: ImageInput, img: ImageInput, options?: MsssimOptions): Result {
  const [a, b, o, d] = args('msssim', ref, img, options, MSSSIM_KEYS_LIST);
  const { abi, dataRange } = msssimOptions('msssim', o, d);
  checkMagnitude('msssim', [['ref', a], ['img', b]], dataRange);
  return callStream('msssim', 'msssim', a, b, abi);
}

/** Structural dissimilarity, (1 - SSIM) / 2: in [0, 1], 0 for identical images. */
export function dssim(ref: ImageInput, img: ImageInput, options?: Omit<SsimOptions, 'map'>): number {
  const [a, b, o, d] = args('dssim', ref, img, options, SSIM_KEYS_LIST.filter((k) => k !== 'map'));
  const { abi, dataRange } = ssimOptions('dssim', o, d);
  checkMagnitude('dssim', [['ref', a], ['img', b]], dataRange);
  const r = callStream('dssim', 'ssim', a, b, abi);
  return (1 - r.score) / 2;
}

/**
 * Level-weighted SSIM (Lu, AAAI 2019): (1/I) sum_i lambda_i mean(l^alpha +
 * c^beta s^gamma) over box windows of 3, 5, 7, 9 and 11. In
 * [-2 mean(lambda), 2 mean(lambda)]: exactly 2 for identical images with
 * the default weights; the loss built on it is 1 - LWSSIM / 2.
 */
export function lwssim(ref: ImageInput, img: ImageInput, options?: LwssimOptions): Result {
  const [a, b, o, d] = args('lwssim', ref, img, options, LWSSIM_KEYS_LIST);
  const { abi, dataRange } = lwssimOptions('lwssim', o, d, a, b);
  checkMagnitude('lwssim', [['ref', a], ['img', b]], dataRange);
  return callStream('lwssim', 'lwssim', a, b, abi);
}

/**
 * Bytes of WebAssembly memory the loaded build holds now. Wasm memory never
 * shrinks; ssimkit reuses it between calls, so this stays flat across calls
 * of the same size (the benchmark reports it as peak memory).
 */
export function wasmMemoryBytes(): number {
  return backend('wasmMemoryBytes').memoryBytes();
}

/**
 * Runs the loaded build's SIMD kernels against their scalar reference on
 * every tail length, inside the WebAssembly: '' when all agree bit for bit,
 * else what differed. A diagnostic (the test suite runs it on each build).
 */
export function kernelSelfTest(): string {
  return backend('kernelSelfTest').kernelSelfTest();
}
