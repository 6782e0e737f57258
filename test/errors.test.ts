// Bad input: each mistake is a TypeError or RangeError that names what is
// wrong (with the function's name first), thrown before the WebAssembly
// runs, and the module keeps working: after every case the same call as
// before gives the same bits.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dssim, dssimMaeLoss, init, lwssim, lwssimLoss, msssim, msssimLoss, phasedDssimMae, ssim, ssimLoss,
} from 'ssimkit';
import { expectError } from './shared/expect-error.js';

const W = 24, H = 20;
const rgb = (seed: number, w = W, h = H) => {
  const d = new Uint8Array(w * h * 3);
  for (let i = 0; i < d.length; i++) d[i] = (i * 31 + seed * 17 + (i >> 4)) & 255;
  return { data: d, width: w, height: h };
};
const A = rgb(1), B = rgb(2);
const f32 = (vals: number[], fill = 0.5) => {
  const d = new Float32Array(W * H).fill(fill);
  vals.forEach((v, i) => (d[i * 7] = v));
  return { data: d, width: W, height: H };
};
type Shape = [number, number, number, number];
const batch = (fill = 0.5, shape: Shape = [2, 16, 16, 1]) => ({ data: new Float32Array(shape.reduce((a, b) => a * b)).fill(fill), shape });
const P = batch(0.4), T = batch(0.6);

let good: number;
let goodLoss: number;
beforeAll(async () => {
  await init();
  good = ssim(A, B).score;
  goodLoss = dssimMaeLoss(P, T, { size: 7 }).loss;
});

type Case = [name: string, call: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp];

// A typed array whose `length` lies, one dressed as a Uint8Array, one detached.
const lying = () => {
  const d = new Uint8Array(W * H * 3);
  Object.defineProperty(d, 'length', { value: W * H * 4 });
  return { data: d, width: W, height: H, channels: 4 };
};
const fake = () => ({ data: Object.create(Uint8Array.prototype, { length: { value: W * H * 3 } }), width: W, height: H });
const detached = () => {
  const d = new Uint8Array(W * H * 3);
  structuredClone(d.buffer, { transfer: [d.buffer] });
  return { data: d, width: W, height: H };
};

