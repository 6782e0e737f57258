// Image files: the format is sniffed here from the first bytes (a table,
// no mathematics), then the file is decoded inside the WebAssembly
// (crate/src/decode), one file at a time, its rows copied out in bands, so
// wasm memory holds the file and one band (PNG) or the file and the image
// (JPEG, WebP, interlaced PNG), never two files.

import { BAND_BYTES, backend, guard } from './backend.js';
import { MAX_PIXELS } from './domain.js';
import type { DecodedImage, DecodeOptions } from './types.js';
import { describe, inRange, type Options, readOptions, realLength, typedArrayTag } from './validate.js';

type Format = DecodedImage['format'];

const starts = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** The formats ssimkit decodes, by signature. */
export function sniff(b: Uint8Array): Format | undefined {
  if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(b, ascii('RIFF')) && starts(b, ascii('WEBP'), 8)) return 'webp';
  return undefined;
}

/** What other files look like: [name, test]. */
const OTHERS: [string, (b: Uint8Array) => boolean][] = [
  ['a GIF', (b) => starts(b, ascii('GIF8'))],
  ['a BMP', (b) => starts(b, ascii('BM'))],
  ['a TIFF', (b) => starts(b, [0x49, 0x49, 0x2a, 0x00]) || starts(b, [0x4d, 0x4d, 0x00, 0x2a])],
  ['an AVIF or HEIC (ISO BMFF, ftyp)', (b) => starts(b, ascii('ftyp'), 4)],
  ['a JPEG XL', (b) => starts(b, [0xff, 0x0a]) || starts(b, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])],
  ['a QOI', (b) => starts(b, ascii('qoif'))],
  ['a PDF', (b) => starts(b, ascii('%PDF'))],
  ['a ZIP', (b) => starts(b, [0x50, 0x4b, 0x03, 0x04])],
  ['a gzip', (b) => starts(b, [0x1f, 0x8b])],
  ['a RIFF file that is not WebP', (b) => starts(b, ascii('RIFF'))],
];

function looksLike(b: Uint8Array): string {
  const other = OTHERS.find(([, test]) => test(b));
  const hex = Array.from(b.subarray(0, 8), (v) => v.toString(16).padStart(2, '0')).join(' ');
  if (other) return `it looks like ${other[0]} file (first bytes ${hex})`;
  // Text (SVG, XML, HTML, JSON...): printable ASCII after optional BOM and blanks.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 64)).replace(/^\uFEFF/, '').trimStart();
  if (/^<(\?xml|svg|!doctype|html)/i.test(text)) return `it looks like text (SVG, XML or HTML: "${text.slice(0, 20)}...")`;
  if (/^[\x20-\x7e\t\r\n]{8,}$/.test(text.slice(0, 32))) return `it looks like text ("${text.slice(0, 20)}...")`;
  return `unknown format, first bytes ${hex}`;
}

const isArrayBuffer = (v: unknown) => Object.prototype.toString.call(v) === '[object ArrayBuffer]';
const isShared = (v: unknown) => Object.prototype.toString.call(v) === '[object SharedArrayBuffer]';
const BYTE_LENGTH = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
const SHARED_LENGTH = typeof SharedArrayBuffer === 'function'
  ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength')!.get!
  : undefined;
const BUFFER = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'buffer')!.get!;
const OFFSET = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'byteOffset')!.get!;

/** Whether an argument is a file (a Uint8Array, a Node Buffer, an ArrayBuffer). */
export function isFile(v: unknown): boolean {
  return typedArrayTag(v) === 'Uint8Array' || isArrayBuffer(v) || isShared(v);
}

/**
 * A file argument's bytes as a view of exactly them (a Buffer's own
 * offset respected); shared memory is copied, as another thread could
 * write it while it is read. Empty or detached: a TypeError.
 */
