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

/** `channels` is x's channel count, `channelsY` y's (they may differ). */

/** The pixel types of a pair an export takes: one type, or 8-bit against
 *  16-bit either way round. */
type PairKind = PixelKind | 'u8_u16' | 'u16_u8';

export interface Backend {
  batchLoss(pred: Float32Array, target: Float32Array, n: number, h: number, w: number, c: number, nchw: boolean,
    options: Float64Array, grad: boolean): WasmLossOutput;
  buildFeatures(): string;
  memoryBytes(): number;
  /** Distinct pool threads that ran a small parallel job (a diagnostic). */
  threadsUsed(): number;
  kernelSelfTest(): string;
  openStream(metric: number, kind: number, kindY: number, width: number, height: number, channels: number, channelsY: number,
    options: Float64Array): WasmStream;
  /** Throws (tagged) when the call described cannot have the memory it needs. */
  reserve(op: number, kind: number, kindY: number, width: number, height: number, channels: number, channelsY: number, n: number,
    options: Float64Array, grad: boolean): void;
  /** As `reserve`, for a heatmap (0) or a PNG (1); returns the need. */
  reserveOutput(what: number, a: number, b: number, c: number, d: number): number;
  /** The bytes `reserve` reckons the call needs (tests hold it to measured peaks). */
  memoryNeed(op: number, kind: number, kindY: number, width: number, height: number, channels: number, channelsY: number, n: number,
    options: Float64Array, grad: boolean): number;
  /** Reads a file's headers and checks its size (crate/src/wasm_decode.rs); `thenMap`: SSIM's map comes next. */
  openFile(file: Uint8Array, maxPixels: number, thenMap: boolean): WasmFile;
  /** [format 0 png / 1 jpeg / 2 webp, width, height, channels, bit depth, interlaced]. */
  probeFile(file: Uint8Array, maxPixels: number): Float64Array;
  /** The bytes `openFile` reckons decoding the file needs (tests hold it to measured peaks). */
  fileMemoryNeed(file: Uint8Array, maxPixels: number): number;
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
  feed_u8_u16(x: Uint8Array | Uint8ClampedArray, y: Uint16Array): void;
  feed_u16_u8(x: Uint16Array, y: Uint8Array | Uint8ClampedArray): void;
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
 * module is untouched (crate/src/memory.rs holds the arithmetic). `y`: the
 * second image's pixel type and channels, when they differ from the first's.
 */
export function reserve(fn: string, op: Op, kind: PixelKind, width: number, height: number, channels: number, n: number,
  options: Float64Array, grad = false, y: { kind: PixelKind; channels: number } = { kind, channels }): void {
  const args: ReserveArgs = [op, KINDS[kind], KINDS[y.kind], width, height, channels, y.channels, n, options, grad];
  lastReserve = args;
  guard(fn, () => backend(fn).reserve(...args));
}

/** What an output call is, for `reserveOutput` (crate/src/wasm.rs). */
export const enum Output { Heatmap = 0, Png = 1 }

let lastOutput: number | undefined;

/**
 * As `reserve`, for a call whose output is as large as the image (a
 * heatmap's RGBA, a PNG file): a RangeError naming `fn` when the memory it
 * needs cannot be had, before the input is copied in.
 */
export function reserveOutput(fn: string, what: Output, a: number, b: number, c: number, d = 0): void {
  const m = backend(fn);
  lastOutput = guard(fn, () => m.reserveOutput(what, a, b, c, d));
}

/** Test hook (not exported by the package): the need the last heatmap or PNG reckoned. */
export function lastOutputNeed(): number | undefined {
  return lastOutput;
}

type ReserveArgs = [number, number, number, number, number, number, number, number, Float64Array, boolean];
let lastReserve: ReserveArgs | undefined;

/** Test hook (not exported by the package): the need the last call reckoned. */
export function lastMemoryNeed(): number | undefined {
  return lastReserve && backend('lastMemoryNeed').memoryNeed(...lastReserve);
}

type Pixels = Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array;
interface Pair { kind: PixelKind; data: Pixels; width: number; height: number; channels: number }

/** The export suffix for a pair's pixel types (validate.ts's checkPair
 *  has refused float against integers). */
function pairKind(x: Pair, y: Pair): PairKind {
  return x.kind === y.kind ? x.kind : (`${x.kind}_${y.kind}` as PairKind);
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
 *  the scorer two chunks of rows at a time). decode.ts copies file rows
 *  out in bands of the same size. */
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
  const { width, height } = x;
  reserve(fn, metric === 'msssim' ? Op.Msssim : metric === 'lwssim' ? Op.Lwssim : Op.Ssim, x.kind, width, height, x.channels, 1, options,
    false, y);
  const b = backend(fn);
  return guard(fn, () => {
    const s = b.openStream(STREAMS[metric], KINDS[x.kind], KINDS[y.kind], width, height, x.channels, y.channels, options);
    try {
      const rowX = width * x.channels, rowY = width * y.channels;
      // The larger image's rows set the band (BAND_BYTES per image at most).
      const rowBytes = Math.max(rowX * x.data.BYTES_PER_ELEMENT, rowY * y.data.BYTES_PER_ELEMENT);
      const rows = Math.max(1, Math.floor(BAND_BYTES / rowBytes));
      const feed = s[`feed_${pairKind(x, y)}`] as (x: Pixels, y: Pixels) => void;
      for (let r0 = 0; r0 < height; r0 += rows) {
        const r1 = Math.min(height, r0 + rows);
        feed.call(s, x.data.subarray(r0 * rowX, r1 * rowX), y.data.subarray(r0 * rowY, r1 * rowY));
      }
      return read(s.finish(), wantMap);
    } finally {
      s.free();
    }
  });
}
