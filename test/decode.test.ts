// Decoding files inside the WebAssembly: exact PNG round trips, JPEG and
// WebP close to sharp (libjpeg-turbo, libwebp), bombs refused from the
// header, broken files a TypeError (never a trap, the module unharmed),
// other formats named, and every metric on file bytes equal to the metric
// on the decoded images.
import { beforeAll, describe, expect, it } from 'vitest';
import { encode as encodePng } from 'fast-png';
import sharp from 'sharp';
import { decode, dssim, init, lwssim, msssim, ssim, wasmMemoryBytes } from 'ssimkit';
import { expectError } from './shared/expect-error.js';

const W = 37, H = 29;
/** Known pixels: a pattern with every value class (edges, gradients). */
function pixels(channels: number, depth: 8 | 16, seed = 1) {
  const n = W * H * channels;
  const d = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  const top = depth === 16 ? 65536 : 256;
  for (let i = 0; i < n; i++) d[i] = ((i * 7919 + seed * 104729 + (i >> 5) * 31) * (depth === 16 ? 257 : 1)) % top;
  return d;
}

async function sharpRgb(seed: number, w = W, h = H) {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 3 * (y * w + x);
      raw[i] = (x * 255 / w + seed * 20) & 255;
      raw[i + 1] = (y * 255 / h) & 255;
      raw[i + 2] = (128 + 100 * Math.sin((x + y + seed) / 5)) & 255;
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } });
}