const images: Case[] = [
  ['ref not an object', () => ssim(null as never, B), TypeError, /^ssim: ref must be an image.*got null/],
  ['ref undefined', () => ssim(undefined as never, B), TypeError, /^ssim: ref must be an image.*got undefined$/],
  ['ref a number', () => ssim(5 as never, B), TypeError, /got 5$/],
  ['ref a typed array itself (a file to decode)', () => ssim(A.data as never, B), TypeError, /^ssim: ref is not a PNG, JPEG or WebP file/],
  ['data missing', () => ssim({ width: W, height: H } as never, B), TypeError, /ref\.data must be a Uint8Array.*got undefined$/],
  ['data a plain array', () => ssim({ data: [1, 2, 3] as never, width: 1, height: 1 }, B), TypeError, /ref\.data must be a Uint8Array.*got \[1, 2, 3\]/],
  ['Float64Array data', () => ssim({ data: new Float64Array(W * H), width: W, height: H }, B), TypeError, /got a Float64Array/],
  ['Int16Array data', () => ssim(A, { data: new Int16Array(W * H * 3), width: W, height: H }), TypeError, /img\.data must be.*Int16Array/],
  ['Int8Array data', () => ssim({ data: new Int8Array(W * H * 3), width: W, height: H }, B), TypeError, /got a Int8Array/],
  ['BigUint64Array data', () => ssim({ data: new BigUint64Array(W * H), width: W, height: H }, B), TypeError, /BigUint64Array/],
  ['DataView data', () => ssim({ data: new DataView(new ArrayBuffer(W * H * 3)) as never, width: W, height: H }, B), TypeError, /got a DataView/],
  ['ArrayBuffer data', () => ssim({ data: new ArrayBuffer(W * H * 3) as never, width: W, height: H }, B), TypeError, /got a ArrayBuffer/],
  ['an object dressed as a Uint8Array', () => ssim(fake() as never, B), TypeError, /ref\.data must be a Uint8Array/],
  ['a redefined length', () => ssim(lying(), lying()), RangeError, /ref\.data holds 1440 values.*needs 1920/],
  ['a detached buffer', () => ssim(detached(), B), RangeError, /ref\.data holds 0 values/],
  ['width a string', () => ssim({ ...A, width: '24' as never }, B), TypeError, /ref\.width must be a number, got the string "24"/],
  ['width missing', () => ssim({ data: A.data, height: H } as never, B), TypeError, /ref\.width must be a number, got undefined$/],
  ['width a bigint', () => ssim({ ...A, width: 24n as never }, B), TypeError, /got the bigint 24n/],
  ['zero width', () => ssim({ ...A, width: 0 }, B), RangeError, /ref\.width must be a positive integer, got 0/],
  ['NaN width', () => ssim({ ...A, width: NaN }, B), RangeError, /ref\.width must be a positive integer, got NaN/],
  ['infinite height', () => ssim({ ...A, height: Infinity }, B), RangeError, /ref\.height must be a positive integer, got Infinity/],
  ['negative height', () => ssim(A, { ...B, height: -20 }), RangeError, /img\.height must be a positive integer/],
  ['fractional width', () => ssim({ ...A, width: 23.5 }, B), RangeError, /positive integer, got 23\.5/],
  ['empty data', () => ssim({ data: new Uint8Array(0), width: 1, height: 1 }, B), RangeError, /holds 0 values/],
  ['data too short for channels', () => ssim({ ...A, channels: 4 }, { ...B, channels: 4 }), RangeError, /needs 1920/],
  ['5 channels', () => ssim({ ...A, channels: 5 }, B), RangeError, /channels must be 1, 2, 3 or 4, got 5/],
  ['0 channels', () => ssim({ ...A, channels: 0 }, B), RangeError, /channels must be a positive integer, got 0/],
  ['channels a string', () => ssim({ ...A, channels: '3' as never }, B), TypeError, /channels must be a number, got the string "3"/],
  ['inferred channel count not integral', () => ssim({ data: new Uint8Array(W * H * 3 + 1), width: W, height: H }, B), RangeError, /not 1-4 channels/],
  ['sizes differ', () => ssim(A, rgb(2, W, H + 2)), RangeError, /differ in shape: ref is 24x20x3, img is 24x22x3/],
  ['channels differ', () => ssim(A, { data: new Uint8Array(W * H * 4), width: W, height: H }), RangeError, /24x20x3.*24x20x4/],
  ['pixel types differ', () => ssim(A, { data: new Uint16Array(W * H * 3), width: W, height: H }), TypeError, /differ in pixel type: ref is u8, img is u16/],
  ['NaN in float data', () => ssim(f32([NaN]), f32([])), RangeError, /ref\.data\[0\] is NaN/],
  ['Infinity in float data', () => ssim(f32([]), f32([0, Infinity])), RangeError, /img\.data\[7\] is Infinity/],
  ['-Infinity in float data', () => msssim(f32([-Infinity]), f32([])), RangeError, /must be finite/],
  ['product overflows', () => ssim({ data: new Uint8Array(3), width: 2 ** 30, height: 2 ** 30 }, B), RangeError, /pixels; at most/],
  ['absurd width', () => ssim({ data: new Uint8Array(3), width: 1e12, height: 1 }, B), RangeError, /at most/],
  ['0-255 floats with the default dataRange', () => ssim(f32([200], 100), f32([], 100)), RangeError, /ref\.data\[0\] is 200 but dataRange is 1.*pass dataRange: 255/],
  ['8-bit data with dataRange 1', () => ssim(A, B, { dataRange: 1 }), RangeError, /but dataRange is 1.*8-bit/],
  ['16-bit data with dataRange 255', () => lwssim({ data: new Uint16Array(W * H).fill(60000), width: W, height: H }, { data: new Uint16Array(W * H), width: W, height: H }, { dataRange: 255 }), RangeError, /^lwssim: ref\.data\[0\] is 60000 but dataRange is 255/],
  ['huge floats in the second image of msssim', () => msssim(f32([]), f32([1e30]), { size: 3, scales: 2 }), RangeError, /^msssim: img\.data\[0\] is 1\.00000001504746\d*e\+30/],
];

