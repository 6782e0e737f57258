/** Pixel arrays ssimkit reads. `Uint8ClampedArray` covers DOM `ImageData`. */
export type PixelData = Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array;

/**
 * An image: interleaved, row-major pixels. `channels` (1, 2, 3 or 4)
 * defaults to `data.length / (width * height)`. A DOM `ImageData` is one.
 */
export interface Image {
  data: PixelData;
  width: number;
  height: number;
  channels?: number;
}

/**
 * What a metric compares: decoded pixels, or an encoded PNG, JPEG or WebP
 * file (its bytes; a Node Buffer is a Uint8Array), decoded inside the
 * module first. A `Uint8ClampedArray` is never a file.
 */
export type ImageInput = Image | Uint8Array | ArrayBuffer;

/** Options of `decode`, and of every metric for its encoded inputs. */
export interface DecodeOptions {
  /** The most pixels (width x height) a file may have, read from its header
   *  before anything is allocated: an integer from 1 to 2^26 (the default,
   *  the most the metrics take). */
  maxPixels?: number;
}

/** A decoded file: an ordinary image, samples as the file stores them. */
export interface DecodedImage {
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  format: 'png' | 'jpeg' | 'webp';
  bitDepth: 8 | 16;
}

/** Options every metric shares. */
export interface CommonOptions {
  /** K1 of C1 = (K1 L)^2. Default 0.01. */
  k1?: number;
  /** K2 of C2 = (K2 L)^2. Default 0.03. */
  k2?: number;
  /** L: 255 for 8-bit, 65535 for 16-bit, 1 for Float32Array unless given.
   *  An 8-bit image against a 16-bit one compares as 16-bit (8-bit v read
   *  as 257 v) with L = 65535, and then dataRange cannot be given. */
  dataRange?: number;
  /** 'rgb' (default): R, G, B compared separately and averaged;
   *  'luma': Y = 0.299 R + 0.587 G + 0.114 B (unrounded) compared once.
   *  A gray image (1 or 2 channels) against a colour one is always compared
   *  with the colour image's luma. */
  color?: 'rgb' | 'luma';
  /** Also compare the alpha channel (of 2- or 4-channel images) as one more
   *  channel in the mean; an image without alpha against one with it counts
   *  as opaque (alpha = the data range L). Default false: alpha is ignored. */
  includeAlpha?: boolean;
}

export interface SsimOptions extends CommonOptions, DecodeOptions {
  /** Sets defaults the way a peer does: 'matlab' = ssim.m on MATLAB's rgb2gray
   *  with its automatic down-sampling (as ssim.js 'original');
   *  'skimage' = structural_similarity's defaults (7x7 box, sample covariance). */
  preset?: 'matlab' | 'skimage';
  /** 'gaussian' (default) or 'box'. */
  window?: 'gaussian' | 'box';
  /** Window side, odd. Default 11 (7 for the skimage preset). */
  size?: number;
  /** Gaussian sigma. Default 1.5. */
  sigma?: number;
  /** 'valid' (default): windows wholly inside the image; 'same': reflect
   *  padding (scipy's 'reflect', d c b a | a b c d), map as large as the image. */
  border?: 'valid' | 'same';
  /** 'population' (default) or 'sample' (variances scaled by N/(N-1)). */
  covariance?: 'population' | 'sample';
  /** Return the SSIM map (mean over the compared channels). Default false. */
  map?: boolean;
}

export interface MsssimOptions extends CommonOptions, DecodeOptions {
  window?: 'gaussian' | 'box';
  size?: number;
  sigma?: number;
  /** Number of scales (1..5, default 5): the standard weights, as published
   *  for 5, renormalised to sum to 1 for fewer; or 'auto': as many as the
   *  image holds (so on an image that holds 5, the default call). */
  scales?: number | 'auto';
  /** Explicit per-scale weights, finest first (overrides `scales`). */
  weights?: number[];
}