export function fileBytes(fn: string, name: string, v: unknown): Uint8Array {
  const empty = () => new TypeError(`${fn}: ${name} is empty (0 bytes, or a detached ArrayBuffer): no file to decode`);
  if (typedArrayTag(v) === 'Uint8Array') {
    const length = realLength(v as Uint8Array);
    if (length === 0) throw empty();
    const buffer = BUFFER.call(v) as ArrayBufferLike;
    const bytes = new Uint8Array(buffer, OFFSET.call(v) as number, length);
    return isShared(buffer) ? bytes.slice() : bytes;
  }
  if (isArrayBuffer(v) || isShared(v)) {
    const length = (isShared(v) ? SHARED_LENGTH! : BYTE_LENGTH).call(v) as number;
    if (length === 0) throw empty();
    const bytes = new Uint8Array(v as ArrayBuffer, 0, length);
    return isShared(v) ? bytes.slice() : bytes;
  }
  throw new TypeError(`${fn}: ${name} must be a Uint8Array or ArrayBuffer holding a PNG, JPEG or WebP file, got ${describe(v)}`);
}

/** The maxPixels option: an integer from 1 to 2^26 (default 2^26). */
export function maxPixelsOption(fn: string, o: Options): number {
  return o.maxPixels === undefined ? MAX_PIXELS : inRange(fn, 'maxPixels', o.maxPixels, [1, MAX_PIXELS], true);
}

/** Decodes checked bytes; `name` says which argument, and the module's
 *  errors start with `label` (a metric names the argument, decode need not).
 *  `thenMap`: SSIM with its map scores the image next, so the module holds
 *  memory for the larger of the decode and the map at once (wasm_decode.rs). */
export function decodeFile(fn: string, name: string, bytes: Uint8Array, maxPixels: number, label = `${fn}: ${name}`,
  thenMap = false): DecodedImage {
  const format = sniff(bytes);
  if (format === undefined) {
    throw new TypeError(`${fn}: ${name} is not a PNG, JPEG or WebP file: ${looksLike(bytes)}`);
  }
  const b = backend(fn);
  return guard(label, () => {
    const f = b.openFile(bytes, maxPixels, thenMap);
    try {
      const { width, height, channels, bitDepth } = f;
      const row = width * channels;
      const total = row * height;
      const rows = Math.max(1, Math.floor(BAND_BYTES / (row * (bitDepth === 16 ? 2 : 1))));
      const next = () => (bitDepth === 16 ? f.next_u16(rows) : f.next_u8(rows));
      // A format that cannot stream gives the whole image at once, already
      // copied out of wasm memory: it is the result, not copied again.
      const first = next();
      let data: Uint8Array | Uint16Array;
      let at = first?.length ?? 0;
      if (first !== undefined && first.length === total) {
        data = first;
      } else {
        data = bitDepth === 16 ? new Uint16Array(total) : new Uint8Array(total);
        if (first !== undefined && first.length < total) data.set(first);
        for (let band = first !== undefined && at < total ? next() : undefined; band !== undefined; band = next()) {
          if (at + band.length > total) {
            at += band.length;
            break;
          }
          data.set(band, at);
          at += band.length;
        }
      }
      if (at !== total) throw new Error(`${fn}: the decoder gave ${at} of ${total} samples; this is a bug in ssimkit`);
      return { data, width, height, channels: channels as DecodedImage['channels'], format: f.format, bitDepth: bitDepth as 8 | 16 };
    } finally {
      f.free();
    }
  });
}

/** Test hook (not exported by the package): the memory decoding a file reckons it needs. */
export function decodeMemoryNeed(bytes: Uint8Array): number {
  return backend('decodeMemoryNeed').fileMemoryNeed(bytes, MAX_PIXELS);
}

/**
 * Decodes a PNG, JPEG or WebP file inside the WebAssembly into an ordinary
 * image (samples as stored: 8- or 16-bit, 1 to 4 channels), the same
 * pixels in every runtime. The header is checked against `maxPixels`
 * before anything is allocated. Not a file ssimkit reads, or a broken one:
 * a TypeError; more pixels than `maxPixels`: a RangeError.
 */
export function decode(bytes: Uint8Array | ArrayBuffer, options?: DecodeOptions): DecodedImage {
  const file = fileBytes('decode', 'bytes', bytes);
  const maxPixels = maxPixelsOption('decode', readOptions('decode', options, ['maxPixels']));
  return decodeFile('decode', 'bytes', file, maxPixels, 'decode');
}
