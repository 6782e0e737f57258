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

/** Calls `${name}_${kind}` and copies the output out of wasm memory. */
export function call(fn: string, name: 'ssim' | 'msssim' | 'lwssim', kind: PixelKind, x: unknown, y: unknown,
  width: number, height: number, channels: number, options: Float64Array, wantMap = false) {
  return read(backend(fn)[`${name}_${kind}`](x, y, width, height, channels, options), wantMap);
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
 *  score needs (a 4K RGBA image is 33 MB; its bands are 4 MB). */
const BAND_BYTES = 4 << 20;
const KINDS: Record<PixelKind, number> = { u8: 0, u16: 1, f32: 2 };

type Pixels = Uint8Array | Uint8ClampedArray | Uint16Array | Float32Array;

/**
 * Scores (without a map) by feeding the images in bands of rows: wasm
 * memory holds one band and the rows the next chunks need, never the
 * images. The bits equal a whole-image call's, whatever the band height.
 */
export function callStream(fn: string, metric: 'ssim' | 'lwssim', kind: PixelKind, x: Pixels, y: Pixels,
  width: number, height: number, channels: number, options: Float64Array) {
  const s = backend(fn).openStream(metric === 'ssim' ? 0 : 1, KINDS[kind], width, height, channels, options);
  try {
    const row = width * channels;
    const rows = Math.max(1, Math.floor(BAND_BYTES / (row * x.BYTES_PER_ELEMENT)));
    for (let r0 = 0; r0 < height; r0 += rows) {
      const a = r0 * row, b = Math.min(height, r0 + rows) * row;
      (s[`feed_${kind}`] as (x: Pixels, y: Pixels) => void).call(s, x.subarray(a, b), y.subarray(a, b));
    }
    return read(s.finish());
  } finally {
    s.free();
  }
}
