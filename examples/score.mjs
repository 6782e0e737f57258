#!/usr/bin/env node
// Scores an image pair: `node examples/score.mjs [reference] [distorted]`
// (PNG, JPEG or WebP files, decoded by ssimkit itself).
// Without arguments it scores the shipped photo (Chelsea the cat, from
// scikit-image's CC0 samples) against its JPEG (quality 20) round trip.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decode, dssim, init, lwssim, msssim, ssim } from 'ssimkit';

const here = (f) => fileURLToPath(new URL(`./images/${f}`, import.meta.url));
const [refPath, imgPath] = process.argv.length >= 4
  ? process.argv.slice(2, 4)
  : [here('chelsea.png'), here('chelsea-jpeg-q20.png')];

const t0 = performance.now();
const info = await init();
const tInit = performance.now() - t0;

// Decoded once each, by ssimkit (the same pixels in every runtime); alpha,
// if any, is not compared.
const ref = decode(readFileSync(refPath));
const img = decode(readFileSync(imgPath));

const rows = [];
const time = (name, f) => {
  const s = performance.now();
  const v = f();
  rows.push([name, v, performance.now() - s]);
};
time('SSIM', () => ssim(ref, img).score);
// 'auto': the default call, bit for bit, when all 5 scales fit (both sides
// 161 px or more: 161 -> 81 -> 41 -> 21 -> 11 still holds the 11x11
// window); a smaller pair uses as many as fit instead of failing.
const fewer = Math.min(ref.width, ref.height) < 161;
time(fewer ? 'MS-SSIM*' : 'MS-SSIM', () => msssim(ref, img, { scales: 'auto' }).score);
time('DSSIM', () => dssim(ref, img));
time('LWSSIM', () => lwssim(ref, img).score);

console.log(`ssimkit ${info.build} build (${info.features.join(', ')}) on ${info.runtime}, init ${tInit.toFixed(1)} ms`);
console.log(`reference: ${refPath}\ndistorted: ${imgPath}\n${ref.width}x${ref.height}, RGB compared per channel\n`);
for (const [name, v, ms] of rows) console.log(`${name.padEnd(8)} ${v.toFixed(6)}   (${ms.toFixed(1)} ms)`);
if (fewer) console.log('* fewer than 5 scales fit this size: MS-SSIM over as many as fit, their weights renormalised');
console.log('\nSSIM and MS-SSIM: 1 = identical; DSSIM = (1 - SSIM) / 2: 0 = identical; LWSSIM: 2 = identical.');
