// The metrics. Each checks its arguments, encodes its options and calls the
// WebAssembly (scores without a map feed it bands of rows, so memory stays
// bounded); the mathematics is all in crate/.

import { backend, call, callStream } from './backend.js';
import { lwssimOptions, msssimOptions, ssimOptions } from './options.js';
import type { Image, LwssimOptions, MsssimOptions, Result, SsimOptions } from './types.js';
import { checkPair } from './validate.js';

/**
 * SSIM of `img` against the reference `ref` (Wang et al. 2004). Defaults:
 * Gaussian 11x11 window, sigma 1.5, K1 0.01, K2 0.03, valid windows, R, G, B
 * scored separately and averaged; equal to `tf.image.ssim` and
 * scikit-image's Gaussian, population-covariance `structural_similarity`.
 */
export function ssim(ref: Image, img: Image, options?: SsimOptions): Result {
  const [a, b] = checkPair('ssim', ref, img);
  const { abi, map, matlab } = ssimOptions('ssim', options, a);
  if (map || matlab) return call('ssim', 'ssim', a.kind, a.data, b.data, a.width, a.height, a.channels, abi, map);
  return callStream('ssim', 'ssim', a.kind, a.data, b.data, a.width, a.height, a.channels, abi);
}

/**
 * Multi-scale SSIM (Wang, Simoncelli, Bovik 2003) as `tf.image.ssim_multiscale`:
 * 5 scales with the standard weights, relu before each power, an odd side
 * padded by repeating its last row or column before each 2x2 average.
 */
export function msssim(ref: Image, img: Image, options?: MsssimOptions): Result {
  const [a, b] = checkPair('msssim', ref, img);
  const abi = msssimOptions('msssim', options, a);
  return call('msssim', 'msssim', a.kind, a.data, b.data, a.width, a.height, a.channels, abi);
}

/** Structural dissimilarity, (1 - SSIM) / 2: 0 for identical images. */
export function dssim(ref: Image, img: Image, options?: Omit<SsimOptions, 'map'>): number {
  const [a, b] = checkPair('dssim', ref, img);
  if (options && 'map' in options) throw new TypeError("dssim: unknown option 'map' (use ssim for maps)");
  const { abi, matlab } = ssimOptions('dssim', options, a);
  const r = matlab
    ? call('dssim', 'ssim', a.kind, a.data, b.data, a.width, a.height, a.channels, abi)
    : callStream('dssim', 'ssim', a.kind, a.data, b.data, a.width, a.height, a.channels, abi);
  return (1 - r.score) / 2;
}

/**
 * Level-weighted SSIM (Lu, AAAI 2019): (1/I) sum_i lambda_i mean(l^alpha +
 * c^beta s^gamma) over box windows of 3, 5, 7, 9 and 11. 2 for identical
 * images; the loss built on it is 1 - LWSSIM / 2.
 */
export function lwssim(ref: Image, img: Image, options?: LwssimOptions): Result {
  const [a, b] = checkPair('lwssim', ref, img);
  const abi = lwssimOptions('lwssim', options, a);
  return callStream('lwssim', 'lwssim', a.kind, a.data, b.data, a.width, a.height, a.channels, abi);
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
