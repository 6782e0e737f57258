// The loaded WebAssembly build. Each build's wasm-bindgen glue exports the
// same functions; init() puts one of them here and the API calls through it.

import type { PixelKind } from './validate.js';

/** What every build's glue returns from a metric call. */
export interface WasmOutput {
  readonly score: number;
  readonly channels: Float64Array;
  readonly mapWidth: number;
  readonly mapHeight: number;
  takeMap(): Float32Array | undefined;
  free(): void;
}

type Metric = (x: any, y: any, width: number, height: number, channels: number, options: Float64Array) => WasmOutput;

export interface Backend {
  ssim_u8: Metric; ssim_u16: Metric; ssim_f32: Metric;
  msssim_u8: Metric; msssim_u16: Metric; msssim_f32: Metric;
  lwssim_u8: Metric; lwssim_u16: Metric; lwssim_f32: Metric;
  batchLoss(pred: Float32Array, target: Float32Array, n: number, h: number, w: number, c: number, nchw: boolean,
    options: Float64Array, grad: boolean): WasmLossOutput;
  buildFeatures(): string;
  memoryBytes(): number;
  /** Distinct pool threads that ran a small parallel job (a diagnostic). */
  threadsUsed(): number;
  kernelSelfTest(): string;
  openStream(metric: number, kind: number, width: number, height: number, channels: number, options: Float64Array): WasmStream;
  /** Throws (tagged) when the call described cannot have the memory it needs. */
  reserve(op: number, kind: number, width: number, height: number, channels: number, n: number, options: Float64Array, grad: boolean): void;
  /** The bytes `reserve` reckons the call needs (tests hold it to measured peaks). */
  memoryNeed(op: number, kind: number, width: number, height: number, channels: number, n: number, options: Float64Array, grad: boolean): number;
  /** Reads a file's headers and checks its size (crate/src/wasm_decode.rs). */
  openFile(file: Uint8Array, maxPixels: number): WasmFile;
  /** [format 0 png / 1 jpeg / 2 webp, width, height, channels, bit depth, interlaced]. */
  probeFile(file: Uint8Array, maxPixels: number): Float64Array;
}

/** A file being decoded: its rows a band at a time (crate/src/wasm_decode.rs). */
export interface WasmFile {
  readonly format: 'png' | 'jpeg' | 'webp';
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly bitDepth: number;
  next_u8(maxRows: number): Uint8Array | undefined;
  next_u16(maxRows: number): Uint16Array | undefined;
  free(): void;
}

/** A score fed a band of rows at a time (crate/src/scorer.rs). */
export interface WasmStream {
  feed_u8(x: Uint8Array | Uint8ClampedArray, y: Uint8Array | Uint8ClampedArray): void;
  feed_u16(x: Uint16Array, y: Uint16Array): void;
  feed_f32(x: Float32Array, y: Float32Array): void;
  finish(): WasmOutput;
  free(): void;
}

export interface WasmLossOutput {
  readonly loss: number;
  readonly perSample: Float64Array;
  takeGrad(): Float32Array | undefined;
  free(): void;
}

let current: Backend | undefined;
let calledAs = 'ssimkit';

export function setBackend(b: Backend): void {
  current = b;
}

export function backend(fn: string): Backend {
  if (current === undefined) {
    throw new Error(`${fn}: ssimkit is not initialised; call \`await init()\` once before scoring`);
  }
  calledAs = fn;
  return current;
}

/** The public function the latest backend() call named (for the pool's
 *  failure message: calls are synchronous, so it is the running one). */
export function lastCall(): string {
  return calledAs;
}

export function isReady(): boolean {
  return current !== undefined;
}

/**
 * Runs one call into the WebAssembly, turning what it may throw into the
 * error a caller expects: the Rust API's own checks (a second line behind
 * ours) arrive tagged and become a RangeError naming `fn`; a trap is a bug
 * of ours and says so.
 */
export function guard<T>(fn: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw translate(fn, e);
  }
}

const TAG = 'ssimkit:range:';
/** A file the decoder refused (not one it reads, or a broken one). */
const FILE_TAG = 'ssimkit:file:';

function translate(fn: string, e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  if (e.message.startsWith(TAG)) return new RangeError(`${fn}: ${e.message.slice(TAG.length)}`);
  if (e.message.startsWith(FILE_TAG)) return new TypeError(`${fn}: ${e.message.slice(FILE_TAG.length)}`);
  if (typeof WebAssembly.RuntimeError === 'function' && e instanceof WebAssembly.RuntimeError) {
    return new Error(`${fn}: the WebAssembly trapped (${e.message}); this is a bug in ssimkit, please report it`, { cause: e });
  }
  return e;
}

