// toBeSimilarTo, the bare matcher (ssimkit/matchers), in this repository's
// vitest: registered with expect.extend as a user extending by hand would,
// and called with a context to read its verdict and message. Each input
// form, .not, every metric's threshold (DSSIM's a maximum), differing
// sizes, the heatmap of a failure (where it goes, that it decodes to the
// image's size), bad arguments and options (the API's error classes, the
// matcher named first; the module keeps working). The consumer suite
// (test/consumers/matchers.test.ts) runs the setup entries in real projects.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, dssim, init, lwssim, msssim, ssim } from 'ssimkit';
import { type MatcherContext, toBeSimilarTo, type ToBeSimilarToOptions } from 'ssimkit/matchers';
import { expectError } from './shared/expect-error.js';

const IMAGES = fileURLToPath(new URL('../examples/images/', import.meta.url));
const REF = join(IMAGES, 'chelsea.png');
const JPEG = join(IMAGES, 'chelsea-jpeg-q20.png');

expect.extend({ toBeSimilarTo });
declare module 'vitest' {
  interface Matchers<T = any> {
    toBeSimilarTo(reference: unknown, options?: ToBeSimilarToOptions): T;
  }
}

/** A textured gray image (hash noise over a gradient). */
function texture(w: number, h: number, seed = 0) {
  const d = new Uint8Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = ((((i + seed) * 2654435761) >>> 0) % 97 + (i % w) * 2) & 255;
  return { data: d, width: w, height: h, channels: 1 };
}

/** `img` with deterministic noise of amplitude `amp` added. */
function noisy<T extends { data: Uint8Array }>(img: T, amp: number): T {
  let s = 12345;
  const data = img.data.map((v) => {
    s = (s * 1103515245 + 12345) >>> 0;
    return Math.max(0, Math.min(255, v + ((s >>> 16) % (2 * amp + 1)) - amp));
  });
  return { ...img, data };
}

let dir: string;
/** A context as the runners give one, the test file in a scratch folder. */
const ctx = (over: Partial<MatcherContext> = {}): MatcherContext => ({ isNot: false, testPath: join(dir, 'look.test.ts'), currentTestName: 'a page > renders', ...over });
const run = (received: unknown, reference: unknown, options?: ToBeSimilarToOptions, c = ctx()) => toBeSimilarTo.call(c, received, reference, options);