const options: Case[] = [
  ['options not an object', () => ssim(A, B, 5 as never), TypeError, /options must be an object, got 5/],
  ['options an array', () => ssim(A, B, [] as never), TypeError, /options must be an object, got \[\]/],
  ['options a string', () => ssim(A, B, 'gaussian' as never), TypeError, /options must be an object, got the string "gaussian"/],
  ['unknown option', () => ssim(A, B, { windowSize: 11 } as never), TypeError, /unknown option 'windowSize'/],
  ['window larger than image', () => ssim(rgb(1, 9, 9), rgb(2, 9, 9)), RangeError, /11x11 window does not fit a 9x9 image/],
  ['even window', () => ssim(A, B, { size: 8 }), RangeError, /size must be an odd positive integer, got 8/],
  ['negative window', () => ssim(A, B, { size: -3 }), RangeError, /size must be an odd positive integer, got -3/],
  ['fractional window', () => ssim(A, B, { size: 2.5 }), RangeError, /size must be an odd positive integer, got 2\.5/],
  ['NaN window', () => ssim(A, B, { size: NaN }), RangeError, /size must be an odd positive integer, got NaN/],
  ['window a string', () => ssim(A, B, { size: '11' as never }), TypeError, /size must be a number/],
  ['unknown window kind', () => ssim(A, B, { window: 'triangle' as never }), RangeError, /window must be one of 'gaussian', 'box'/],
  ['a Gaussian window of 301 taps', () => ssim(rgb(1, 320, 310), rgb(2, 320, 310), { size: 301 }), RangeError, /^ssim: size 301: a Gaussian window costs 301 multiplications per pixel; at most 255/],
  ['window kind a number', () => ssim(A, B, { window: 1 as never }), TypeError, /window must be one of.*got 1/],
  ['zero sigma', () => ssim(A, B, { sigma: 0 }), RangeError, /sigma must be a number from 0\.001 to 1000, got 0/],
  ['tiny sigma', () => ssim(A, B, { sigma: 1e-300 }), RangeError, /sigma must be a number from 0\.001 to 1000, got 1e-300/],
  ['huge sigma', () => ssim(A, B, { sigma: 1e200 }), RangeError, /sigma must be.*got 1e\+200/],
  ['NaN k1', () => ssim(A, B, { k1: NaN }), RangeError, /k1 must be a number from 0\.000001 to 1000000, got NaN/],
  ['zero k1', () => ssim(A, B, { k1: 0 }), RangeError, /k1 must be a number from/],
  ['tiny k2', () => ssim(A, B, { k2: 1e-300 }), RangeError, /k2 must be a number from.*got 1e-300/],
  ['huge k2', () => dssim(A, B, { k2: 1e200 }), RangeError, /^dssim: k2 must be/],
  ['infinite k1', () => msssim(A, B, { k1: Infinity, scales: 'auto' }), RangeError, /^msssim: k1 must be.*got Infinity/],
  ['k1 a string', () => ssim(A, B, { k1: '0.01' as never }), TypeError, /k1 must be a number, got the string "0\.01"/],
  ['negative dataRange', () => ssim(A, B, { dataRange: -1 }), RangeError, /dataRange must be a number from 0\.000001 to 1000000000000, got -1/],
  ['tiny dataRange', () => ssim(f32([]), f32([]), { dataRange: 1e-300 }), RangeError, /dataRange must be.*got 1e-300/],
  ['huge dataRange', () => lwssim(A, B, { dataRange: 1e200 }), RangeError, /^lwssim: dataRange must be/],
  ['dataRange null', () => ssim(A, B, { dataRange: null as never }), TypeError, /dataRange must be a number, got null/],
  ['unknown colour', () => ssim(A, B, { color: 'yuv' as never }), RangeError, /color must be one of 'rgb', 'luma', got 'yuv'/],
  ['includeAlpha a string', () => ssim(A, B, { includeAlpha: 'yes' as never }), TypeError, /includeAlpha must be true or false, got the string "yes"/],
  ['map a number', () => ssim(A, B, { map: 1 as never }), TypeError, /map must be true or false, got 1/],
  ['unknown border', () => ssim(A, B, { border: 'wrap' as never }), RangeError, /border must be one of 'valid', 'same'/],
  ['sample covariance of one tap', () => ssim(A, B, { covariance: 'sample', size: 1 }), RangeError, /covariance 'sample' divides by N - 1, which a 1x1 window makes 0/],
  ['skimage preset with a 1x1 window', () => ssim(A, B, { preset: 'skimage', size: 1 }), RangeError, /covariance 'sample'/],
  ['unknown covariance', () => ssim(A, B, { covariance: 'unbiased' as never }), RangeError, /covariance must be one of/],
  ['matlab preset with a window', () => ssim(A, B, { preset: 'matlab', size: 7 }), RangeError, /preset 'matlab' fixes size/],
  ['unknown preset', () => ssim(A, B, { preset: 'tf' as never }), RangeError, /preset must be one of/],
  ['map on dssim', () => dssim(A, B, { map: true } as never), TypeError, /^dssim: unknown option 'map'/],
];

