// decode() against files made by Pillow, pypng and sharp (test/fixtures/decode/README.md):
// PNG and lossless WebP bit for bit; JPEG and lossy WebP within measured bounds of
// libjpeg-turbo / libwebp (docs/decoding-accuracy.md, made by measure.mjs).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as ssimkit from 'ssimkit';
import { loadDecodeFixtures, measureLossy, pixelDiff, scorable } from './fixtures/decode/accuracy.mjs';

const dir = new URL('./fixtures/decode/', import.meta.url);
const fx = loadDecodeFixtures((p: string) => new Uint8Array(readFileSync(new URL(p, dir))));
const bounds: Record<string, { max: number; mean: number; ssim?: number }> =
  JSON.parse(readFileSync(new URL('bounds.json', dir), 'utf8')).bounds;

interface Case {
  id: string; format: 'png' | 'jpeg' | 'webp'; maker: string; file: string; exact: boolean;
  expect: { width: number; height: number; channels: number; bitDepth: 8 | 16 };
  reference: string; source?: string; frames?: string[]; animated?: boolean; referenceCmyk?: string;
}
const cases: Case[] = fx.fixtures.cases;
const cmyk = cases.filter((c) => c.referenceCmyk);
const animated = cases.filter((c) => c.animated);
const exact = cases.filter((c) => c.exact && !c.animated);
const lossy = cases.filter((c) => !c.exact && !c.referenceCmyk);
const decode = (bytes: Uint8Array | ArrayBuffer) => ssimkit.decode(bytes);

beforeAll(async () => {
  await ssimkit.init();
});

describe('the fixtures', () => {
  it('cover every kind of file the decoder promises', () => {
    const has = (f: (c: Case) => boolean) => cases.filter(f).length;
    expect(has((c) => c.format === 'png' && c.expect.bitDepth === 16)).toBeGreaterThan(3);
    expect(has((c) => c.id.includes('adam7') || c.id.includes('interlaced'))).toBeGreaterThan(5);
    expect(has((c) => c.id.includes('-pal'))).toBeGreaterThan(5);
    expect(has((c) => c.format === 'jpeg' && !c.exact)).toBeGreaterThan(15);
    expect(has((c) => c.format === 'webp' && c.exact)).toBeGreaterThan(3);
    expect(has((c) => c.format === 'webp' && !c.exact)).toBeGreaterThan(4);
    expect(has((c) => c.maker === 'sharp')).toBeGreaterThan(8);
    expect(cmyk).toHaveLength(1);
    expect(animated).toHaveLength(1);
  });
  it('bound every lossy case, and only those', () => {
    expect(Object.keys(bounds).sort()).toEqual(lossy.map((c) => c.id).sort());
  });
});

describe('exact: PNG and lossless WebP, bit for bit', () => {
  it.each(exact.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const d = decode(fx.file(c));
    expect({ format: d.format, width: d.width, height: d.height, channels: d.channels, bitDepth: d.bitDepth })
      .toEqual({ format: c.format, ...c.expect });
    expect(d.data).toBeInstanceOf(c.expect.bitDepth === 16 ? Uint16Array : Uint8Array);
    const ref = fx.pixels(c.reference);
    expect(d.data.length).toBe(ref.data.length);
    const { max, at } = pixelDiff(d, ref);
    // Where it differs, say which pixel and channel.
    expect(max, at < 0 ? '' : `first worst sample ${at}: pixel ${Math.floor(at / c.expect.channels)}, channel ${at % c.expect.channels}`).toBe(0);
  });
});

describe('lossy: JPEG and lossy WebP against libjpeg-turbo / libwebp', () => {
  it.each(lossy.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const d = decode(fx.file(c));
    expect({ format: d.format, width: d.width, height: d.height, channels: d.channels, bitDepth: d.bitDepth })
      .toEqual({ format: c.format, ...c.expect });
    expect(d.data).toBeInstanceOf(Uint8Array);
    const m = measureLossy(ssimkit, fx, c);
    const b = bounds[c.id]!;
    expect(m.max, 'max |ours - peer|').toBeLessThanOrEqual(b.max);
    expect(m.mean, 'mean |ours - peer|').toBeLessThanOrEqual(b.mean);
    if (scorable(c)) {
      expect(m.ssimDiff!, `SSIM vs source: ours ${m.ssimOurs}, peer's ${m.ssimRef}`).toBeLessThanOrEqual(b.ssim!);
      // The decode is faithful enough that it scores close to what was encoded at all.
      expect(m.ssimOurs!).toBeGreaterThan(0.5);
    }
  });
});

describe('every metric takes the encoded bytes as it takes the decoded image', () => {
  const pick = [...lossy.filter((c) => scorable(c)).slice(0, 4), ...exact.filter((c) => c.format === 'png' && scorable(c)).slice(0, 4)];
  it.each(pick.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const bytes = fx.file(c);
    const decoded = decode(bytes);
    const other = fx.pixels(c.source ?? c.reference);
    expect(ssimkit.ssim(bytes as any, other).score).toBe(ssimkit.ssim(decoded, other).score);
    // An ArrayBuffer of the file is the same file.
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(ssimkit.ssim(other, ab as any).score).toBe(ssimkit.ssim(other, decoded).score);
  });
  // MS-SSIM needs 161x161 or more: the 320x240 progressive JPEG, with every metric.
  const big = lossy.filter((c) => c.expect.width >= 161 && c.expect.height >= 161);
  it.each(big.map((c) => [c.id, c] as const))('%s, every metric', (_id, c) => {
    const bytes = fx.file(c);
    const decoded = decode(bytes);
    const source = fx.pixels(c.source!);
    expect(ssimkit.msssim(bytes as any, source).score).toBe(ssimkit.msssim(decoded, source).score);
    expect(ssimkit.lwssim(source, bytes as any).score).toBe(ssimkit.lwssim(source, decoded).score);
    expect(ssimkit.dssim(bytes as any, source)).toBe(ssimkit.dssim(decoded, source));
  });
  it('has a case big enough for MS-SSIM', () => expect(big.length).toBeGreaterThan(0));
});

describe('animated WebP: the first frame, as documented', () => {
  it.each(animated.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const d = decode(fx.file(c));
    expect({ format: d.format, width: d.width, height: d.height, channels: d.channels, bitDepth: d.bitDepth })
      .toEqual({ format: c.format, ...c.expect });
    expect(pixelDiff(d, fx.pixels(c.frames![0]!)).max).toBe(0);
    expect(pixelDiff(d, fx.pixels(c.frames![1]!)).max).toBeGreaterThan(0);
  });
});

describe('CMYK JPEG: refused with an error that says what to do', () => {
  it.each(cmyk.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    let thrown: unknown;
    try {
      decode(fx.file(c));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown instanceof TypeError || thrown instanceof RangeError).toBe(true);
    expect((thrown as Error).message).toMatch(/^decode\b.*CMYK.*RGB/s);
    // The same refusal from a metric handed the file, named after the metric.
    expect(() => ssimkit.ssim(fx.file(c) as any, fx.pixels(c.source!))).toThrow(/^ssim\b.*CMYK/s);
    // And the module keeps working.
    const ok = exact.find((e) => e.format === 'png')!;
    expect(pixelDiff(decode(fx.file(ok)), fx.pixels(ok.reference)).max).toBe(0);
  });
});