/** What the memory check of crate/src/memory.rs is told about a call (SSIM's
 *  options say whether it holds a map or runs the matlab preset). */
export const enum Op { Ssim = 0, Msssim = 2, Lwssim = 3, Loss = 4 }

/**
 * Asks the module, before any pixel is copied in, whether the memory this
 * call needs can be had: too much is a RangeError saying how much, and the
 * module is untouched (crate/src/memory.rs holds the arithmetic).
 */
export function reserve(fn: string, op: Op, kind: PixelKind, width: number, height: number, channels: number, n: number,
  options: Float64Array, grad = false): void {
  lastReserve = [op, KINDS[kind], width, height, channels, n, options, grad];
  guard(fn, () => backend(fn).reserve(op, KINDS[kind], width, height, channels, n, options, grad));
}

type ReserveArgs = [number, number, number, number, number, number, Float64Array, boolean];
let lastReserve: ReserveArgs | undefined;

/** Test hook (not exported by the package): the need the last call reckoned. */
export function lastMemoryNeed(): number | undefined {
  return lastReserve && backend('lastMemoryNeed').memoryNeed(...lastReserve);
}

type Pixels = Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array;
interface Pair { kind: PixelKind; data: Pixels; width: number; height: number; channels: number }

/** Calls `${name}_${kind}` on whole images and copies the output out of wasm
 *  memory (left: SSIM's matlab preset, which down-samples whole images). */
export function call(fn: string, name: 'ssim', x: Pair, y: Pair, options: Float64Array, wantMap = false) {
  reserve(fn, Op.Ssim, x.kind, x.width, x.height, x.channels, 1, options);
  const b = backend(fn);
  return guard(fn, () => read(b[`${name}_${x.kind}`](x.data, y.data, x.width, x.height, x.channels, options), wantMap));
}

/** Copies an output out of wasm memory, then frees it. */
function read(out: WasmOutput, wantMap = false) {
  try {
    const r = { score: out.score, channels: Array.from(out.channels) } as {
      score: number; channels: number[]; map?: Float32Array; mapWidth?: number; mapHeight?: number;
    };
    if (wantMap) {
      r.mapWidth = out.mapWidth;
      r.mapHeight = out.mapHeight;
      r.map = out.takeMap();
    }
    return r;
  } finally {
    out.free();
  }
}

/** Pixels a band carries into wasm memory, per image: bounds the memory a
 *  score needs (a 4K RGBA image is 33 MB; its bands are 1 MB, taken in by
 *  the scorer two chunks of rows at a time). Decoding copies out bands of
 *  the same size. */
export const BAND_BYTES = 1 << 20;
const KINDS: Record<PixelKind, number> = { u8: 0, u16: 1, f32: 2 };

const STREAMS = { ssim: 0, lwssim: 1, msssim: 2 } as const;

/**
 * Scores by feeding the images in bands of rows: wasm memory holds one
 * band and the rows the next chunks need (MS-SSIM: at every scale), never
 * the images; with `wantMap`, the map too. The bits equal a whole-image
 * call's, whatever the band height.
 */
export function callStream(fn: string, metric: keyof typeof STREAMS, x: Pair, y: Pair, options: Float64Array, wantMap = false) {
  const { kind, width, height, channels } = x;
  reserve(fn, metric === 'msssim' ? Op.Msssim : metric === 'lwssim' ? Op.Lwssim : Op.Ssim, kind, width, height, channels, 1, options);
  const b = backend(fn);
  return guard(fn, () => {
    const s = b.openStream(STREAMS[metric], KINDS[kind], width, height, channels, options);
    try {
      const row = width * channels;
      const rows = Math.max(1, Math.floor(BAND_BYTES / (row * x.data.BYTES_PER_ELEMENT)));
      const feed = s[`feed_${kind}`] as (x: Pixels, y: Pixels) => void;
      for (let r0 = 0; r0 < height; r0 += rows) {
        const a = r0 * row, e = Math.min(height, r0 + rows) * row;
        feed.call(s, x.data.subarray(a, e), y.data.subarray(a, e));
      }
      return read(s.finish(), wantMap);
    } finally {
      s.free();
    }
  });
}