const multiscale: Case[] = [
  ['msssim on a small image', () => msssim(A, B), RangeError, /too small for 5 MS-SSIM scales.*scales: 'auto'/],
  ['msssim scales 6', () => msssim(A, B, { scales: 6 }), RangeError, /scales must be an integer from 1 to 5 or 'auto', got 6/],
  ['msssim scales 0', () => msssim(A, B, { scales: 0 }), RangeError, /scales must be an integer from 1 to 5/],
  ['msssim scales fractional', () => msssim(A, B, { scales: 1.5 }), RangeError, /got 1\.5/],
  ['msssim scales a string', () => msssim(A, B, { scales: 'all' as never }), TypeError, /scales must be an integer.*got the string "all"/],
  ['msssim negative weight', () => msssim(A, B, { weights: [-1], size: 3 }), RangeError, /weights\[0\] must be a number from 0 to 64, got -1/],
  ['msssim huge weight', () => msssim(A, B, { weights: [1e300], size: 3 }), RangeError, /weights\[0\] must be a number from 0 to 64/],
  ['msssim NaN weight', () => msssim(A, B, { weights: [0.5, NaN], size: 3 }), RangeError, /weights\[1\] must be.*got NaN/],
  ['msssim weight a string', () => msssim(A, B, { weights: ['0.5'] as never, size: 3 }), TypeError, /weights\[0\] must be a number/],
  ['msssim sparse weights', () => msssim(A, B, { weights: [1, , 1] as never, size: 3 }), TypeError, /weights\[1\] is missing \(a hole in a sparse array\)/],
  ['msssim all-zero weights', () => msssim(A, B, { weights: [0, 0], size: 3 }), RangeError, /weights must not all be 0/],
  ['msssim empty weights', () => msssim(A, B, { weights: [], size: 3 }), RangeError, /weights must have 1 to 16 entries, got 0/],
  ['msssim 17 weights', () => msssim(A, B, { weights: new Array(17).fill(0.1), size: 1 }), RangeError, /weights must have 1 to 16 entries, got 17/],
  ['msssim weights a typed array', () => msssim(A, B, { weights: new Float64Array([1]) as never, size: 3 }), TypeError, /weights must be an array of numbers, got a Float64Array/],
  ['msssim a million weights', () => msssim(A, B, { weights: new Array(1e6) as never }), RangeError, /weights has 1000000 entries/],
  ['msssim weights and scales disagree', () => msssim(A, B, { weights: [0.5, 0.5], scales: 3, size: 3 }), RangeError, /disagree/],
  ['msssim with a sparse array of length 2^32-1', () => msssim(A, B, { weights: new Array(2 ** 32 - 1) as never }), RangeError, /entries; far more/],
];

