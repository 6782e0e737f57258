#!/usr/bin/env node
// Loss + gradient against the loss alone, per loss, on a 8x256x256x3 batch
// and one 1920x1080x3 image: `npm run bench:losses [-- --quick]`.
// Medians of several runs; the ratio is the backward pass's cost.
import { dssimMaeLoss, init, lwssimLoss, msssimLoss, ssimLoss } from 'ssimkit';
import { median } from './util.mjs';

const quick = process.argv.includes('--quick');
await init();

function batch(n, h, w, c, seed) {
  const d = new Float32Array(n * h * w * c);
  let s = seed;
  for (let i = 0; i < d.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const x = (i / c) % w, y = Math.floor(i / (c * w)) % h;
    d[i] = 0.5 + 0.3 * Math.sin(x / 13) * Math.cos(y / 17) + ((s >>> 24) / 255 - 0.5) * 0.1;
  }
  return { data: d, shape: [n, h, w, c] };
}

const shapes = quick ? [[2, 128, 128, 3]] : [[8, 256, 256, 3], [1, 1080, 1920, 3]];
const losses = {
  ssimLoss,
  msssimLoss: (p, t, o) => msssimLoss(p, t, { scales: 'auto', ...o }),
  dssimMaeLoss,
  lwssimLoss,
};
console.log('shape            loss            forward ms   +gradient ms   ratio');
for (const [n, h, w, c] of shapes) {
  const pred = batch(n, h, w, c, 1), target = batch(n, h, w, c, 2);
  for (const [name, loss] of Object.entries(losses)) {
    const runs = h > 500 ? 3 : 5;
    loss(pred, target);
    const fwd = median(() => loss(pred, target), runs);
    const both = median(() => loss(pred, target, { grad: true }), runs);
    console.log(`${`${n}x${h}x${w}x${c}`.padEnd(16)} ${name.padEnd(15)} ${fwd.toFixed(1).padStart(10)} ${both.toFixed(1).padStart(14)} ${(both / fwd).toFixed(2).padStart(7)}`);
  }
}
