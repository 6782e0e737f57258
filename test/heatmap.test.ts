// heatmap: RGBA as large as the image for 'valid', 'same' and the matlab
// preset; the map drawn where its windows sit (a pair differing in one small
// square is darkest over it; the 'valid' heatmap is the 'same' one's interior,
// pixel for pixel); lightness rising with the map value; bad input refused.
// And examples/node/heatmap.mjs, run beside the packed package.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { decode, encodePng, heatmap, init, ssim, type Result } from 'ssimkit';
import { expectError } from './shared/expect-error.js';
import { SHIPPED, stageExample } from './runtimes/examples.js';
import { testPackage } from './runtimes/harness.js';

const exec = promisify(execFile);

/** A textured gray image (hash noise over a gradient). */
function texture(w: number, h: number) {
  const d = new Uint8Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = (((i * 2654435761) >>> 0) % 97 + (i % w) * 2) & 255;
  return { data: d, width: w, height: h, channels: 1 };
}

/** `img` with a side x side square at (x0, y0) replaced by another value. */
function withSquare(img: ReturnType<typeof texture>, x0: number, y0: number, side: number) {
  const data = img.data.slice();
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) data[y * img.width + x] = 255 - data[y * img.width + x]!;
  return { ...img, data };
}

/** Relative luminance of an sRGB pixel (what "darker" means here). */
function luminance(px: ArrayLike<number>, i: number) {
  const lin = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(px[i]!) + 0.7152 * lin(px[i + 1]!) + 0.0722 * lin(px[i + 2]!);
}

beforeAll(async () => {
  await init();
});