const lw: Case[] = [
  ['lwssim empty levels', () => lwssim(A, B, { levels: [] }), RangeError, /levels must have 1 to 32 entries, got 0/],
  ['lwssim 33 levels', () => lwssim(A, B, { levels: new Array(33).fill(3) }), RangeError, /levels must have 1 to 32 entries, got 33/],
  ['lwssim even level', () => lwssim(A, B, { levels: [3, 4] }), RangeError, /levels\[1\] must be an odd positive integer/],
  ['lwssim sparse levels', () => lwssim(A, B, { levels: [3, , 7] as never }), TypeError, /levels\[1\] is missing/],
  ['lwssim level too large', () => lwssim(A, B, { levels: [25] }), RangeError, /25x25 window does not fit/],
  ['lwssim weights length', () => lwssim(A, B, { weights: [1, 2] }), RangeError, /weights must have 5 entries, got 2/],
  ['lwssim negative weight', () => lwssim(A, B, { weights: [1, 1, -1, 1, 1] }), RangeError, /weights\[2\] must be a number from 0 to 1000000/],
  ['lwssim sparse weights', () => lwssim(A, B, { weights: [1, , 1, 1, 1] as never }), TypeError, /weights\[1\] is missing/],
  ['lwssim all-zero weights', () => lwssim(A, B, { weights: [0, 0, 0, 0, 0] }), RangeError, /weights must not all be 0/],
  ['lwssim huge weight', () => lwssim(A, B, { weights: [1e300, 1, 1, 1, 1] }), RangeError, /weights\[0\] must be a number from 0 to 1000000/],
  ['lwssim fractional gamma', () => lwssim(A, B, { gamma: 0.5 }), RangeError, /gamma must be an integer from 0 to 64, got 0\.5.*can be negative/],
  ['lwssim huge gamma', () => lwssim(A, B, { gamma: 1e300 }), RangeError, /gamma must be an integer from 0 to 64/],
  ['lwssim negative beta', () => lwssim(A, B, { beta: -1 }), RangeError, /beta must be a number from 0 to 64, got -1/],
  ['lwssim huge alpha', () => lwssim(A, B, { alpha: 1e300 }), RangeError, /alpha must be a number from 0 to 64/],
  ['lwssim NaN alpha', () => lwssim(A, B, { alpha: NaN }), RangeError, /alpha must be.*got NaN/],
  ['lwssim fractional alpha on negative ref', () => lwssim(f32([-0.5]), f32([]), { alpha: 0.5 }), RangeError, /alpha 0\.5 is not an integer and ref has negative values/],
  ['lwssim fractional alpha on negative img', () => lwssim(f32([]), f32([-0.5]), { alpha: 0.5 }), RangeError, /alpha 0\.5 is not an integer and img has negative values/],
  ['lwssim Gaussian level of 257 taps', () => lwssim(rgb(1, 260, 260), rgb(2, 260, 260), { window: 'gaussian', levels: [3, 257] }), RangeError, /levels\[1\] 257: a Gaussian window costs/],
  ['lwssim sigma too small', () => lwssim(A, B, { window: 'gaussian', sigma: 1e-9 }), RangeError, /sigma must be/],
];

