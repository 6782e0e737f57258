// Every input is read once and checked here, before any WebAssembly runs,
// so a mistake surfaces as a TypeError (wrong kind of thing) or RangeError
// (wrong value) naming the argument, and the module is never left mid-call.
//
// Read once: a call first snapshots its arguments (each image's data,
// width, height, channels; each option, arrays copied) and only then checks
// them. After the snapshot no code of the caller's runs (no getter, no
// Proxy trap), so nothing can change what was checked before it is
// computed. Pixel arrays are recognised and measured by the engine's own
// typed-array internals, never by their (redefinable) properties.

import { DOMAIN, MAX_OPTION_ARRAY, MAX_PIXEL_OVER_RANGE, MAX_PIXELS, type Range } from './domain.js';
import type { PixelData } from './types.js';

export { MAX_PIXELS };
export type PixelKind = 'u8' | 'u16' | 'f32';

/** An image whose every property has been checked. `data` is a fresh view
 *  of exactly the checked length (no own properties of the caller's). */
export interface CheckedImage {
  data: PixelData;
  kind: PixelKind;
  width: number;
  height: number;
  channels: number;
  /** The largest |value| (float data; found by the finite check's scan). */
  maxAbs?: number;
}

/** What was read off an image argument, unchecked. */
export interface RawImage {
  data: unknown;
  width: unknown;
  height: unknown;
  channels: unknown;
}

// ---- descriptions for messages ----

function brief(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v);
  return describe(v);
}

/** What a value is, for "got ..." in messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    if (v.length <= 6) return `[${Array.from({ length: v.length }, (_, i) => (i in v ? brief(v[i]) : '<hole>')).join(', ')}]`;
    return `an array of ${v.length} elements`;
  }
  switch (typeof v) {
    case 'number': return String(v);
    case 'string': return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
    case 'boolean': return `the boolean ${v}`;
    case 'bigint': return `the bigint ${v}n`;
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
  }
  const tag = typedArrayTag(v);
  if (tag) return `a ${tag}`;
  let name: unknown;
  try {
    name = Object.getPrototypeOf(v)?.constructor?.name;
  } catch {
    name = undefined;
  }
  return typeof name === 'string' && name && name !== 'Object' ? `a ${name}` : 'an object';
}

// ---- typed arrays, by their internal slots ----

const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (key: PropertyKey) => Object.getOwnPropertyDescriptor(TypedArrayProto, key)!.get!;
const TAG = intrinsic(Symbol.toStringTag);
const LENGTH = intrinsic('length');
const BUFFER = intrinsic('buffer');
const OFFSET = intrinsic('byteOffset');

/** 'Uint8Array', 'Float32Array', ... for a genuine typed array (of any
 *  realm), undefined for anything else, however it is dressed up. */
export function typedArrayTag(v: unknown): string | undefined {
  return ArrayBuffer.isView(v) ? (TAG.call(v) as string | undefined) : undefined;
}

const KINDS: Record<string, PixelKind> = { Uint8Array: 'u8', Uint8ClampedArray: 'u8', Uint16Array: 'u16', Float32Array: 'f32' };
const CTORS = { u8: Uint8Array, u16: Uint16Array, f32: Float32Array } as const;

/** The real element count of a genuine typed array (0 once detached). */
export function realLength(v: ArrayBufferView): number {
  return LENGTH.call(v) as number;
}

/**
 * A fresh view of exactly `length` elements over the same memory, so the
 * wasm glue (which reads `.length`) sees the real size. Shared memory is
 * copied: another thread could write into it between check and use.
 */
export function freshView(kind: PixelKind, v: ArrayBufferView, length: number): PixelData {
  const buffer = BUFFER.call(v) as ArrayBufferLike;
  const view = new CTORS[kind](buffer as ArrayBuffer, OFFSET.call(v) as number, length);
  const shared = typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
  return shared ? view.slice() : view;
}

// ---- scalars ----

export function positiveInt(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${what} must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${fn}: ${what} must be a positive integer, got ${v}`);
  return v;
}

/** A finite number within [lo, hi] (an integer when asked). */
export function inRange(fn: string, name: string, v: unknown, [lo, hi]: Range, integer = false): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${describe(v)}`);
  if (!(v >= lo && v <= hi) || (integer && !Number.isInteger(v))) {
    throw new RangeError(`${fn}: ${name} must be ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}, got ${v}`);
  }
  return v;
}

export function oneOf<T extends string>(fn: string, name: string, v: unknown, values: readonly T[]): T {
  const list = values.map((s) => `'${s}'`).join(', ');
  if (typeof v !== 'string') throw new TypeError(`${fn}: ${name} must be one of ${list}, got ${describe(v)}`);
  if (!values.includes(v as T)) throw new RangeError(`${fn}: ${name} must be one of ${list}, got '${v}'`);
  return v as T;
}

export function bool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}

// ---- images ----