export interface LwssimOptions extends CommonOptions, DecodeOptions {
  /** Window sides of the levels. Default [3, 5, 7, 9, 11]. */
  levels?: number[];
  /** lambda_i per level. Default all 1. */
  weights?: number[];
  /** 'box' (default) or 'gaussian' (sigma = 1.5 * size / 11 unless `sigma`). */
  window?: 'box' | 'gaussian';
  /** Gaussian sigma for every level (window: 'gaussian' only). */
  sigma?: number;
  /** Exponent of l. Default 1. */
  alpha?: number;
  /** Exponent of c. Default 1. */
  beta?: number;
  /** Exponent of s (an integer: s can be negative). Default 1. */
  gamma?: number;
  border?: 'valid' | 'same';
}

/** A score, its per-channel parts and, with `map: true`, the map. */
export interface Result {
  score: number;
  channels: number[];
  map?: Float32Array;
  mapWidth?: number;
  mapHeight?: number;
  /** With the map: the width and height of the images scored. */
  width?: number;
  height?: number;
  /** With the map: where it sits on the image (README "Where a map sits on
   *  the image"). Map pixel (x, y) is the window centred on image pixel
   *  ((x + mapOffsetX) * mapScale, (y + mapOffsetY) * mapScale): the offset
   *  is floor(size/2) for 'valid', 0 for 'same'; mapScale is 1, or the
   *  matlab preset's down-sampling factor f (a map pixel then stands for an
   *  f x f block starting floor(f/2) pixels before that pixel). */
  mapOffsetX?: number;
  mapOffsetY?: number;
  mapScale?: number;
}

/** Options of `heatmap`. */
export interface HeatmapOptions {
  /** The map value drawn darkest (and everything below it). Default 0. */
  min?: number;
  /** The map value drawn lightest (and everything above it). Default 1:
   *  identical windows. */
  max?: number;
  /** Alpha of the map's pixels, 0 to 1, for drawing over the image.
   *  Default 1. The frame outside the map is always transparent. */
  opacity?: number;
}

/** RGBA pixels as large as the scored image; `data` can make an ImageData,
 *  and `encodePng` writes it. */
export interface HeatmapImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
  channels: 4;
}

/** What `init()` loaded. */
export interface InitInfo {
  /** The build in use: 'simd' (single-threaded SIMD128), 'threads'
   *  (SIMD128 and atomics on a shared memory, with a pool of workers) or
   *  'scalar' (no SIMD128: hosts without it, or `simd: false`). All three
   *  give the same bits. */
  build: 'simd' | 'threads' | 'scalar';
  simd: boolean;
  /** Threads in the pool that runs the kernels: 1 with the simd build. */
  threads: number;
  runtime: 'node' | 'deno' | 'browser' | 'workerd' | 'edge-light';
  /** Features compiled into the module, e.g. ['simd128'] or ['simd128', 'atomics']. */
  features: string[];
  /**
   * Present only when this context could run a faster build than the one
   * in use: why. The default init() in a context that may block (Node,
   * Deno, a Web Worker) that runs on one thread: the page is not
   * cross-origin isolated, the host has no SharedArrayBuffer, the threaded
   * build's files are not served beside the bundle, the pool did not start
   * within 10 s, or a pool thread failed later and ssimkit switched to the
   * simd build; or a host without SIMD128 running the scalar build. Absent
   * where one thread is the design (a page's main thread, workerd, Vercel
   * Edge) or was asked for. Results are the same bits either way. Read it
   * from a later `await init()` too.
   */
  fallback?: string;
  /**
   * Present (true) only in what the default init() resolves to where it
   * starts a pool: `build` and `threads` name the pool being started, and
   * until all its threads run, calls run on the simd build (one thread, the
   * same bits, synchronous as ever; `threadsUsed()` returns 1). init()
   * does not wait for the workers (they take 60-150 ms in Node). A later
   * `await init()` resolves once the pool has settled, with the InitInfo
   * of what then runs: the pool (no `starting`), or the simd build with
   * `fallback` when the pool could not start. `init({ threads: n })` waits
   * for its pool and never has `starting`.
   */
  starting?: true;
}