const losses: Case[] = [
  ['loss pred null', () => ssimLoss(null as never, T), TypeError, /^ssimLoss: pred must be a batch/],
  ['loss pred u8', () => ssimLoss({ data: new Uint8Array(512), shape: [2, 16, 16, 1] } as never, T), TypeError, /pred\.data must be a Float32Array.*got a Uint8Array/],
  ['loss shape of 3', () => ssimLoss({ data: P.data, shape: [2, 16, 16] } as never, T), TypeError, /pred\.shape must be an array of 4 sizes.*got \[2, 16, 16\]/],
  ['loss shape a string', () => ssimLoss({ data: P.data, shape: '2,16,16,1' } as never, T), TypeError, /pred\.shape must be an array of 4 sizes/],
  ['loss shape with a zero', () => ssimLoss({ data: P.data, shape: [2, 16, 0, 1] }, T), RangeError, /pred\.shape\[2\] must be a positive integer, got 0/],
  ['loss shape with a string', () => ssimLoss({ data: P.data, shape: [2, '16', 16, 1] } as never, T), TypeError, /pred\.shape\[1\] must be a number/],
  ['loss shape and data disagree', () => ssimLoss({ data: P.data, shape: [3, 16, 16, 1] }, T), RangeError, /pred is \[3, 16, 16, 1\] \(nhwc\) = 768 values but data holds 512/],
  ['loss unknown layout', () => ssimLoss({ ...P, layout: 'nhcw' as never }, T), RangeError, /pred\.layout must be one of 'nhwc', 'nchw'/],
  ['loss layout without shape', () => ssimLoss({ data: new Float32Array(256), width: 16, height: 16, layout: 'nchw' } as never, T), TypeError, /layout needs a shape/],
  ['loss layouts differ', () => ssimLoss(P, { ...T, layout: 'nchw' }), RangeError, /pred is nhwc but target is nchw/],
  ['loss shapes differ', () => ssimLoss(P, batch(0.5, [1, 16, 16, 1])), RangeError, /pred is 2x16x16x1 but target is 1x16x16x1/],
  ['loss NaN target', () => ssimLoss(P, { ...T, data: T.data.map((v, i) => (i === 5 ? NaN : v)) }), RangeError, /target\.data\[5\] is NaN/],
  ['loss alpha and beta both 0', () => dssimMaeLoss(P, T, { alpha: 0, beta: 0, size: 7 }), RangeError, /alpha and beta must not both be 0/],
  ['loss negative alpha', () => dssimMaeLoss(P, T, { alpha: -1, size: 7 }), RangeError, /^dssimMaeLoss: alpha must be a number from 0 to 1000000, got -1/],
  ['loss huge beta', () => dssimMaeLoss(P, T, { beta: 1e300, size: 7 }), RangeError, /beta must be a number from 0 to 1000000/],
  ['loss unknown structure', () => dssimMaeLoss(P, T, { structure: 'ms' as never, size: 7 }), RangeError, /structure must be one of 'ssim', 'msssim'/],
  ['loss unknown l1', () => dssimMaeLoss(P, T, { l1: 'l2' as never, size: 7 }), RangeError, /l1 must be one of 'plain', 'gaussian'/],
  ['loss scales without msssim', () => dssimMaeLoss(P, T, { scales: 2, size: 7 }), TypeError, /scales and weights apply to structure: 'msssim'/],
  ['loss grad a string', () => ssimLoss(P, T, { grad: 'yes' as never, size: 7 }), TypeError, /grad must be true or false/],
  ['loss perSample a number', () => ssimLoss(P, T, { perSample: 1 as never, size: 7 }), TypeError, /perSample must be true or false, got 1/],
  ['loss tiny dataRange', () => ssimLoss(P, T, { dataRange: 1e-300, size: 7 }), RangeError, /^ssimLoss: dataRange must be a number from/],
  ['loss tiny k1', () => msssimLoss(P, T, { k1: 1e-300, size: 3, scales: 2 }), RangeError, /^msssimLoss: k1 must be/],
  ['loss msssim zero weights', () => msssimLoss(P, T, { weights: [0, 0], size: 3 }), RangeError, /weights must not all be 0/],
  ['lwssimLoss fractional gamma', () => lwssimLoss(P, T, { gamma: 1.5 }), RangeError, /^lwssimLoss: gamma must be an integer/],
  ['lwssimLoss fractional alpha on a negative target', () => lwssimLoss(P, batch(-0.1), { alpha: 0.5 }), RangeError, /alpha 0\.5 is not an integer and target has negative values/],
  ['lwssimLoss fractional alpha on a negative prediction', () => lwssimLoss(batch(-0.1), T, { alpha: 0.5 }), RangeError, /alpha 0\.5 is not an integer and pred has negative values/],
  ['lwssimLoss unknown option', () => lwssimLoss(P, T, { size: 3 } as never), TypeError, /^lwssimLoss: unknown option 'size'/],
  ['phased without maeSteps', () => phasedDssimMae({} as never), TypeError, /^phasedDssimMae: maeSteps must be given/],
  ['phased negative maeSteps', () => phasedDssimMae({ maeSteps: -1 }), RangeError, /maeSteps must be an integer from 0/],
  ['phased fractional step', () => phasedDssimMae({ maeSteps: 2, size: 7 })(P, T, 1.5), RangeError, /^phasedDssimMae: step must be an integer/],
  ['phased per-call alpha', () => phasedDssimMae({ maeSteps: 2, size: 7 })(P, T, 0, { alpha: 1 } as never), TypeError, /^phasedDssimMae: unknown option 'alpha' \(known: grad, perSample\)/],
  ['phased unknown schedule key', () => phasedDssimMae({ maeSteps: 2, grad: true } as never), TypeError, /unknown option 'grad'/],
];

