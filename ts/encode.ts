// encodePng: the image checked here, encoded inside the WebAssembly
// (crate/src/encode.rs: Paeth rows through fdeflate, the png crate's own
// compressor), so ssimkit's decode, and any other PNG decoder, gives the
// samples back exactly.

import { backend, guard, Output, reserveOutput } from './backend.js';
import type { Image } from './types.js';
import { checkImage, describe, typedArrayTag } from './validate.js';

/** The module's exports for encoding (crate/src/wasm.rs). */
interface EncodeBackend {
  encodePngU8(data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: number): Uint8Array;
  encodePngU16(data: Uint16Array, width: number, height: number, channels: number): Uint8Array;
}

const INTEGER_TAGS = ['Uint8Array', 'Uint8ClampedArray', 'Uint16Array'];

/**
 * A PNG file of an image: 8-bit (Uint8Array, Uint8ClampedArray: an
 * ImageData or a `heatmap`) or 16-bit (Uint16Array) samples, 1 to 4
 * channels (gray, gray + alpha, RGB, RGBA), encoded inside the WebAssembly
 * (Paeth-filtered rows, fdeflate's fast compression), so it runs wherever
 * ssimkit does, edge functions included. `decode` of the result gives the
 * same samples back. Float images are a TypeError: scale them to integers
 * first.
 */
export function encodePng(image: Image): Uint8Array {
  const fn = 'encodePng';
  if (typeof image !== 'object' || image === null || typedArrayTag(image) !== undefined) {
    throw new TypeError(`${fn}: image must be an image { data, width, height, channels? }, got ${describe(image)}`);
  }
  const o = image as unknown as Record<string, unknown>;
  const raw = { data: o.data, width: o.width, height: o.height, channels: o.channels };
  const tag = typedArrayTag(raw.data);
  if (tag === undefined || !INTEGER_TAGS.includes(tag)) {
    const hint = tag === 'Float32Array' ? ' (PNG holds integers: scale floats to 0-255 or 0-65535 first)' : '';
    throw new TypeError(`${fn}: image.data must be a Uint8Array, Uint8ClampedArray or Uint16Array, got ${describe(raw.data)}${hint}`);
  }
  const img = checkImage(fn, 'image', raw);
  reserveOutput(fn, Output.Png, img.width, img.height, img.channels, img.kind === 'u16' ? 2 : 1);
  const b = backend(fn) as unknown as EncodeBackend;
  return guard(fn, () => (img.kind === 'u16'
    ? b.encodePngU16(img.data as Uint16Array, img.width, img.height, img.channels)
    : b.encodePngU8(img.data as Uint8Array, img.width, img.height, img.channels)));
}
