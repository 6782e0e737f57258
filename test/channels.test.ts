// Images of different channel counts and bit depths compare (issue 9, item
// 2; the rules are crate/src/pairing.rs's): each mixed pair scores what the
// equal pair built here from the rule scores.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { dssim, init, lwssim, msssim, ssim } from 'ssimkit';

type Data = Uint8Array | Uint16Array | Float32Array;
interface Img { data: Data; width: number; height: number; channels: number }

const W = 170, H = 166;

/** A structured 8-bit image (values as numbers, to be cast). */
const photo = (c: number, seed: number): number[] => {
  const d: number[] = [];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let k = 0; k < c; k++) {
        const v = 128 + 90 * Math.sin(x * 0.17 + k + seed) * Math.cos(y * 0.11 - seed) + ((x * 7 + y * 13 + seed * 29 + k * 5) % 23) - 11;
        d.push(Math.max(0, Math.min(255, Math.round(v))));
      }
  return d;
};
const u8 = (d: number[], c: number): Img => ({ data: Uint8Array.from(d), width: W, height: H, channels: c });
const u16 = (d: number[], c: number): Img => ({ data: Uint16Array.from(d), width: W, height: H, channels: c });
const f32 = (d: number[], c: number): Img => ({ data: Float32Array.from(d), width: W, height: H, channels: c });

/** Channels `keep` of each pixel of a `c`-channel image, then `extra` if given. */
const remap = (d: ArrayLike<number>, c: number, keep: number[], extra?: number): number[] => {
  const out: number[] = [];
  for (let i = 0; i < d.length; i += c) {
    for (const k of keep) out.push(d[i + k]!);
    if (extra !== undefined) out.push(extra);
  }
  return out;
};
const values = (img: Img) => Array.from(img.data);

type Opts = Record<string, unknown>;
/** Every metric, both borders where it has them: [name, score, channels, map]. */
const every = (x: Img, y: Img, o: Opts = {}): [string, number, number[], Float32Array | undefined][] => {
  const out: [string, number, number[], Float32Array | undefined][] = [];
  for (const border of ['valid', 'same'] as const) {
    const r = ssim(x, y, { ...o, border, map: true });
    out.push([`ssim ${border}`, r.score, r.channels, r.map]);
    const s = ssim(x, y, { ...o, border });
    out.push([`ssim stream ${border}`, s.score, s.channels, undefined]);
    const b = ssim(x, y, { ...o, border, preset: 'skimage' });
    out.push([`ssim skimage ${border}`, b.score, b.channels, undefined]);
    out.push([`dssim ${border}`, dssim(x, y, { ...o, border }), [], undefined]);
    const l = lwssim(x, y, { ...o, border });
    out.push([`lwssim ${border}`, l.score, l.channels, undefined]);
  }
  const m = msssim(x, y, { ...o, scales: 3 });
  out.push(['msssim', m.score, m.channels, undefined]);
  return out;
};

/** The same bits for every metric, and a pair far from identical. */
const same = (got: ReturnType<typeof every>, want: ReturnType<typeof every>) => {
  expect(got.map((g) => g[0])).toEqual(want.map((w) => w[0]));
  got.forEach(([name, score, channels, map], i) => {
    const [, s, c, m] = want[i]!;
    expect(Object.is(score, s), `${name}: ${score} vs ${s}`).toBe(true);
    expect(channels, name).toEqual(c);
    expect(map, name).toEqual(m);
    // Identical images score 1 (LWSSIM 2, DSSIM 0): these are far from it.
    const ideal = name.startsWith('lwssim') ? 2 : name.startsWith('dssim') ? 0 : 1;
    expect(Math.abs(score - ideal), name).toBeGreaterThan(1e-3);
  });
};

beforeAll(async () => {
  await init();
});

const A4 = photo(4, 1), B4 = photo(4, 2);
const rgb = (d: number[]) => remap(d, 4, [0, 1, 2]);