/** Max and mean |a - b|. */
function diff(a: ArrayLike<number>, b: ArrayLike<number>) {
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

/** PNG CRC-32, to craft headers a decoder reads past the CRC check. */
function crc32(b: Uint8Array) {
  let c = ~0;
  for (const v of b) {
    c ^= v;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

let rgbPng: Uint8Array, rgbPng2: Uint8Array, jpeg: Buffer, jpeg2: Buffer;

beforeAll(async () => {
  await init();
  rgbPng = encodePng({ width: W, height: H, data: pixels(3, 8, 1), channels: 3, depth: 8 });
  rgbPng2 = encodePng({ width: W, height: H, data: pixels(3, 8, 2), channels: 3, depth: 8 });
  jpeg = await (await sharpRgb(1)).jpeg({ quality: 85 }).toBuffer();
  jpeg2 = await (await sharpRgb(2)).jpeg({ quality: 60 }).toBuffer();
});

describe('PNG decodes exactly', () => {
  for (const channels of [1, 2, 3, 4]) {
    for (const depth of [8, 16] as const) {
      for (const interlace of ['null', 'Adam7'] as const) {
        it(`${channels} channel(s), ${depth}-bit, ${interlace === 'null' ? 'not interlaced' : 'Adam7'}`, () => {
          const data = pixels(channels, depth);
          const file = encodePng({ width: W, height: H, data, channels, depth }, { interlace });
          const d = decode(file);
          expect(d).toMatchObject({ width: W, height: H, channels, bitDepth: depth, format: 'png' });
          expect(d.data).toBeInstanceOf(depth === 16 ? Uint16Array : Uint8Array);
          expect(Array.from(d.data)).toEqual(Array.from(data));
        });
      }
    }
  }

  it('palette without tRNS: RGB', () => {
    const palette = [[10, 20, 30], [200, 100, 0], [1, 2, 3], [255, 255, 255]];
    const idx = new Uint8Array(W * H).map((_, i) => (i * 7) % 4);
    const rgb = decode(encodePng({ width: W, height: H, data: idx, channels: 1, depth: 8, palette }));
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.data)).toEqual(Array.from(idx).flatMap((i) => palette[i]!));
  });

  it('sharp-made palette (with and without tRNS) and interlaced files equal sharp\'s own decode', async () => {
    for (const [alpha, opts] of [[false, { palette: true, colours: 32 }], [true, { palette: true, colours: 32 }], [false, { progressive: true }]] as const) {
      const s = await sharpRgb(3);
      const file = await (alpha ? s.ensureAlpha(0.5) : s).png(opts).toBuffer();
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      const d = decode(file);
      expect([d.width, d.height, d.channels]).toEqual([info.width, info.height, info.channels]);
      expect(Buffer.from(d.data.buffer, d.data.byteOffset, d.data.byteLength).equals(data)).toBe(true);
    }
  });
});

describe('JPEG and WebP decode close to sharp (libjpeg-turbo, libwebp)', () => {
  const cases: [string, (s: sharp.Sharp) => sharp.Sharp, 'jpeg' | 'webp', number][] = [
    ['JPEG baseline 4:2:0', (s) => s.jpeg({ quality: 85 }), 'jpeg', 3],
    ['JPEG baseline 4:4:4', (s) => s.jpeg({ quality: 85, chromaSubsampling: '4:4:4' }), 'jpeg', 3],
    ['JPEG progressive 4:2:0', (s) => s.jpeg({ quality: 85, progressive: true }), 'jpeg', 3],
    ['JPEG grayscale', (s) => s.toColourspace('b-w').jpeg({ quality: 85 }), 'jpeg', 1],
    ['WebP lossy', (s) => s.webp({ quality: 85 }), 'webp', 3],
    ['WebP lossy with alpha', (s) => s.ensureAlpha(0.5).webp({ quality: 85 }), 'webp', 4],
  ];
  for (const [name, make, format, channels] of cases) {
    it(name, async () => {
      const file = await make(await sharpRgb(4, 64, 48)).toBuffer();
      const ref = await sharp(file).toColourspace(channels === 1 ? 'b-w' : 'srgb').raw().toBuffer({ resolveWithObject: true });
      const d = decode(file);
      expect(d).toMatchObject({ width: 64, height: 48, channels, bitDepth: 8, format });
      expect(ref.info.channels).toBe(channels);
      const { max, mean } = diff(d.data, ref.data);
      expect(mean).toBeLessThan(1);
      expect(max).toBeLessThanOrEqual(8);
    });
  }

  it('WebP lossless is exact', async () => {
    for (const alpha of [false, true]) {
      const s = await sharpRgb(5);
      const file = await (alpha ? s.ensureAlpha(0.25) : s).webp({ lossless: true }).toBuffer();
      const ref = await sharp(file).raw().toBuffer();
      const d = decode(file);
      expect(d.channels).toBe(alpha ? 4 : 3);
      expect(Buffer.from(d.data).equals(ref)).toBe(true);
    }
  });
});

describe('inputs', () => {
  it('Uint8Array, ArrayBuffer, a Node Buffer at an offset and shared memory decode alike', () => {
    const want = Array.from(decode(rgbPng).data);
    const ab = rgbPng.slice().buffer;
    expect(Array.from(decode(ab).data)).toEqual(want);
    const pool = Buffer.alloc(rgbPng.length + 17);
    pool.set(rgbPng, 9);
    expect(Array.from(decode(pool.subarray(9, 9 + rgbPng.length)).data)).toEqual(want);
    const shared = new Uint8Array(new SharedArrayBuffer(rgbPng.length));
    shared.set(rgbPng);
    expect(Array.from(decode(shared).data)).toEqual(want);
  });

  it('empty, detached and non-file arguments are TypeErrors', () => {
    expectError(() => decode(new Uint8Array(0)), TypeError, /^decode: bytes is empty/);
    const ab = rgbPng.slice().buffer;
    structuredClone(ab, { transfer: [ab] });
    expectError(() => decode(ab), TypeError, /^decode: bytes is empty .*detached/);
    expectError(() => decode('x.png' as never), TypeError, /^decode: bytes must be a Uint8Array or ArrayBuffer.*got the string/);
    expectError(() => decode(new Uint8ClampedArray(8) as never), TypeError, /^decode: bytes must be a Uint8Array/);
  });

  it('maxPixels is an integer from 1 to 2^26', () => {
    expectError(() => decode(rgbPng, { maxPixels: 0 }), RangeError, /^decode: maxPixels must be an integer from 1 to 67108864, got 0/);
    expectError(() => decode(rgbPng, { maxPixels: 2.5 }), RangeError, /^decode: maxPixels must be an integer/);
    expectError(() => decode(rgbPng, { maxPixels: 2 ** 26 + 1 }), RangeError, /^decode: maxPixels/);
    expectError(() => decode(rgbPng, { maxPixels: '9' as never }), TypeError, /^decode: maxPixels must be a number/);
    expectError(() => decode(rgbPng, { maxpixels: 9 } as never), TypeError, /^decode: unknown option 'maxpixels'/);
    expectError(() => decode(rgbPng, { maxPixels: W * H - 1 }), RangeError, /^decode: the PNG file is 37x29 = 1073 pixels, more than maxPixels \(1072\)/);
    expect(decode(rgbPng, { maxPixels: W * H }).width).toBe(W);
  });
});

describe('bombs are refused from the header, fast, without growing memory', () => {
  const bombs: [string, () => Uint8Array][] = [
    ['PNG IHDR 100000x100000', () => {
      const b = rgbPng.slice();
      const v = new DataView(b.buffer);
      v.setUint32(16, 100000);
      v.setUint32(20, 100000);
      v.setUint32(29, crc32(b.subarray(12, 29)));
      return b;
    }],
    ['JPEG SOF 65500x65500', () => {
      const b = new Uint8Array(jpeg);
      const at = b.findIndex((v, i) => v === 0xff && b[i + 1] === 0xc0);
      const v = new DataView(b.buffer, b.byteOffset);
      v.setUint16(at + 5, 65500);
      v.setUint16(at + 7, 65500);
      return b;
    }],
    ['WebP VP8X canvas 16383x16383', () => {
      // RIFF, WEBP, VP8X (canvas 16383x16383), then a real 1x1 VP8 frame would follow.
      const vp8x = new Uint8Array(18);
      vp8x.set([0x56, 0x50, 0x38, 0x58, 10, 0, 0, 0]);
      const v = new DataView(vp8x.buffer);
      v.setUint16(12, 16382, true);
      v.setUint16(15, 16382, true);
      const riff = new Uint8Array(12 + vp8x.length);
      riff.set([0x52, 0x49, 0x46, 0x46]);
      new DataView(riff.buffer).setUint32(4, 4 + vp8x.length, true);
      riff.set([0x57, 0x45, 0x42, 0x50], 8);
      riff.set(vp8x, 12);
      return riff;
    }],
  ];
  for (const [name, make] of bombs) {
    it(name, () => {
      const bytes = make();
      decode(rgbPng);
      const before = wasmMemoryBytes();
      const t = performance.now();
      expectError(() => decode(bytes), RangeError, /^decode: the (PNG|JPEG|WebP) file is \d+x\d+ = \d+ pixels, more than maxPixels/);
      expect(performance.now() - t).toBeLessThan(200);
      expect(wasmMemoryBytes()).toBe(before);
      expectError(() => ssim(bytes, bytes), RangeError, /^ssim: ref: the .* more than maxPixels/);
    });
  }
});

describe('broken files are TypeErrors and leave the module working', () => {
  let goodDecode: number[], goodScore: number;
  beforeAll(() => {
    goodDecode = Array.from(decode(rgbPng).data);
    goodScore = ssim(rgbPng, rgbPng2).score;
  });
  const unharmed = () => {
    expect(Array.from(decode(rgbPng).data)).toEqual(goodDecode);
    expect(ssim(rgbPng, rgbPng2).score).toBe(goodScore);
  };
  const refused = (bytes: Uint8Array) => {
    let thrown: unknown;
    try {
      decode(bytes);
    } catch (e) {
      thrown = e;
    }
    // A cut or flip may leave a decodable file (a flipped pixel); never a trap.
    if (thrown !== undefined) {
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(/^decode: /);
    }
    return thrown !== undefined;
  };

  for (const [name, file] of [['PNG', () => rgbPng], ['JPEG', () => new Uint8Array(jpeg)]] as const) {
    it(`${name} truncated at many offsets`, () => {
      const f = file();
      let errors = 0;
      for (let cut = 1; cut < f.length; cut += Math.max(1, Math.floor(f.length / 60))) if (refused(f.subarray(0, cut))) errors++;
      expect(errors).toBeGreaterThan(50);
      unharmed();
    });
    it(`${name} with bytes flipped`, () => {
      const f = file();
      let seed = 7;
      for (let k = 0; k < 200; k++) {
        const g = f.slice();
        for (let j = 0; j < 4; j++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          const at = 8 + (seed % (g.length - 8));
          g[at] = g[at]! ^ (1 + (seed >>> 24) % 255);
        }
        refused(g);
      }
      unharmed();
    });
  }

  it('garbage after a valid signature', () => {
    for (const sig of [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0xff, 0xd8, 0xff], [...'RIFF\0\0\0\0WEBP'].map((c) => c.charCodeAt(0))]) {
      for (let n = 0; n < 40; n++) {
        const g = new Uint8Array(sig.length + n * 13);
        g.set(sig);
        for (let i = sig.length; i < g.length; i++) g[i] = (i * 2654435761) >>> 24;
        expect(refused(g)).toBe(true);
      }
    }
    unharmed();
  });

  it('a wrong PNG CRC is an error', () => {
    const g = rgbPng.slice();
    g[g.length - 20] ^= 0x40;
    expectError(() => decode(g), TypeError, /^decode: the PNG file could not be decoded: .*CRC/i);
    unharmed();
  });
});

