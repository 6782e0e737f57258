#!/usr/bin/env node
// ssimkit against ssim.js on the same inputs in one run: medians of several
// runs and the ratio beside them (these machines are noisy; read ratios).
// `npm run bench [-- --quick]`; writes bench/results.json.
import { writeFileSync } from 'node:fs';
import ssimjsModule from 'ssim.js';

// ssim.js is CommonJS: its function is the default export's 'ssim'.
const ssimjs = ssimjsModule.ssim;
import { init, lwssim, msssim, ssim } from 'ssimkit';
import { median } from './util.mjs';

const quick = process.argv.includes('--quick');
const info = await init();

function photoLike(w, h, seed) {
  // RGBA, smooth structure plus noise: a stand-in that exercises every window.
  const d = new Uint8ClampedArray(w * h * 4);
  let s = seed;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      for (let k = 0; k < 3; k++) {
        s = (s * 1103515245 + 12345) >>> 0;
        d[i + k] = 128 + 80 * Math.sin(x / (17 + k)) * Math.cos(y / 23) + ((s >>> 24) % 24) - 12;
      }
      d[i + 3] = 255;
    }
  return { data: d, width: w, height: h };
}

const sizes = quick ? [[512, 512]] : [[512, 512], [1920, 1080]];
const rows = [];
for (const [w, h] of sizes) {
  const a = photoLike(w, h, 1), b = photoLike(w, h, 2);
  const runs = w > 1000 ? 3 : 5;
  const row = (name, f, n = runs) => {
    f(); // warm-up
    rows.push({ size: `${w}x${h}`, name, ms: median(f, n) });
  };
  row('ssimkit ssim (RGB)', () => ssim(a, b));
  row('ssimkit ssim (luma)', () => ssim(a, b, { color: 'luma' }));
  row('ssimkit msssim (RGB)', () => msssim(a, b));
  row('ssimkit lwssim (RGB)', () => lwssim(a, b));
  row("ssimkit ssim preset 'matlab'", () => ssim(a, b, { preset: 'matlab' }));
  row("ssim.js 'fast', full resolution", () => ssimjs(a, b, { ssim: 'fast', downsample: false }), 3);
  row("ssim.js 'original' (its matlab path)", () => ssimjs(a, b, { ssim: 'original' }), 3);
  row('ssim.js default (weber, downsampled)', () => ssimjs(a, b), 3);
}

const base = (size) => rows.find((r) => r.size === size && r.name === 'ssimkit ssim (luma)').ms;
console.log(`ssimkit ${info.build} (${info.features}), ${info.threads} thread, Node ${process.version}`);
console.log('size        case                                      median ms   x ssimkit ssim (luma)');
for (const r of rows) {
  console.log(`${r.size.padEnd(11)} ${r.name.padEnd(42)} ${r.ms.toFixed(2).padStart(9)}   ${(r.ms / base(r.size)).toFixed(2).padStart(7)}`);
}
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ info, node: process.version, rows }, null, 2));