describe('RGB against RGBA', () => {
  it('compares R, G, B: the bits of RGB against RGB with alpha stripped, either way round', () => {
    for (const color of ['rgb', 'luma'] as const) {
      same(every(u8(A4, 4), u8(rgb(B4), 3), { color }), every(u8(rgb(A4), 3), u8(rgb(B4), 3), { color }));
      same(every(u8(rgb(A4), 3), u8(B4, 4), { color }), every(u8(rgb(A4), 3), u8(rgb(B4), 3), { color }));
    }
    const r = ssim(u8(A4, 4), u8(rgb(B4), 3));
    expect(r.channels).toHaveLength(3);
  });

  it('with includeAlpha, the image without alpha is opaque: alpha = 255, 65535 or 1 (the data range)', () => {
    const o = { includeAlpha: true };
    same(every(u8(A4, 4), u8(rgb(B4), 3), o), every(u8(A4, 4), u8(remap(B4, 4, [0, 1, 2], 255), 4), o));
    same(every(u8(rgb(A4), 3), u8(B4, 4), o), every(u8(remap(A4, 4, [0, 1, 2], 255), 4), u8(B4, 4), o));
    const w = (d: number[]) => d.map((v) => v * 257);
    same(every(u16(w(A4), 4), u16(rgb(w(B4)), 3), o), every(u16(w(A4), 4), u16(remap(w(B4), 4, [0, 1, 2], 65535), 4), o));
    const f = (d: number[]) => d.map((v) => Math.fround(v / 255));
    same(every(f32(f(A4), 4), f32(rgb(f(B4)), 3), o), every(f32(f(A4), 4), f32(remap(f(B4), 4, [0, 1, 2], 1), 4), o));
    // A given dataRange is the opaque alpha of float images.
    const o255 = { includeAlpha: true, dataRange: 255 };
    same(every(f32(A4, 4), f32(rgb(B4), 3), o255), every(f32(A4, 4), f32(remap(B4, 4, [0, 1, 2], 255), 4), o255));
    expect(ssim(u8(A4, 4), u8(rgb(B4), 3), o).channels).toHaveLength(4);
    expect(ssim(u8(rgb(A4), 3), u8(rgb(B4), 3), o).channels).toHaveLength(3);
  });

  it('gray against gray + alpha follows the same rule', () => {
    const g = remap(A4, 4, [0]), ga = remap(B4, 4, [1, 3]);
    same(every(u8(g, 1), u8(ga, 2)), every(u8(g, 1), u8(remap(ga, 2, [0]), 1)));
    same(every(u8(g, 1), u8(ga, 2), { includeAlpha: true }), every(u8(remap(g, 1, [0], 255), 2), u8(ga, 2), { includeAlpha: true }));
  });
});

describe('gray against colour', () => {
  // The reference: the luma computed here, exactly. 1000 Y = 299 R + 587 G
  // + 114 B is an integer below 2^24, so a Float32Array holds it (and 1000
  // gray) without rounding; scored with dataRange 255000 the planes are the
  // rule's Y / 255 to within an ulp or two of float64.
  const luma1000 = (d: number[], c: number) => {
    const out: number[] = [];
    for (let i = 0; i < d.length; i += c) out.push(299 * d[i]! + 587 * d[i + 1]! + 114 * d[i + 2]!);
    return out;
  };
  const G = remap(A4, 4, [1]);
  const ref = (gray: number[], colour: number[], c: number, o: Opts, grayFirst: boolean) => {
    const g = f32(gray.map((v) => 1000 * v), 1), y = f32(luma1000(colour, c), 1);
    const [a, b] = grayFirst ? [g, y] : [y, g];
    return every(a, b, { ...o, dataRange: 255000 });
  };

  it('compares the gray plane with the colour image\'s luma (0.299 R + 0.587 G + 0.114 B), one score, to 1e-12', () => {
    for (const c of [3, 4]) {
      const colour = remap(B4, 4, [0, 1, 2, 3].slice(0, c));
      for (const color of ['rgb', 'luma'] as const) {
        for (const grayFirst of [true, false]) {
          const [x, y] = grayFirst ? [u8(G, 1), u8(colour, c)] : [u8(colour, c), u8(G, 1)];
          const got = every(x, y, { color });
          const want = ref(G, colour, c, {}, grayFirst);
          got.forEach(([name, score, channels, map], i) => {
            const [, s, , m] = want[i]!;
            expect(Math.abs(score - s), `${name} ${c} ${color}`).toBeLessThan(1e-12);
            if (name !== 'dssim valid' && name !== 'dssim same') expect(channels).toHaveLength(1);
            if (map) for (let j = 0; j < map.length; j += 97) expect(Math.abs(map[j]! - m![j]!)).toBeLessThanOrEqual(2 ** -23);
            expect(Math.abs(score - (name.startsWith('lwssim') ? 2 : name.startsWith('dssim') ? 0 : 1))).toBeGreaterThan(1e-3);
          });
        }
      }
    }
  });

  it('with includeAlpha, alpha against alpha or an opaque one', () => {
    const ga = remap(A4, 4, [1, 3]), colour = rgb(B4);
    const r = ssim(u8(ga, 2), u8(colour, 3), { includeAlpha: true });
    expect(r.channels).toHaveLength(2);
    expect(r.channels[0]).toBe(ssim(u8(ga, 2), u8(colour, 3)).score);
    // Alpha against 255 everywhere: the alpha plane's own SSIM.
    expect(r.channels[1]).toBe(ssim(u8(remap(ga, 2, [1]), 1), u8(new Array<number>(W * H).fill(255), 1)).score);
    expect(ssim(u8(G, 1), u8(colour, 3), { includeAlpha: true }).channels).toHaveLength(1);
  });

  it("the matlab preset makes both gray with its own rgb2gray, as before", () => {
    const colour = rgb(B4);
    const gray = [];
    for (let i = 0; i < colour.length; i += 3) gray.push(Math.floor(0.29894 * colour[i]! + 0.58704 * colour[i + 1]! + 0.11402 * colour[i + 2]! + 0.5));
    const o = { preset: 'matlab', map: true } as const;
    expect(ssim(u8(G, 1), u8(colour, 3), o)).toEqual(ssim(u8(G, 1), u8(gray, 1), o));
  });
});