beforeAll(async () => {
  await init();
  dir = mkdtempSync(join(tmpdir(), 'ssimkit-matchers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inputs', () => {
  const ref = texture(64, 48);
  const near = noisy(ref, 3);
  const far = noisy(ref, 60);

  it('images, ImageData-like RGBA, encoded bytes (Buffer, Uint8Array, ArrayBuffer) and paths give the same verdict', () => {
    const png = readFileSync(REF);
    const decoded = decode(png);
    const rgba = new Uint8ClampedArray(decoded.width * decoded.height * 4);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) rgba.set([decoded.data[j]!, decoded.data[j + 1]!, decoded.data[j + 2]!, 255], i);
    const imageData = { data: rgba, width: decoded.width, height: decoded.height };
    const forms = [png, new Uint8Array(png), png.buffer.slice(png.byteOffset, png.byteOffset + png.length), decoded, imageData, REF];
    for (const a of forms) for (const b of forms) expect(run(a, b).pass).toBe(true);
    for (const a of forms) {
      expect(run(JPEG, a).pass).toBe(false);
      expect(run(a, JPEG, { ssim: 0.8 }).pass).toBe(true);
    }
  });

  it('relative paths start at the test file\'s folder', () => {
    const c = ctx({ testPath: join(IMAGES, 'some.test.ts') });
    expect(run('chelsea.png', 'chelsea.png', undefined, c).pass).toBe(true);
    expect(run('chelsea-jpeg-q20.png', './chelsea.png', { ssim: 0.9, heatmap: false }, c).pass).toBe(false);
  });

  it('with expect.extend: passes, fails and .not as vitest runs it', () => {
    expect(near).toBeSimilarTo(ref, { ssim: 0.9, heatmap: false });
    expect(far).not.toBeSimilarTo(ref, { ssim: 0.9 });
    expect(() => expect(far).toBeSimilarTo(ref, { ssim: 0.9, heatmap: false })).toThrow(/SSIM 0\.\d{6} < 0\.9 \(minimum\): fails/);
    expect(() => expect(near).not.toBeSimilarTo(ref, { ssim: 0.9 })).toThrow(/expected it not to be:\n {2}SSIM 0\.\d{6} >= 0\.9/);
  });

  it('the default threshold is SSIM 0.99', () => {
    const s = ssim(ref, noisy(ref, 1)).score;
    expect(s).toBeGreaterThan(0.99);
    expect(run(noisy(ref, 1), ref).pass).toBe(true);
    const t = ssim(ref, noisy(ref, 12)).score;
    expect(t).toBeLessThan(0.99);
    const r = run(noisy(ref, 12), ref, { heatmap: false });
    expect(r.pass).toBe(false);
    expect(r.message()).toContain(`SSIM ${t.toFixed(6)} < 0.99 (minimum): fails`);
  });
});

describe('thresholds', () => {
  const ref = texture(192, 176, 7);
  const img = noisy(ref, 12);
  let scores: Record<'ssim' | 'msssim' | 'dssim' | 'lwssim', number>;
  beforeAll(() => {
    scores = { ssim: ssim(ref, img).score, msssim: msssim(ref, img).score, dssim: dssim(ref, img), lwssim: lwssim(ref, img).score };
  });

  for (const m of ['ssim', 'msssim', 'lwssim'] as const) {
    it(`${m}: the score itself passes, the next number above it fails`, () => {
      const v = scores[m];
      expect(run(img, ref, { [m]: v }).pass).toBe(true);
      const up = v + Math.abs(v) * Number.EPSILON * 4;
      const r = run(img, ref, { [m]: up, heatmap: false });
      expect(r.pass).toBe(false);
      expect(r.message()).toMatch(new RegExp(`${{ ssim: 'SSIM', msssim: 'MS-SSIM', lwssim: 'LWSSIM' }[m]} [\\d.e-]+ < ${up} \\(minimum\\): fails`));
    });
  }

  it('dssim is a maximum: the score passes, anything below it fails', () => {
    const v = scores.dssim;
    expect(v).toBeCloseTo((1 - scores.ssim) / 2, 12);
    expect(run(img, ref, { dssim: v }).pass).toBe(true);
    expect(run(img, ref, { dssim: v * 2 }).pass).toBe(true);
    const r = run(img, ref, { dssim: v * 0.99, heatmap: false });
    expect(r.pass).toBe(false);
    expect(r.message()).toContain(`DSSIM ${v.toFixed(6)} > ${v * 0.99} (maximum): fails`);
  });

  it('several thresholds: every one must hold, and the message lists each', () => {
    const r = run(img, ref, { ssim: scores.ssim - 0.01, msssim: 1, dssim: 0.5, heatmap: false });
    expect(r.pass).toBe(false);
    const lines = r.message().split('\n');
    expect(lines.filter((l) => /^ {2}(SSIM|MS-SSIM|DSSIM) /.test(l))).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('  MS-SSIM'))).toMatch(/< 1 \(minimum\): fails$/);
    expect(lines.find((l) => l.startsWith('  SSIM'))).toMatch(/>= [\d.]+ \(minimum\)$/);
  });

  it('metric options reach the metrics that take them', () => {
    const luma = ssim(ref, img, { color: 'luma', window: 'box', size: 7 }).score;
    expect(luma).not.toBe(scores.ssim);
    expect(run(img, ref, { ssim: luma, color: 'luma', window: 'box', size: 7 }).pass).toBe(true);
    expect(run(img, ref, { ssim: luma + 1e-9, color: 'luma', window: 'box', size: 7, heatmap: false }).pass).toBe(false);
    const three = lwssim(ref, img, { levels: [3] }).score;
    expect(run(img, ref, { lwssim: three, levels: [3] }).pass).toBe(true);
    expect(run(img, ref, { lwssim: three + 1e-9, levels: [3], heatmap: false }).pass).toBe(false);
    const scales = msssim(ref, img, { scales: 2 }).score;
    expect(run(img, ref, { msssim: scales, scales: 2 }).pass).toBe(true);
    expect(run(img, ref, { msssim: scales + 1e-9, scales: 2, heatmap: false }).pass).toBe(false);
  });

  it('a number that rounds onto its threshold is shown in full', () => {
    const v = scores.ssim;
    const t = Number(v.toFixed(6));
    if (t > v) expect(run(img, ref, { ssim: t, heatmap: false }).message()).toContain(`SSIM ${v} < ${t}`);
    else expect(run(img, ref, { ssim: t }).message()).toContain(`SSIM ${v} >= ${t}`);
  });
});