/** Reads an image argument's four properties, each once. */
export function readImage(fn: string, name: string, img: unknown): RawImage {
  if (typeof img !== 'object' || img === null || typedArrayTag(img) !== undefined) {
    throw new TypeError(`${fn}: ${name} must be an image { data, width, height, channels? } or a file's bytes (Uint8Array or ArrayBuffer), got ${describe(img)}`);
  }
  const o = img as Record<string, unknown>;
  return { data: o.data, width: o.width, height: o.height, channels: o.channels };
}

export function checkImage(fn: string, name: string, raw: RawImage): CheckedImage {
  const { data, width, height, channels } = raw;
  const tag = typedArrayTag(data);
  const kind = tag === undefined ? undefined : KINDS[tag];
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
  const length = realLength(data as ArrayBufferView);
  let c: number;
  if (channels === undefined) {
    c = length / (w * h);
    if (!Number.isInteger(c) || c < 1 || c > 4) {
      throw new RangeError(
        `${fn}: ${name}.data holds ${length} values, not 1-4 channels of a ${w}x${h} image; pass channels or fix the size`,
      );
    }
  } else {
    c = positiveInt(fn, `${name}.channels`, channels);
    if (c > 4) throw new RangeError(`${fn}: ${name}.channels must be 1, 2, 3 or 4, got ${c}`);
    if (length !== w * h * c) {
      throw new RangeError(
        `${fn}: ${name}.data holds ${length} values; a ${w}x${h} image with ${c} channels needs ${w * h * c}`,
      );
    }
  }
  const view = freshView(kind, data as ArrayBufferView, length);
  const maxAbs = kind === 'f32' ? checkFinite(fn, `${name}.data`, view as Float32Array) : undefined;
  return { data: view, kind, width: w, height: h, channels: c, maxAbs };
}

/** Float data must hold no NaN or infinity (integer arrays cannot); returns
 *  the largest |value|. The scan reads the bits: with the sign cleared, a
 *  float's bits order as its magnitude does, and NaN and the infinities are
 *  the largest; four integer maxima run ~2.7x the speed of a float scan
 *  with a test per value (1.7 ms against 4.6 for an [8, 256, 256, 3]
 *  batch). The value to name is looked for only when there is one. */
export function checkFinite(fn: string, name: string, d: Float32Array): number {
  const bits = new Int32Array(d.buffer, d.byteOffset, d.length);
  let m0 = 0, m1 = 0, m2 = 0, m3 = 0;
  const n4 = bits.length - (bits.length % 4);
  let i = 0;
  for (; i < n4; i += 4) {
    const a = bits[i]! & 0x7fffffff, b = bits[i + 1]! & 0x7fffffff, c = bits[i + 2]! & 0x7fffffff, e = bits[i + 3]! & 0x7fffffff;
    if (a > m0) m0 = a;
    if (b > m1) m1 = b;
    if (c > m2) m2 = c;
    if (e > m3) m3 = e;
  }
  for (; i < bits.length; i++) {
    const a = bits[i]! & 0x7fffffff;
    if (a > m0) m0 = a;
  }
  const m = Math.max(m0, m1, m2, m3);
  if (m >= 0x7f800000) {
    const bad = d.findIndex((v) => !Number.isFinite(v));
    throw new RangeError(`${fn}: ${name}[${bad}] is ${d[bad]}; pixel values must be finite`);
  }
  return new Float32Array(Int32Array.of(m).buffer)[0]!;
}

/**
 * A metric's pixels must lie within +-64 L (domain.ts says why). Integer
 * data is scanned only when its type's range could exceed that.
 */
export function checkMagnitude(fn: string, images: [string, CheckedImage][], dataRange: number): void {
  const limit = MAX_PIXEL_OVER_RANGE * dataRange;
  for (const [name, img] of images) {
    // The most a value can be: its type's top, or the float scan's maximum.
    const typeMax = img.kind === 'u8' ? 255 : img.kind === 'u16' ? 65535 : (img.maxAbs ?? Infinity);
    if (typeMax <= limit) continue;
    const d = img.data;
    for (let i = 0; i < d.length; i++) {
      if (Math.abs(d[i]!) > limit) {
        const hint = img.kind === 'f32'
          ? ' (0-255 or 0-65535 data in a Float32Array? pass dataRange: 255 or 65535)'
          : ` (${img.kind === 'u8' ? '8' : '16'}-bit data is scored with dataRange ${img.kind === 'u8' ? 255 : 65535} unless told otherwise)`;
        throw new RangeError(
          `${fn}: ${name}.data[${i}] is ${d[i]} but dataRange is ${dataRange}: pixels must lie within ` +
            `+-${MAX_PIXEL_OVER_RANGE} x dataRange, or the score means nothing${hint}`,
        );
      }
    }
  }
}

/** Whether every value of a float image is >= 0 (integer images always are). */
export function nonNegative(img: { data: PixelData; kind: PixelKind }): boolean {
  if (img.kind !== 'f32') return true;
  const d = img.data;
  for (let i = 0; i < d.length; i++) if (d[i]! < 0) return false;
  return true;
}

const DEPTH = { u8: '8-bit integers', u16: '16-bit integers', f32: 'floats' } as const;