describe('8-bit against 16-bit', () => {
  it('v / 255 and 257 v / 65535 are the same double for all 256 values', () => {
    for (let v = 0; v < 256; v++) expect(v / 255).toBe((257 * v) / 65535);
  });

  it('compares as 16-bit: the bits of the 16-bit pair with the 8-bit samples times 257', () => {
    const b16 = photo(4, 3).map((v, i) => (v * 251 + i * 7) % 65536);
    const w = (d: number[]) => d.map((v) => v * 257);
    for (const [ca, cb] of [[3, 3], [4, 3], [1, 4], [3, 2]] as const) {
      const a = remap(A4, 4, [0, 1, 2, 3].slice(0, ca)), b = remap(b16, 4, [0, 1, 2, 3].slice(0, cb));
      for (const o of [{}, { includeAlpha: true, color: 'luma' }]) {
        same(every(u8(a, ca), u16(b, cb), o), every(u16(w(a), ca), u16(b, cb), o));
        same(every(u16(b, cb), u8(a, ca), o), every(u16(b, cb), u16(w(a), ca), o));
      }
      const m = { preset: 'matlab', map: true } as const;
      expect(ssim(u8(a, ca), u16(b, cb), m)).toEqual(ssim(u16(w(a), ca), u16(b, cb), m));
    }
    // An 8-bit pair promoted: the 8-bit pair's bits (the claim above).
    const x = u8(rgb(A4), 3), y = u8(rgb(B4), 3);
    expect(ssim(x, { ...y, data: Uint16Array.from(values(y), (v) => v * 257) }).score).toBe(ssim(x, y).score);
  });
});

describe('random mixed pairs', () => {
  const RUNS = Number(process.env.FC_RUNS ?? 60);
  it('score within the bounds, symmetric to the bit, channels as the rule says; 8-bit against its own 257 v copy is identical', () => {
    const draw = fc.record({
      w: fc.integer({ min: 11, max: 40 }), h: fc.integer({ min: 11, max: 40 }),
      cx: fc.integer({ min: 1, max: 4 }), cy: fc.integer({ min: 1, max: 4 }),
      kinds: fc.constantFrom(['u8', 'u16'], ['u16', 'u8'], ['u8', 'u8'], ['f32', 'f32']),
      color: fc.constantFrom('rgb', 'luma'), includeAlpha: fc.boolean(), border: fc.constantFrom('valid', 'same'),
      seed: fc.integer(),
    });
    fc.assert(fc.property(draw, ({ w, h, cx, cy, kinds, color, includeAlpha, border, seed }) => {
      let s = seed >>> 0;
      const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const make = (kind: string, c: number) => {
        const n = w * h * c;
        const data = kind === 'u8' ? Uint8Array.from({ length: n }, () => next() * 256)
          : kind === 'u16' ? Uint16Array.from({ length: n }, () => next() * 65536)
            : Float32Array.from({ length: n }, () => next());
        return { data, width: w, height: h, channels: c };
      };
      const x = make(kinds[0]!, cx), y = make(kinds[1]!, cy);
      const o = { color, includeAlpha } as const;
      const r = ssim(x, y, { ...o, border }), t = ssim(y, x, { ...o, border });
      expect(r.score).toBeGreaterThanOrEqual(-1);
      expect(r.score).toBeLessThanOrEqual(1);
      expect([r.score, r.channels]).toEqual([t.score, t.channels]);
      const gray = (c: number) => c < 3;
      const planes = (gray(cx) || gray(cy) || color === 'luma' ? 1 : 3) + (includeAlpha && (cx % 2 === 0 || cy % 2 === 0) ? 1 : 0);
      expect(r.channels).toHaveLength(planes);
      const l = lwssim(x, y, { ...o, border });
      expect(Math.abs(l.score)).toBeLessThanOrEqual(2);
      expect(l.score).toBe(lwssim(y, x, { ...o, border }).score);
      const m = msssim(x, y, { ...o, scales: 'auto' });
      expect(m.score).toBeGreaterThanOrEqual(0);
      expect(m.score).toBe(msssim(y, x, { ...o, scales: 'auto' }).score);
      if (x.data instanceof Uint8Array) {
        const wide = { ...x, data: Uint16Array.from(x.data, (v) => v * 257) };
        expect(ssim(x, wide, o).score).toBe(1);
        expect(msssim(wide, x, { ...o, scales: 'auto' }).score).toBe(1);
        expect(lwssim(x, wide, o).score).toBe(2);
      }
    }), { numRuns: RUNS });
  });
});