describe('sizes', () => {
  it('differing sizes fail with a message, and pass under .not', () => {
    const r = run(texture(40, 30), texture(30, 40));
    expect(r.pass).toBe(false);
    expect(r.message()).toContain('The images differ in size: received is 40x30, reference 30x40');
    expect(texture(40, 30)).not.toBeSimilarTo(texture(40, 31));
  });
});

describe('the heatmap of a failure', () => {
  let ref: ReturnType<typeof decode>;
  beforeAll(() => {
    ref = decode(readFileSync(REF));
  });

  it('goes to __ssimkit__/<test file>/<test name>.png beside the test, RGBA as large as the input', () => {
    const r = run(JPEG, ref, { ssim: 0.95 }, ctx({ currentTestName: 'home page > renders: the "hero" <img>' }));
    expect(r.pass).toBe(false);
    const path = join(dir, '__ssimkit__', 'look.test.ts', 'home page - renders- the -hero- -img.png');
    expect(r.message()).toContain(`Heatmap (SSIM map, dark where the images differ): ${path}`);
    const h = decode(readFileSync(path));
    expect(h).toMatchObject({ width: ref.width, height: ref.height, channels: 4, format: 'png' });
  });

  it('is drawn with the metric options (a luma map differs from the RGB one)', () => {
    const a = run(JPEG, ref, { ssim: 0.95, heatmap: 'rgb.png' });
    const b = run(JPEG, ref, { ssim: 0.95, heatmap: 'luma.png', color: 'luma' });
    expect([a.pass, b.pass]).toEqual([false, false]);
    expect(Buffer.compare(readFileSync(join(dir, 'rgb.png')), readFileSync(join(dir, 'luma.png')))).not.toBe(0);
  });

  it('heatmap: a path (relative to the test file, or absolute); false writes none', () => {
    const abs = join(dir, 'abs', 'diff.png');
    expect(run(JPEG, ref, { ssim: 0.95, heatmap: abs }).message()).toContain(abs);
    expect(existsSync(abs)).toBe(true);
    const rel = run(JPEG, ref, { ssim: 0.95, heatmap: 'out/diff.png' }, ctx({ currentTestName: 'no file' }));
    expect(rel.message()).toContain(join(dir, 'out', 'diff.png'));
    expect(existsSync(join(dir, 'out', 'diff.png'))).toBe(true);
    const none = run(JPEG, ref, { ssim: 0.95, heatmap: false }, ctx({ currentTestName: 'none' }));
    expect(none.message()).not.toContain('Heatmap');
    expect(existsSync(join(dir, '__ssimkit__', 'look.test.ts', 'none.png'))).toBe(false);
  });

  it('none on a pass, nor when .not fails (a pass is what it reports)', () => {
    expect(run(JPEG, ref, { ssim: 0.8 }, ctx({ currentTestName: 'passes' })).pass).toBe(true);
    const r = run(JPEG, ref, { ssim: 0.8 }, ctx({ isNot: true, currentTestName: 'not' }));
    expect(r.pass).toBe(true);
    expect(r.message()).toContain('expected it not to be');
    expect(r.message()).not.toContain('Heatmap');
    for (const n of ['passes', 'not']) expect(existsSync(join(dir, '__ssimkit__', 'look.test.ts', `${n}.png`))).toBe(false);
  });

  it('a heatmap that cannot be written is said, and the verdict stands', () => {
    const r = run(JPEG, ref, { ssim: 0.95, heatmap: join(REF, 'x.png') });
    expect(r.pass).toBe(false);
    expect(r.message()).toMatch(/No heatmap written to .*x\.png: .*(ENOTDIR|EEXIST)/);
  });
});

