#!/usr/bin/env node
// The npm peers at one size in their own process, started by bench/run.mjs:
//   node bench/peers-child.mjs --dir D --size WxH [--budget-ms B --min-runs M --max-runs X]
// Prints one JSON line on stdout. Each peer gets the same RGBA bytes as
// ssimkit; what each one computes from them is in PEERS below.
import blazediffMsssim from '@blazediff/ssim/msssim';
import blazediffSsim from '@blazediff/ssim/ssim';
import imageSsim from 'image-ssim';
import ssimjsModule from 'ssim.js';
import { pathToFileURL } from 'node:url';
import { readPair } from './inputs.mjs';
import { measure } from './util.mjs';

const ssimjs = ssimjsModule.ssim; // CommonJS: the function is the default export's 'ssim'

/** [id, case it stands beside, what it computes, f(ref, dist, w, h) -> score] */
export const PEERS = [
  ["ssim.js 'fast' full-res", 'ssim', "luma (MATLAB rgb2gray, integer), Gaussian 11/1.5, valid, full resolution: { ssim: 'fast', downsample: false }",
    (a, b, w, h) => ssimjs({ data: a, width: w, height: h }, { data: b, width: w, height: h }, { ssim: 'fast', downsample: false }).mssim],
  ['ssim.js default', 'ssim', "luma, 11x11 box windows by integral images ('weber'), down-sampled by round(min(w,h)/256) first",
    (a, b, w, h) => ssimjs({ data: a, width: w, height: h }, { data: b, width: w, height: h }).mssim],
  ['@blazediff/ssim ssim', 'ssim', 'luma (float32), MATLAB ssim.m: down-sampled by round(min(w,h)/256) (always), Gaussian 11/1.5, valid',
    (a, b, w, h) => blazediffSsim(a, b, undefined, w, h)],
  ['image-ssim', 'ssim', 'luma (Rec.709 weights) x alpha, non-overlapping 8x8 box windows, sample variance',
    (a, b, w, h) => imageSsim.compare({ data: a, width: w, height: h, channels: 4 }, { data: b, width: w, height: h, channels: 4 }).ssim],
  ['@blazediff/ssim msssim', 'msssim', "luma (float32), full resolution, 5 scales, reflect ('same') borders, 2x2 average down-sampling",
    (a, b, w, h) => blazediffMsssim(a, b, undefined, w, h)],
];

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const arg = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i < 0 ? dflt : args[i + 1];
  };
  const policy = {
    budgetMs: Number(arg('budget-ms', '1500')),
    minRuns: Number(arg('min-runs', '3')),
    maxRuns: Number(arg('max-runs', '7')),
  };
  const [w, h] = arg('size').split('x').map(Number);
  const { ref, dist } = readPair(arg('dir'), w, h);
  const rows = [];
  for (const [id, kase, computes, f] of PEERS) {
    const r = measure(() => f(ref, dist, w, h), policy);
    rows.push({ size: `${w}x${h}`, impl: id, case: kase, computes, ms: r.ms, n: r.n, value: r.value });
    process.stderr.write(`  ${id} ${w}x${h}: ${r.ms.toFixed(1)} ms (n=${r.n})\n`);
  }
  process.stdout.write(`${JSON.stringify({ rows })}\n`);
}
