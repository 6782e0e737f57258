// The numeric domain of every option: the one table the TypeScript checks
// read (crate/src/domain.rs holds the same numbers for the Rust API, and a
// test holds the two to each other). Inside these ranges every score is
// finite and bounded and every gradient finite; outside them a RangeError
// names the range. The README's "Domains" table is this file.

/** [lowest, highest] accepted, both included. */
export type Range = readonly [number, number];

export const DOMAIN = {
  /** L. Below 1e-6 the pixels divided by L overflow; above 1e12 C1 and C2 do. */
  dataRange: [1e-6, 1e12],
  /** K1, K2: C = (K L)^2 must be neither 0 nor infinite. */
  k: [1e-6, 1e6],
  /** Gaussian sigma: below 1e-3 the window is a single tap; above 1e3 a box. */
  sigma: [1e-3, 1e3],
  /** Gaussian window sides: a Gaussian costs n multiplications per pixel
   *  (an 8191-tap one on an 8K image would run for hours); a box costs the
   *  same at any size and is bounded only by the image. */
  gaussianSize: [1, 255],
  /** LWSSIM levels and their lambda_i. */
  lwssimLevels: [1, 32],
  lwssimWeight: [0, 1e6],
  /** LWSSIM exponents alpha, beta, gamma (gamma an integer). */
  exponent: [0, 64],
  /** MS-SSIM: number of explicit weights (exponents), and each weight. */
  msssimScales: [1, 16],
  msssimWeight: [0, 64],
  /** DSSIM+MAE's alpha and beta. */
  mix: [0, 1e6],
  /** init({ threads }). */
  threads: [1, 64],
} as const satisfies Record<string, Range>;

/** Largest image accepted (pixels): above an 8K frame, within wasm32's 4 GiB. */
export const MAX_PIXELS = 2 ** 26;

/**
 * Float (and integer) pixels of a metric must lie within +-64 L: beyond
 * that the data range is almost certainly wrong (0-255 or 0-65535 data in
 * a Float32Array with the default L = 1), and the score would mean nothing.
 * Losses accept any finite value: a network's early outputs can be wild.
 */
export const MAX_PIXEL_OVER_RANGE = 64;

/** Arrays in options (levels, weights) longer than this are refused unread. */
export const MAX_OPTION_ARRAY = 1024;