describe('bad input', () => {
  describe.each([['images', images], ['options', options], ['MS-SSIM', multiscale], ['LWSSIM', lw], ['losses', losses]] as const)('%s', (_group, cases) => {
    it.each(cases)('%s', (_name, call, type, message) => {
      expectError(call, type, message);
      // The module is unharmed: the same calls as before give the same bits.
      expect(ssim(A, B).score).toBe(good);
      expect(dssimMaeLoss(P, T, { size: 7 }).loss).toBe(goodLoss);
    });
  });

  it('holds at least 80 cases', () => {
    expect(images.length + options.length + multiscale.length + lw.length + losses.length).toBeGreaterThanOrEqual(80);
  });
});

describe('objects that lie are read once, by their real contents', () => {
  it('a redefined length is ignored: the real pixels are scored, with a map too', () => {
    const d = new Uint8Array(A.data);
    Object.defineProperty(d, 'length', { value: 1 });
    expect(ssim({ data: d, width: W, height: H }, B, { map: true, size: 7 }).score).toBe(ssim(A, B, { map: true, size: 7 }).score);
  });

  it('an option getter that writes NaN into the pixels runs before the pixels are checked', () => {
    const img = f32([]);
    const opts = { get k1() { img.data[3] = NaN; return 0.01; } };
    expectError(() => ssim(img, f32([]), opts), RangeError, /ref\.data\[3\] is NaN/);
  });

  it('an option getter that detaches the buffer runs before the size is checked', () => {
    const img = rgb(1);
    const opts = { get sigma() { structuredClone(img.data.buffer, { transfer: [img.data.buffer] }); return 1.5; } };
    expectError(() => ssim(img, B, opts), RangeError, /ref\.data holds 0 values/);
  });

  it('each getter runs exactly once', () => {
    let reads = 0;
    const opts = { get size() { reads++; return 7; } };
    const image = { get data() { reads++; return A.data; }, width: W, height: H };
    ssim(image as never, B, opts);
    expect(reads).toBe(2);
  });

  it('a getter that changes its answer cannot pass one value to the checks and another to the kernels', () => {
    let n = 0;
    const opts = { get size() { return n++ === 0 ? 7 : 8; } };
    expect(ssim(A, B, opts).score).toBe(ssim(A, B, { size: 7 }).score);
  });

  it('inherited options are not read', () => {
    const opts = Object.create({ size: 8 });
    expect(ssim(A, B, opts).score).toBe(good);
  });

  it('weights are copied: changing them afterwards changes nothing', () => {
    const big = rgb(3, 48, 44), big2 = rgb(4, 48, 44);
    const weights = [0.5, 0.5];
    const proxy = new Proxy(weights, { get: (t, k) => (k === '1' ? (weights[0] = 9, t[1]) : Reflect.get(t, k)) });
    expect(msssim(big, big2, { weights: proxy, size: 5 }).score).toBe(msssim(big, big2, { weights: [0.5, 0.5], size: 5 }).score);
  });

  it('pixels in shared memory are copied before they are checked', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(A.data.length));
    shared.set(A.data);
    expect(ssim({ data: shared, width: W, height: H }, B).score).toBe(good);
  });

  it('typed arrays of another realm are accepted', async () => {
    const { runInNewContext } = await import('node:vm');
    const d = runInNewContext(`new Uint8Array(${A.data.length})`) as Uint8Array;
    d.set(A.data);
    expect(ssim({ data: d, width: W, height: H }, B).score).toBe(good);
  });
});

