// Losses with their gradient hold little beyond what they are given and what
// they return: the batch is read in place and the backward pass streams
// rings of rows (crate/src/grad_stream.rs). Besides the prediction and
// target copied in (8 bytes a value) and the gradient (4 bytes a value), a
// call holds rows: a number that grows with the width, not the height
// (MS-SSIM adds scales 2.. and its coarser scales' gradients, 4 bytes a
// pixel at most). Before,
// each (sample, channel) held 9 to 18 f64 planes: 72-144 bytes a pixel.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MiB = 1 << 20;
const child = fileURLToPath(new URL('./shared/loss-memory-child.mjs', import.meta.url));
const LOSSES = ['ssimLoss', 'msssimLoss', 'dssimMaeLoss', 'dssimMaeLoss, MS-SSIM and Gaussian L1', 'lwssimLoss'];
const build = (threads: number) => (threads === 1 ? 'simd' : 'threads');

/** A fresh module takes one loss with its gradient on a [1, h, w, c] batch. */
function fresh(threads: number, loss: string, w: number, h: number, c: number) {
  const out = execFileSync(process.execPath, [child, String(threads), loss, String(w), String(h), String(c)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(out) as {
    build: string; loss: number; gradLength: number; finite: boolean; nonzero: number; before: number; after: number; need: number; ms: number;
  };
  const grew = r.after - r.before;
  const held = grew - 12 * w * h * c;
  console.log(`${w}x${h}x${c} ${loss} with grad (${r.build}): wasm memory grew ${(grew / MiB).toFixed(1)} MiB (reckoned ${(r.need / MiB).toFixed(1)}), `
    + `${(held / MiB).toFixed(1)} MiB besides inputs and gradient (the gradient is ${(4 * w * h * c / MiB).toFixed(1)} MiB), ${r.ms} ms`);
  expect(r.build).toBe(build(threads));
  expect(r.gradLength).toBe(w * h * c);
  expect(r.finite).toBe(true);
  expect(r.nonzero).toBeGreaterThan(0.9 * r.gradLength);
  expect(r.loss).toBeGreaterThan(0);
  expect(r.loss).toBeLessThan(1);
  // What the module reckoned before the call covers what it took.
  expect(grew).toBeLessThanOrEqual(r.need);
  return { ...r, held };
}

describe('a loss and its gradient hold rows, not planes', () => {
  for (const threads of [1, 2]) {
    it.each(LOSSES)(`%s: twice the height holds no more beyond inputs and gradient (MS-SSIM: its coarser gradients) (${build(threads)} build)`, (loss) => {
      const short = fresh(threads, loss, 1920, 540, 1);
      const tall = fresh(threads, loss, 1920, 1080, 1);
      const coarser = loss.includes('MS-SSIM') || loss === 'msssimLoss' ? 4 * 1920 * 540 : 0;
      expect(tall.held - short.held).toBeLessThanOrEqual(coarser + MiB);
    }, 120_000);
  }

  it.each(LOSSES)('%s on a 1920x1080 RGB sample holds less than its gradient, LWSSIM\'s five rings about as much (simd build)', (loss) => {
    const r = fresh(1, loss, 1920, 1080, 3);
    // LWSSIM keeps a ring of rows per level: 5 x 24 bytes x ~91 rows a column.
    const gradient = 4 * 1920 * 1080 * 3;
    expect(r.held).toBeLessThanOrEqual(loss === 'lwssimLoss' ? 1.1 * gradient : gradient);
  }, 120_000);
});