/** A compiled module, its bytes, or where to fetch them. */
export type WasmSource = WebAssembly.Module | BufferSource | Response | URL | string;

export interface InitOptions {
  /**
   * Bring your own wasm: a single-threaded build's module, its bytes, a
   * Response or a URL: `ssimkit/simd.wasm` (or `ssimkit/scalar.wasm` for
   * hosts without SIMD128), e.g. on Vercel Edge
   * `import wasm from 'ssimkit/simd.wasm?module'`. Implies one thread.
   */
  module?: WasmSource | Promise<WasmSource>;
  /**
   * false loads the scalar build (no SIMD128: what hosts without it get on
   * their own; same results, slower), to test that path. true requires
   * SIMD128 (an Error where the host has none). Default: SIMD128 where the
   * host has it.
   */
  simd?: boolean;
  /**
   * Threads for the kernels (an integer, 1 to 64). Default: the host's
   * parallelism (os.availableParallelism(), navigator.hardwareConcurrency),
   * at most 8, where the context can block on a pool (Node, Deno, a
   * dedicated Web Worker of a cross-origin-isolated page), else 1.
   * 1 loads the single-threaded simd build; n > 1 the threaded build with a
   * pool of n workers, started before init() resolves (the default init()
   * starts its pool behind it: InitInfo.starting), and is an error
   * where threads cannot run (a page's main thread, workerd, Vercel Edge,
   * a page that is not cross-origin isolated) or when the pool does not
   * start within 10 s (the default then falls back to the simd build and
   * says why in InitInfo.fallback). Chosen once per realm: a later init()
   * asking for another count is an Error. Results are the same bits with
   * any number of threads.
   */
  threads?: number;
}

/** A batch of float images for the losses: NHWC (TensorFlow.js order) by
 *  default, or `layout: 'nchw'` (PyTorch / ONNX order, shape [n, c, h, w]). */
export interface Batch {
  data: Float32Array;
  shape: [number, number, number, number];
  layout?: 'nhwc' | 'nchw';
}

/** A loss input: a batch, or one float image (a batch of one, NHWC). */
export type LossInput = Batch | (Image & { data: Float32Array });

export interface LossOptions {
  /** Return the gradient with respect to the prediction. Default false. */
  grad?: boolean;
  /** Return each sample's loss too. Default false. */
  perSample?: boolean;
  /** L. Default 1 (float data in [0, 1]); 255 for 0..255 floats. */
  dataRange?: number;
  k1?: number;
  k2?: number;
  window?: 'gaussian' | 'box';
  size?: number;
  sigma?: number;
}

export interface SsimLossOptions extends LossOptions {
  border?: 'valid' | 'same';
  covariance?: 'population' | 'sample';
}

export interface MsssimLossOptions extends LossOptions {
  scales?: number | 'auto';
  weights?: number[];
}

export interface DssimMaeLossOptions extends LossOptions {
  /** Weight of (1 - S). Default 0.8. */
  alpha?: number;
  /** Weight of the L1 term (divided by L). Default 0.2. */
  beta?: number;
  /** S: 'ssim' (default) or 'msssim' (Zhao et al. 2017; there alpha = 0.84). */
  structure?: 'ssim' | 'msssim';
  /** 'plain' (default): the mean absolute error; 'gaussian': |pred - target|
   *  weighted by the structural window and averaged over its positions. */
  l1?: 'plain' | 'gaussian';
  /** MS-SSIM scales / weights (structure: 'msssim'). */
  scales?: number | 'auto';
  weights?: number[];
}

export interface LwssimLossOptions extends Omit<LossOptions, 'window'> {
  levels?: number[];
  weights?: number[];
  window?: 'box' | 'gaussian';
  alpha?: number;
  beta?: number;
  gamma?: number;
  border?: 'valid' | 'same';
}

export interface LossResult {
  /** The mean over the batch. */
  loss: number;
  /** With `perSample: true`. */
  perSample?: number[];
  /** With `grad: true`: d(loss)/d(pred), same length and layout as pred.data. */
  grad?: Float32Array;
}
