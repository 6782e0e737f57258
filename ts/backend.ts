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
}

export interface WasmLossOutput {
  readonly loss: number;
  readonly perSample: Float64Array;
  takeGrad(): Float32Array | undefined;
  free(): void;
}

let current: Backend | undefined;

export function setBackend(b: Backend): void {
  current = b;
}

export function backend(fn: string): Backend {
  if (current === undefined) {
    throw new Error(`${fn}: ssimkit is not initialised; call \`await init()\` once before scoring`);
  }
  return current;
}

export function isReady(): boolean {
  return current !== undefined;
}

/** Calls `${name}_${kind}` and copies the output out of wasm memory. */
export function call(fn: string, name: 'ssim' | 'msssim' | 'lwssim', kind: PixelKind, x: unknown, y: unknown,
  width: number, height: number, channels: number, options: Float64Array, wantMap = false) {
  const out = backend(fn)[`${name}_${kind}`](x, y, width, height, channels, options);
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
