// Bad input: each mistake is a TypeError or RangeError that names what is
// wrong, thrown before the WebAssembly runs, and the module keeps working.
import { beforeAll, describe, expect, it } from 'vitest';
import { dssim, init, lwssim, msssim, ssim } from 'ssimkit';
import { expectError } from './shared/expect-error.js';

const W = 24, H = 20;
const rgb = (seed: number, w = W, h = H) => {
  const d = new Uint8Array(w * h * 3);
  for (let i = 0; i < d.length; i++) d[i] = (i * 31 + seed * 17 + (i >> 4)) & 255;
  return { data: d, width: w, height: h };
};
const A = rgb(1), B = rgb(2);
const f32 = (vals: number[]) => {
  const d = new Float32Array(W * H).fill(0.5);
  vals.forEach((v, i) => (d[i * 7] = v));
  return { data: d, width: W, height: H };
};

let good: number;
beforeAll(async () => {
  await init();
  good = ssim(A, B).score;
});

type Case = [name: string, call: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp];

const cases: Case[] = [
  ['ref not an object', () => ssim(null as never, B), TypeError, /ref must be an image/],
  ['data a plain array', () => ssim({ data: [1, 2, 3] as never, width: 1, height: 1 }, B), TypeError, /ref\.data must be a Uint8Array.*got an Array/],
  ['Float64Array data', () => ssim({ data: new Float64Array(W * H), width: W, height: H }, B), TypeError, /Float64Array/],
  ['Int16Array data', () => ssim(A, { data: new Int16Array(W * H * 3), width: W, height: H }), TypeError, /img\.data must be/],
  ['width a string', () => ssim({ ...A, width: '24' as never }, B), TypeError, /ref\.width must be a number/],
  ['zero width', () => ssim({ ...A, width: 0 }, B), RangeError, /ref\.width must be a positive integer, got 0/],
  ['negative height', () => ssim(A, { ...B, height: -20 }), RangeError, /img\.height must be a positive integer/],
  ['fractional width', () => ssim({ ...A, width: 23.5 }, B), RangeError, /positive integer, got 23\.5/],
  ['empty data', () => ssim({ data: new Uint8Array(0), width: 1, height: 1 }, B), RangeError, /holds 0 values/],
  ['data too short for channels', () => ssim({ ...A, channels: 4 }, { ...B, channels: 4 }), RangeError, /needs 1920/],
  ['5 channels', () => ssim({ ...A, channels: 5 }, B), RangeError, /channels must be 1, 2, 3 or 4, got 5/],
  ['inferred channel count not integral', () => ssim({ data: new Uint8Array(W * H * 3 + 1), width: W, height: H }, B), RangeError, /not 1-4 channels/],
  ['sizes differ', () => ssim(A, rgb(2, W, H + 2)), RangeError, /differ in shape: ref is 24x20x3, img is 24x22x3/],
  ['channels differ', () => ssim(A, { data: new Uint8Array(W * H * 4), width: W, height: H }), RangeError, /24x20x3.*24x20x4/],
  ['pixel types differ', () => ssim(A, { data: new Uint16Array(W * H * 3), width: W, height: H }), TypeError, /differ in pixel type: ref is u8, img is u16/],
  ['NaN in float data', () => ssim(f32([NaN]), f32([])), RangeError, /ref\.data\[0\] is NaN/],
  ['Infinity in float data', () => ssim(f32([]), f32([0, Infinity])), RangeError, /img\.data\[7\] is Infinity/],
  ['-Infinity in float data', () => msssim(f32([-Infinity]), f32([])), RangeError, /must be finite/],
  ['product overflows', () => ssim({ data: new Uint8Array(3), width: 2 ** 30, height: 2 ** 30 }, B), RangeError, /pixels; at most/],
  ['absurd width', () => ssim({ data: new Uint8Array(3), width: 1e12, height: 1 }, B), RangeError, /at most/],
  ['window larger than image', () => ssim(rgb(1, 9, 9), rgb(2, 9, 9)), RangeError, /11x11 window does not fit a 9x9 image/],
  ['even window', () => ssim(A, B, { size: 8 }), RangeError, /size must be an odd positive integer, got 8/],
  ['negative window', () => ssim(A, B, { size: -3 }), RangeError, /size must be an odd positive integer, got -3/],
  ['window a string', () => ssim(A, B, { size: '11' as never }), TypeError, /size must be a number/],
  ['unknown option', () => ssim(A, B, { windowSize: 11 } as never), TypeError, /unknown option 'windowSize'/],
  ['unknown window kind', () => ssim(A, B, { window: 'triangle' as never }), RangeError, /window must be one of 'gaussian', 'box'/],
  ['zero sigma', () => ssim(A, B, { sigma: 0 }), RangeError, /sigma must be positive/],
  ['NaN k1', () => ssim(A, B, { k1: NaN }), RangeError, /k1 must be positive, got NaN/],
  ['negative dataRange', () => ssim(A, B, { dataRange: -1 }), RangeError, /dataRange must be positive/],
  ['options not an object', () => ssim(A, B, 5 as never), TypeError, /options must be an object/],
  ['matlab preset with a window', () => ssim(A, B, { preset: 'matlab', size: 7 }), RangeError, /preset 'matlab' fixes size/],
  ['unknown preset', () => ssim(A, B, { preset: 'tf' as never }), RangeError, /preset must be one of/],
  ['map on dssim', () => dssim(A, B, { map: true } as never), TypeError, /unknown option 'map'/],
  ['msssim on a small image', () => msssim(A, B), RangeError, /too small for 5 MS-SSIM scales.*scales: 'auto'/],
  ['msssim scales 6', () => msssim(A, B, { scales: 6 }), RangeError, /scales must be an integer from 1 to 5/],
  ['msssim negative weight', () => msssim(A, B, { weights: [-1], size: 3 }), RangeError, /weights\[0\] must be non-negative/],
  ['msssim weights and scales disagree', () => msssim(A, B, { weights: [0.5, 0.5], scales: 3, size: 3 }), RangeError, /disagree/],
  ['lwssim empty levels', () => lwssim(A, B, { levels: [] }), RangeError, /levels must not be empty/],
  ['lwssim even level', () => lwssim(A, B, { levels: [3, 4] }), RangeError, /levels\[1\] must be an odd positive integer/],
  ['lwssim level too large', () => lwssim(A, B, { levels: [25] }), RangeError, /25x25 window does not fit/],
  ['lwssim weights length', () => lwssim(A, B, { weights: [1, 2] }), RangeError, /weights has 2 entries for 5 levels/],
  ['lwssim negative weight', () => lwssim(A, B, { weights: [1, 1, -1, 1, 1] }), RangeError, /weights\[2\] must be non-negative/],
  ['lwssim fractional gamma', () => lwssim(A, B, { gamma: 0.5 }), RangeError, /gamma must be a non-negative integer.*can be negative/],
  ['lwssim negative beta', () => lwssim(A, B, { beta: -1 }), RangeError, /beta must be a non-negative number/],
  ['lwssim fractional alpha on negative data', () => lwssim(f32([-0.5]), f32([]), { alpha: 0.5 }), RangeError, /alpha 0\.5 is not an integer/],
];

describe('bad input', () => {
  it.each(cases)('%s', (_name, call, type, message) => {
    expectError(call, type, message);
    // The module is unharmed: the same call as before gives the same bits.
    expect(ssim(A, B).score).toBe(good);
  });

  it('accepts what it should: a float alpha on non-negative data, 3 scales on a small image', () => {
    expect(lwssim(f32([0.25]), f32([]), { alpha: 0.5 }).score).toBeGreaterThan(0);
    const big = rgb(3, 48, 44), big2 = rgb(4, 48, 44);
    expect(msssim(big, big2, { scales: 3, size: 5 }).score).toBeGreaterThan(0);
  });
});
