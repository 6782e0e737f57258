// encodePng: every channel count and depth round-trips through ssimkit's own
// decode bit for bit, sharp (libpng) reads the same samples, and bad input
// is refused before the WebAssembly runs, the module working afterwards.
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decode, encodePng, init, ssim } from 'ssimkit';
import { expectError } from './shared/expect-error.js';

const W = 23, H = 17;
/** Samples that use every bit of their type (edges, gradients). */
function samples(channels: number, depth: 8 | 16) {
  const n = W * H * channels;
  const d = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  const top = depth === 16 ? 65536 : 256;
  for (let i = 0; i < n; i++) d[i] = ((i * 7919 + (i >> 4) * 31) * (depth === 16 ? 257 : 1) + i) % top;
  return d;
}

beforeAll(async () => {
  await init();
});

describe('encodePng', () => {
  for (const depth of [8, 16] as const) {
    for (const channels of [1, 2, 3, 4]) {
      it(`${depth}-bit, ${channels} channel(s): decode gives the samples back, and so does sharp`, async () => {
        const data = samples(channels, depth);
        const png = encodePng({ data, width: W, height: H, channels });
        expect(png).toBeInstanceOf(Uint8Array);
        expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        const back = decode(png);
        expect([back.width, back.height, back.channels, back.bitDepth, back.format]).toEqual([W, H, channels, depth, 'png']);
        expect(back.data).toEqual(data);
        // libvips turns gray into sRGB, and 16-bit into v >> 8, unless told the space.
        // Its 8-bit 'b-w' drops alpha, so 8-bit gray + alpha is read as RGBA and R, A kept.
        const grayAlpha8 = depth === 8 && channels === 2;
        const space = depth === 16 ? (channels <= 2 ? 'grey16' : 'rgb16') : (channels === 1 ? 'b-w' : 'srgb');
        const { data: raw, info } = await sharp(png).pipelineColourspace(space).toColourspace(space)
          .raw({ depth: depth === 16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
        expect([info.width, info.height, info.channels]).toEqual([W, H, grayAlpha8 ? 4 : channels]);
        let theirs = depth === 16 ? new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2) : new Uint8Array(raw);
        if (grayAlpha8) theirs = (theirs as Uint8Array).filter((_, i) => i % 4 === 0 || i % 4 === 3);
        expect(theirs).toEqual(data);
      });
    }
  }

  it('takes a Uint8ClampedArray (ImageData) and infers the channels', () => {
    const data = new Uint8ClampedArray(samples(4, 8));
    const back = decode(encodePng({ data, width: W, height: H }));
    expect(back.channels).toBe(4);
    expect(Uint8ClampedArray.from(back.data)).toEqual(data);
  });

  it('an encoded pair scores as the pixels it came from', () => {
    const a = { data: samples(3, 8), width: W, height: H, channels: 3 };
    const b = { ...a, data: a.data.map((v, i) => (v + (i % 7) * 9) & 255) };
    expect(ssim(encodePng(a), encodePng(b)).score).toBe(ssim(a, b).score);
  });

  it('refuses bad input with the function\'s name, and keeps working', () => {
    const ok = { data: samples(3, 8), width: W, height: H, channels: 3 };
    expectError(() => encodePng(undefined as never), TypeError, /^encodePng: image must be an image/);
    expectError(() => encodePng(new Uint8Array(4) as never), TypeError, /^encodePng: image must be an image/);
    expectError(() => encodePng({ ...ok, data: new Float32Array(W * H * 3) }), TypeError, /^encodePng: image\.data .*PNG holds integers/);
    expectError(() => encodePng({ ...ok, data: [1, 2, 3] as never }), TypeError, /^encodePng: image\.data must be/);
    expectError(() => encodePng({ ...ok, width: 0 }), RangeError, /^encodePng: image\.width must be a positive integer/);
    expectError(() => encodePng({ ...ok, height: '17' as never }), TypeError, /^encodePng: image\.height must be a number/);
    expectError(() => encodePng({ ...ok, channels: 5 }), RangeError, /^encodePng: image\.channels must be 1, 2, 3 or 4/);
    expectError(() => encodePng({ ...ok, width: W + 1 }), RangeError, /^encodePng: image\.data holds/);
    expect(decode(encodePng(ok)).data).toEqual(ok.data);
  });
});