/**
 * Checks both (already read) images and that they can be compared: the
 * same width and height; channel counts may differ, and 8-bit against
 * 16-bit is fine (crate/src/pairing.rs holds the rules), float against
 * integers is not (the float's scale is the caller's to say).
 */
export function checkPair(fn: string, ref: RawImage, img: RawImage, names = ['ref', 'img']): [CheckedImage, CheckedImage] {
  const a = checkImage(fn, names[0]!, ref);
  const b = checkImage(fn, names[1]!, img);
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(
      `${fn}: images differ in size: ${names[0]} is ${a.width}x${a.height}, ${names[1]} is ${b.width}x${b.height} ` +
        '(width and height must be equal; channel counts may differ)',
    );
  }
  if ((a.kind === 'f32') !== (b.kind === 'f32')) {
    const [f, i] = a.kind === 'f32' ? [a, b] : [b, a];
    const top = i.kind === 'u8' ? 255 : 65535;
    throw new TypeError(
      `${fn}: ${names[0]} holds ${DEPTH[a.kind]} and ${names[1]} ${DEPTH[b.kind]}: scale the integers to [0, 1] floats ` +
        `(v / ${top}) or pass both as integers`,
    );
  }
  return [a, b];
}

/**
 * What a pair is compared as, for the options' defaults: 8-bit against
 * 16-bit compares as 16-bit (8-bit v read as 257 v, exactly), so its data
 * range is 65535 and may not be given (it would leave open which scale the
 * 8-bit samples are on).
 */
export function pairDims(fn: string, a: CheckedImage, b: CheckedImage, dataRange: unknown): Pick<CheckedImage, 'width' | 'height' | 'kind'> {
  if (a.kind === b.kind) return a;
  if (dataRange !== undefined) {
    throw new RangeError(
      `${fn}: dataRange cannot be given when one image is 8-bit and the other 16-bit: they compare as 16-bit ` +
        '(8-bit v read as 257 v) with dataRange 65535; convert both to one bit depth to use another range',
    );
  }
  return { width: a.width, height: a.height, kind: 'u16' };
}

// ---- options ----

/** A hole of a sparse array, kept in the snapshot so its check can name it. */
const HOLE: unique symbol = Symbol('hole');

/** Options as read: own enumerable keys only, each value read once, arrays copied. */
export type Options = Record<string, unknown>;

/**
 * Snapshots an options object: unknown keys are a TypeError; each value is
 * read once (a getter runs once, here); arrays are copied with their holes
 * marked. `undefined` values count as absent.
 */
export function readOptions(fn: string, opts: unknown, allowed: readonly string[]): Options {
  const out: Options = Object.create(null) as Options;
  if (opts === undefined) return out;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts) || typedArrayTag(opts) !== undefined) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      throw new TypeError(`${fn}: unknown option '${k}' (known: ${allowed.join(', ')})`);
    }
    const v = (opts as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      const n = v.length;
      if (n > MAX_OPTION_ARRAY) throw new RangeError(`${fn}: ${k} has ${n} entries; far more than any option takes`);
      const copy: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) copy[i] = i in v ? v[i] : HOLE;
      out[k] = copy;
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** An option's value, or its default when it was not given (null is a
 *  value, and an error where a number is wanted, not a default). */
export function given<T>(v: unknown, otherwise: T): unknown {
  return v === undefined ? otherwise : v;
}

/** A snapshotted array of numbers, each checked by `each`. */
export function numberArray(fn: string, name: string, v: unknown, [lo, hi]: Range, each: (x: unknown, what: string) => number): number[] {
  if (!Array.isArray(v)) throw new TypeError(`${fn}: ${name} must be an array of numbers, got ${describe(v)}`);
  if (v.length < lo || v.length > hi) {
    throw new RangeError(`${fn}: ${name} must have ${lo === hi ? lo : `${lo} to ${hi}`} entries, got ${v.length}`);
  }
  return v.map((x, i) => {
    if (x === HOLE) throw new TypeError(`${fn}: ${name}[${i}] is missing (a hole in a sparse array)`);
    return each(x, `${name}[${i}]`);
  });
}

/** An odd window side that fits the image (and, for a Gaussian, its cap). */
export function windowSize(fn: string, name: string, v: unknown, img: { width: number; height: number }, gaussian = false): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${describe(v)}`);
  if (!(Number.isInteger(v) && v > 0 && v % 2 === 1)) throw new RangeError(`${fn}: ${name} must be an odd positive integer, got ${v}`);
  if (v > img.width || v > img.height) {
    throw new RangeError(`${fn}: a ${v}x${v} window does not fit a ${img.width}x${img.height} image`);
  }
  const cap = DOMAIN.gaussianSize[1];
  if (gaussian && v > cap) {
    throw new RangeError(`${fn}: ${name} ${v}: a Gaussian window costs ${v} multiplications per pixel; at most ${cap} (a box window costs the same at any size)`);
  }
  return v;
}

/** The domain table, for messages and checks elsewhere. */
export { DOMAIN };