describe('heatmap: size and placement', () => {
  const ref = texture(64, 48);
  const img = withSquare(ref, 40, 20, 4);

  it("is as large as the image for 'valid' and 'same', RGBA in a Uint8ClampedArray", () => {
    for (const border of ['valid', 'same'] as const) {
      const h = heatmap(ssim(ref, img, { map: true, border }));
      expect([h.width, h.height, h.channels, h.data.length]).toEqual([64, 48, 4, 64 * 48 * 4]);
      expect(h.data).toBeInstanceOf(Uint8ClampedArray);
    }
  });

  it("a 'valid' result says where its map sits: offset floor(size/2), scale 1, the image's size", () => {
    for (const size of [11, 7, 3]) {
      const r = ssim(ref, img, { map: true, size });
      expect([r.width, r.height, r.mapOffsetX, r.mapOffsetY, r.mapScale]).toEqual([64, 48, (size - 1) / 2, (size - 1) / 2, 1]);
    }
    const s = ssim(ref, img, { map: true, border: 'same' });
    expect([s.mapOffsetX, s.mapOffsetY, s.mapScale]).toEqual([0, 0, 1]);
    expect(ssim(ref, img).mapOffsetX).toBeUndefined();
  });

  it('the darkest pixels lie over the one square that differs', () => {
    for (const border of ['valid', 'same'] as const) {
      const h = heatmap(ssim(ref, img, { map: true, border }));
      let darkest = Infinity;
      const lum: number[] = [];
      for (let i = 0; i < h.width * h.height; i++) {
        lum.push(h.data[4 * i + 3] === 0 ? Infinity : luminance(h.data, 4 * i));
        darkest = Math.min(darkest, lum[i]!);
      }
      let sx = 0, sy = 0, n = 0;
      lum.forEach((l, i) => {
        if (l === darkest) { sx += i % h.width; sy += Math.floor(i / h.width); n++; }
      });
      // The square covers x 40..43, y 20..23: its centre is (41.5, 21.5).
      expect(n).toBeGreaterThan(0);
      expect(Math.abs(sx / n - 41.5), border).toBeLessThanOrEqual(1.5);
      expect(Math.abs(sy / n - 21.5), border).toBeLessThanOrEqual(1.5);
    }
  });

  it("the 'valid' heatmap is the 'same' heatmap's interior, and transparent in the 5-pixel frame", () => {
    const v = heatmap(ssim(ref, img, { map: true }));
    const s = heatmap(ssim(ref, img, { map: true, border: 'same' }));
    let inside = 0, frame = 0;
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 64; x++) {
        const i = 4 * (y * 64 + x);
        const px = Array.from(v.data.subarray(i, i + 4));
        if (x >= 5 && x < 59 && y >= 5 && y < 43) {
          expect(px, `(${x}, ${y})`).toEqual(Array.from(s.data.subarray(i, i + 4)));
          inside++;
        } else {
          expect(px, `(${x}, ${y})`).toEqual([0, 0, 0, 0]);
          frame++;
        }
      }
    }
    expect([inside, frame]).toEqual([54 * 38, 64 * 48 - 54 * 38]);
  });

  it("the matlab preset's map (down-sampled by 2) covers 2x2 blocks at its offset", () => {
    const big = texture(520, 400);
    const r = ssim(big, withSquare(big, 200, 100, 9), { map: true, preset: 'matlab' });
    expect([r.mapScale, r.mapOffsetX, r.mapWidth, r.mapHeight]).toEqual([2, 5, 260 - 10, 200 - 10]);
    const h = heatmap(r);
    expect([h.width, h.height]).toEqual([520, 400]);
    // Image pixel p lies on down-sampled sample floor((p + 1) / 2), map index that - 5:
    // samples 5..254 across cover x 9..508, samples 5..194 down cover y 9..388.
    const opaque = (img: typeof h, y: number) => {
      const xs = [];
      for (let x = 0; x < img.width; x++) if (img.data[4 * (y * img.width + x) + 3] !== 0) xs.push(x);
      return xs;
    };
    expect(opaque(h, 8)).toEqual([]);
    expect(opaque(h, 9)).toEqual(Array.from({ length: 500 }, (_, i) => 9 + i));
    expect(opaque(h, 388).length).toBe(500);
    expect(opaque(h, 389)).toEqual([]);
    // One dark map pixel, (0, 0), covers the 2x2 block at (9, 9).
    const solo = heatmap({ ...r, map: r.map!.map((_, i) => (i === 0 ? 0 : 1)) });
    const dark = [];
    for (let i = 0; i < 520 * 400; i++) if (solo.data[4 * i + 3] !== 0 && luminance(solo.data, 4 * i) < 0.1) dark.push([i % 520, Math.floor(i / 520)]);
    expect(dark).toEqual([[9, 9], [10, 9], [9, 10], [10, 10]]);
  });
});

describe('heatmap: colours', () => {
  const ramp = (values: number[]): Result => ({ score: 0, channels: [0], map: new Float32Array(values), mapWidth: values.length, mapHeight: 1 });

  it('lightness rises with the map value, from min (darkest) to max (lightest), clamped outside', () => {
    const values = Array.from({ length: 401 }, (_, i) => -1 + i / 200);
    const h = heatmap(ramp(values));
    const lum = values.map((_, i) => luminance(h.data, 4 * i));
    for (let i = 1; i < lum.length; i++) expect(lum[i]!, `at ${values[i]}`).toBeGreaterThanOrEqual(lum[i - 1]!);
    // Default scale: 0 and below darkest, 1 lightest, and they differ a lot.
    const at = (v: number) => lum[Math.round((v + 1) * 200)]!;
    expect(at(-1)).toBe(at(0));
    expect(at(0.5)).toBeGreaterThan(at(0.25));
    expect(at(1)).toBeGreaterThan(at(0.5));
    expect(at(1) / at(0)).toBeGreaterThan(20);
    // 256 steps between min and max: every one of them is a distinct colour.
    const steps = heatmap(ramp(Array.from({ length: 256 }, (_, i) => i / 255)));
    const seen = new Set<string>();
    for (let i = 0; i < 256; i++) seen.add(Array.from(steps.data.subarray(4 * i, 4 * i + 3)).join());
    expect(seen.size).toBe(256);
  });

  it('min and max move the ends; opacity sets the alpha of map pixels', () => {
    const h = heatmap(ramp([0.5, 0.9, 0.7]), { min: 0.5, max: 0.9, opacity: 0.5 });
    const d = heatmap(ramp([0, 1]));
    expect(Array.from(h.data.subarray(0, 3))).toEqual(Array.from(d.data.subarray(0, 3)));
    expect(Array.from(h.data.subarray(4, 7))).toEqual(Array.from(d.data.subarray(4, 7)));
    expect([h.data[3], h.data[7], h.data[11]]).toEqual([128, 128, 128]);
    expect([d.data[3], d.data[7]]).toEqual([255, 255]);
  });
});