describe('other formats are named', () => {
  const files: [string, number[] | string, RegExp][] = [
    ['GIF', 'GIF89a\x01\x00\x01\x00', /a GIF file/],
    ['BMP', 'BM\x3a\x00\x00\x00\x00\x00', /a BMP file/],
    ['TIFF', [0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0], /a TIFF file/],
    ['AVIF', '\0\0\0\x1cftypavif\0\0\0\0', /AVIF or HEIC/],
    ['JPEG XL', [0xff, 0x0a, 0xfa, 0x7f], /a JPEG XL file/],
    ['QOI', 'qoif\0\0\0\x01', /a QOI file/],
    ['PDF', '%PDF-1.7\n', /a PDF file/],
    ['ZIP', [0x50, 0x4b, 0x03, 0x04, 0, 0], /a ZIP file/],
    ['gzip', [0x1f, 0x8b, 8, 0], /a gzip file/],
    ['SVG', '<svg xmlns="http://www.w3.org/2000/svg"/>', /text \(SVG, XML or HTML/],
    ['unknown', [0x12, 0x34, 0x56], /unknown format, first bytes 12 34 56$/],
  ];
  for (const [name, bytes, re] of files) {
    it(name, () => {
      const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes);
      expectError(() => decode(b), TypeError, new RegExp(`^decode: bytes is not a PNG, JPEG or WebP file: (it looks like )?.*${re.source}`));
      expectError(() => ssim(b, rgbPng), TypeError, /^ssim: ref is not a PNG, JPEG or WebP file/);
    });
  }
});

describe('metrics on file bytes equal metrics on the decoded images', () => {
  const metrics: [string, (a: any, b: any, o?: any) => unknown][] = [
    ['ssim', (a, b, o) => ssim(a, b, o)],
    ['msssim', (a, b, o) => msssim(a, b, { scales: 'auto', ...o })],
    ['dssim', (a, b, o) => dssim(a, b, o)],
    ['lwssim', (a, b, o) => lwssim(a, b, o)],
  ];
  for (const [name, f] of metrics) {
    it(name, () => {
      for (const [x, y] of [[rgbPng, rgbPng2], [jpeg, jpeg2], [rgbPng, decode(rgbPng2)]] as const) {
        const dx = x instanceof Uint8Array ? decode(x) : x;
        const dy = y instanceof Uint8Array ? decode(y) : y;
        expect(f(x, y)).toEqual(f(dx, dy));
        expect(f(x instanceof Uint8Array ? x.slice().buffer : x, y)).toEqual(f(dx, dy));
      }
      expectError(() => f(rgbPng, rgbPng2, { maxPixels: 100 }), RangeError, new RegExp(`^${name}: ref: the PNG file is 37x29`));
    });
  }
});
