// Every input is checked here, before any WebAssembly runs, so a mistake
// surfaces as a TypeError (wrong kind of thing) or RangeError (wrong value)
// naming the argument, and the module is never left mid-call.

import type { Image, PixelData } from './types.js';

export type PixelKind = 'u8' | 'u16' | 'f32';

/** An image whose every property has been checked. */
export interface CheckedImage {
  data: PixelData;
  kind: PixelKind;
  width: number;
  height: number;
  channels: number;
}

/** Largest image accepted (pixels): above an 8K frame, within wasm32's 4 GiB. */
export const MAX_PIXELS = 2 ** 26;

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an Array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

function kindOf(data: unknown): PixelKind | undefined {
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 'u8';
  if (data instanceof Uint16Array) return 'u16';
  if (data instanceof Float32Array) return 'f32';
  return undefined;
}

export function positiveInt(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${what} must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${fn}: ${what} must be a positive integer, got ${v}`);
  return v;
}

export function checkImage(fn: string, name: string, img: unknown): CheckedImage {
  if (typeof img !== 'object' || img === null) {
    throw new TypeError(`${fn}: ${name} must be an image { data, width, height, channels? }, got ${describe(img)}`);
  }
  const { data, width, height, channels } = img as Image;
  const kind = kindOf(data);
  if (kind === undefined) {
    throw new TypeError(
      `${fn}: ${name}.data must be a Uint8Array, Uint8ClampedArray, Uint16Array or Float32Array, got ${describe(data)}`,
    );
  }
  const w = positiveInt(fn, `${name}.width`, width);
  const h = positiveInt(fn, `${name}.height`, height);
  if (w * h > MAX_PIXELS) {
    throw new RangeError(`${fn}: ${name} is ${w}x${h} = ${w * h} pixels; at most ${MAX_PIXELS} are supported`);
  }
  let c: number;
  if (channels === undefined) {
    c = data.length / (w * h);
    if (!Number.isInteger(c) || c < 1 || c > 4) {
      throw new RangeError(
        `${fn}: ${name}.data holds ${data.length} values, not 1-4 channels of a ${w}x${h} image; pass channels or fix the size`,
      );
    }
  } else {
    c = positiveInt(fn, `${name}.channels`, channels);
    if (c > 4) throw new RangeError(`${fn}: ${name}.channels must be 1, 2, 3 or 4, got ${c}`);
    if (data.length !== w * h * c) {
      throw new RangeError(
        `${fn}: ${name}.data holds ${data.length} values; a ${w}x${h} image with ${c} channels needs ${w * h * c}`,
      );
    }
  }
  if (kind === 'f32') checkFinite(fn, `${name}.data`, data as Float32Array);
  return { data, kind, width: w, height: h, channels: c };
}

/** Float data must hold no NaN or infinity (integer arrays cannot). */
export function checkFinite(fn: string, name: string, d: Float32Array): void {
  for (let i = 0; i < d.length; i++) {
    // One comparison catches NaN and both infinities.
    if (!(Math.abs(d[i]!) < Infinity)) throw new RangeError(`${fn}: ${name}[${i}] is ${d[i]}; pixel values must be finite`);
  }
}

/** Checks both images and that they can be compared. */
export function checkPair(fn: string, ref: unknown, img: unknown, names = ['ref', 'img']): [CheckedImage, CheckedImage] {
  const a = checkImage(fn, names[0]!, ref);
  const b = checkImage(fn, names[1]!, img);
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new RangeError(
      `${fn}: images differ in shape: ${names[0]} is ${a.width}x${a.height}x${a.channels}, ${names[1]} is ${b.width}x${b.height}x${b.channels}`,
    );
  }
  if (a.kind !== b.kind) {
    throw new TypeError(`${fn}: images differ in pixel type: ${names[0]} is ${a.kind}, ${names[1]} is ${b.kind}`);
  }
  return [a, b];
}

// ---- options ----

export function checkKeys(fn: string, opts: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      throw new TypeError(`${fn}: unknown option '${k}' (known: ${allowed.join(', ')})`);
    }
  }
  return opts as Record<string, unknown>;
}

export function num(fn: string, name: string, v: unknown, test: (x: number) => boolean, rule: string): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v) || !test(v)) throw new RangeError(`${fn}: ${name} must be ${rule}, got ${v}`);
  return v;
}

export function oneOf<T extends string>(fn: string, name: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string') throw new TypeError(`${fn}: ${name} must be one of ${values.map((s) => `'${s}'`).join(', ')}, got ${describe(v)}`);
  if (!values.includes(v as T)) throw new RangeError(`${fn}: ${name} must be one of ${values.map((s) => `'${s}'`).join(', ')}, got '${v}'`);
  return v as T;
}

export function bool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

/** An odd window side that fits the image. */
export function windowSize(fn: string, name: string, v: unknown, img: { width: number; height: number }): number {
  const n = num(fn, name, v, (x) => Number.isInteger(x) && x > 0 && x % 2 === 1, 'an odd positive integer');
  if (n > img.width || n > img.height) {
    throw new RangeError(`${fn}: a ${n}x${n} window does not fit a ${img.width}x${img.height} image`);
  }
  return n;
}

export function numberArray(fn: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new TypeError(`${fn}: ${name} must be an array of numbers, got ${describe(v)}`);
  if (v.length === 0) throw new RangeError(`${fn}: ${name} must not be empty`);
  return v.map((x, i) => num(fn, `${name}[${i}]`, x, () => true, 'finite'));
}