describe('heatmap: bad input', () => {
  const ref = texture(20, 20);
  it('is refused with the function\'s name, and the module keeps working', () => {
    const r = ssim(ref, withSquare(ref, 5, 5, 3), { map: true });
    expectError(() => heatmap(undefined as never), TypeError, /^heatmap: result must be a metric's result/);
    expectError(() => heatmap(ssim(ref, ref)), TypeError, /^heatmap: result has no map: score with \{ map: true \}/);
    expectError(() => heatmap({ ...r, map: Array.from(r.map!) as never }), TypeError, /^heatmap: result\.map must be a Float32Array/);
    expectError(() => heatmap({ ...r, mapWidth: 11 }), RangeError, /^heatmap: result\.map holds 100 values/);
    expectError(() => heatmap({ ...r, mapOffsetX: 12 }), RangeError, /^heatmap: a 10x10 map at offset \(12, 5\).*does not fit a 20x20 image/);
    expectError(() => heatmap({ ...r, mapScale: 0 }), RangeError, /^heatmap: result\.mapScale must be an integer/);
    expectError(() => heatmap({ ...r, width: 1.5 }), RangeError, /^heatmap: result\.width must be an integer/);
    expectError(() => heatmap(r, { min: 1, max: 1 }), RangeError, /^heatmap: min \(1\) must be below max \(1\)/);
    expectError(() => heatmap(r, { min: Number.NaN }), RangeError, /^heatmap: min must be a finite number/);
    expectError(() => heatmap(r, { max: '1' as never }), TypeError, /^heatmap: max must be a number/);
    expectError(() => heatmap(r, { opacity: 2 }), RangeError, /^heatmap: opacity must be a number from 0 to 1/);
    expectError(() => heatmap(r, { alpha: 1 } as never), TypeError, /^heatmap: unknown option 'alpha'/);
    expectError(() => heatmap(r, 3 as never), TypeError, /^heatmap: options must be an object/);
    expect(heatmap(r).width).toBe(20);
  });
});

describe('examples/node/heatmap.mjs', () => {
  it('writes heatmap.png: the heatmap of the pair, as the API draws it', async () => {
    const stage = stageExample(testPackage(), 'node');
    try {
      const { stdout } = await exec(process.execPath, ['heatmap.mjs', SHIPPED.ref, SHIPPED.img], { cwd: stage.dir, timeout: 60_000 });
      const written = decode(readFileSync(join(stage.dir, 'heatmap.png')));
      const r = ssim(readFileSync(SHIPPED.ref), readFileSync(SHIPPED.img), { map: true });
      expect(stdout).toContain(`SSIM ${r.score.toFixed(4)}`);
      const want = heatmap(r);
      expect([written.width, written.height, written.channels]).toEqual([want.width, want.height, 4]);
      expect(Uint8ClampedArray.from(written.data)).toEqual(want.data);
      expect(encodePng(want)).toEqual(new Uint8Array(readFileSync(join(stage.dir, 'heatmap.png'))));
    } finally {
      stage.remove();
    }
  });
});