describe('no input hangs the caller', () => {
  it('MS-SSIM with a 1x1 window ends (every halving of the image holds it)', () => {
    const one = { data: new Uint8Array([7]), width: 1, height: 1 };
    expect(msssim(one, one, { size: 1, scales: 'auto' }).score).toBe(1);
    expect(msssim(A, A, { size: 1 }).score).toBe(1);
    expect(msssimLoss(P, P, { size: 1 }).loss).toBe(0);
    expect(dssimMaeLoss(P, P, { size: 1, structure: 'msssim', scales: 'auto' }).loss).toBe(0);
    expect(msssim(A, B, { size: 1, weights: new Array(16).fill(1 / 16) }).score).toBeGreaterThan(0);
  });
});

describe('memory', () => {
  it('a batch loss too large for 4 GiB is refused and says to split the batch', () => {
    const d = new Float32Array(400 * 1024 * 1024);
    const x = { data: d, shape: [400, 1024, 1024, 1] as Shape };
    expectError(() => ssimLoss(x, x, { grad: true }), RangeError, /^ssimLoss: this call needs about 4\.\d GiB of WebAssembly memory, more than.*split it and average/);
    // One buffer over 2 GiB cannot exist in a 32-bit module, whatever is free.
    const y = { data: new Float32Array(600 * 1024 * 1024), shape: [600, 1024, 1024, 1] as Shape };
    expectError(() => ssimLoss(y, y), RangeError, /^ssimLoss: this call would copy 2\.3 GiB into WebAssembly memory in one piece/);
    expect(dssimMaeLoss(P, T, { size: 7 }).loss).toBe(goodLoss);
  }, 60_000);
});

describe('accepted inputs', () => {
  it('a float alpha on non-negative data, 3 scales on a small image', () => {
    expect(lwssim(f32([0.25]), f32([]), { alpha: 0.5 }).score).toBeGreaterThan(0);
    const big = rgb(3, 48, 44), big2 = rgb(4, 48, 44);
    expect(msssim(big, big2, { scales: 3, size: 5 }).score).toBeGreaterThan(0);
  });

  it('a box window of any size that fits (it costs the same at every size)', () => {
    const s = ssim(rgb(1, 320, 310), rgb(2, 320, 310), { window: 'box', size: 301 }).score;
    expect(s).toBeGreaterThan(-1);
    expect(s).toBeLessThanOrEqual(1);
  });

  it('options given as undefined count as absent', () => {
    expect(ssim(A, B, { size: undefined, k1: undefined }).score).toBe(good);
  });

  it('float pixels a little outside the range are scored', () => {
    const s = ssim(f32([-3, 40, 63.5]), f32([1.2]), { size: 7 }).score;
    expect(Number.isFinite(s)).toBe(true);
  });
});