describe('bad arguments', () => {
  const img = texture(32, 32);

  it('a reference file that does not exist is an Error, under .not too', () => {
    for (const isNot of [false, true]) {
      let e: unknown;
      try {
        run(img, 'missing/ref.png', undefined, ctx({ isNot }));
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toBe(`toBeSimilarTo: the reference file ${join(dir, 'missing/ref.png')} does not exist (relative paths start at the test file's folder, ${dir})`);
    }
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('inputs that are no image are TypeErrors naming the argument', () => {
    expectError(() => run(5, img), TypeError, /^toBeSimilarTo: received must be an image .*, or a file path, got 5/);
    expectError(() => run(img, null), TypeError, /^toBeSimilarTo: reference must be an image/);
    expectError(() => run(img, ''), TypeError, /^toBeSimilarTo: reference is an empty string/);
    expectError(() => run(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), img), TypeError, /^toBeSimilarTo: received is not a PNG, JPEG or WebP file/);
    expectError(() => run({ data: [1, 2], width: 1, height: 2 }, img), TypeError, /^toBeSimilarTo: received\.data must be/);
    expectError(() => run({ data: new Uint8Array(5), width: 2, height: 2 }, img), RangeError, /^toBeSimilarTo: received\.data holds 5 values/);
    expectError(() => run({ data: new Float32Array(32 * 32), width: 32, height: 32 }, img), TypeError, /^toBeSimilarTo: reference holds 8-bit integers and received floats/);
  });

  it('bad options are TypeErrors or RangeErrors naming the matcher', () => {
    expectError(() => run(img, img, 3 as never), TypeError, /^toBeSimilarTo: options must be an object/);
    expectError(() => run(img, img, { ssim: '0.9' } as never), TypeError, /^toBeSimilarTo: ssim \(a threshold\) must be a number, got the string "0.9"/);
    expectError(() => run(img, img, { ssim: 1.5 }), RangeError, /^toBeSimilarTo: ssim must be a number from -1 to 1, got 1.5/);
    expectError(() => run(img, img, { msssim: -0.1 }), RangeError, /^toBeSimilarTo: msssim must be a number from 0 to 1/);
    expectError(() => run(img, img, { dssim: Number.NaN }), RangeError, /^toBeSimilarTo: dssim must be/);
    expectError(() => run(img, img, { lwssim: Infinity }), RangeError, /^toBeSimilarTo: lwssim must be a finite number, got Infinity/);
    expectError(() => run(img, img, { psnr: 30 } as never), TypeError, /^toBeSimilarTo: unknown option 'psnr'/);
    expectError(() => run(img, img, { map: true } as never), TypeError, /^toBeSimilarTo: unknown option 'map'/);
    expectError(() => run(img, img, { heatmap: 1 } as never), TypeError, /^toBeSimilarTo: heatmap must be a file path .* or false, got 1/);
    expectError(() => run(img, img, { heatmap: '' }), TypeError, /^toBeSimilarTo: heatmap must be/);
    expectError(() => run(img, img, { levels: [3] }), TypeError, /^toBeSimilarTo: option 'levels' applies to no metric this assertion computes; it needs an lwssim threshold/);
    expectError(() => run(img, img, { scales: 2, heatmap: false }), TypeError, /^toBeSimilarTo: option 'scales' .* it needs an msssim threshold/);
    expectError(() => run(img, img, { msssim: 0.5, preset: 'skimage', heatmap: false }), TypeError, /^toBeSimilarTo: option 'preset' .* it needs an ssim threshold or a dssim threshold$/);
    expectError(() => run(img, img, { msssim: 0.5, lwssim: 1, weights: [1] }), RangeError, /^toBeSimilarTo: weights would apply to both/);
    expectError(() => run(img, img, { color: 'cmyk' as never }), RangeError, /^toBeSimilarTo: ssim: color must be one of/);
    expectError(() => run(img, img, { size: 4 }), RangeError, /^toBeSimilarTo: ssim: size must be an odd positive integer, got 4/);
    expectError(() => run(img, img, { lwssim: 1, gamma: 0.5 }), RangeError, /^toBeSimilarTo: lwssim: /);
    expectError(() => run(REF, REF, { maxPixels: 100 }), RangeError, /^toBeSimilarTo: reference \(.*chelsea\.png\).*100/);
  });

  it('the module keeps working after each error', () => {
    expect(run(img, img).pass).toBe(true);
    expect(ssim(img, img).score).toBe(1);
  });
});
