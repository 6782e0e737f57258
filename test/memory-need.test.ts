// The memory a call reckons it needs (crate/src/memory.rs), before any
// allocation, against what it really takes: a fresh module per call (a
// child process), wasm memory measured before and after. The estimate must
// cover the growth (or a call could trap where it was let through) and not
// overstate it wildly (or a call that fits could be refused).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MiB = 1 << 20;
const child = fileURLToPath(new URL('./shared/memory-need-child.mjs', import.meta.url));

function run(threads: number, fn: string, spec: object) {
  return JSON.parse(execFileSync(process.execPath, [child, String(threads), fn, JSON.stringify(spec)], { encoding: 'utf8' })) as {
    before: number; after: number; need: number; bytes?: number;
  };
}

// Each below the size where a call reserves its need up front (128 MiB),
// so the growth measured is the call's own.
const CASES: [string, string, object][] = [
  ['SSIM, bands', 'ssim', { kind: 'u8', width: 1500, height: 1200, channels: 4 }],
  ['SSIM with a map', 'ssim', { kind: 'f32', width: 1200, height: 900, channels: 3, options: { map: true } }],
  ['SSIM, matlab preset', 'ssim', { kind: 'u8', width: 1400, height: 1000, channels: 3, options: { preset: 'matlab' } }],
  ['MS-SSIM', 'msssim', { kind: 'u16', width: 1100, height: 900, channels: 3 }],
  ['LWSSIM, bands', 'lwssim', { kind: 'f32', width: 1300, height: 1100, channels: 3 }],
  // Pairs that differ: the estimate must follow the larger image (here the second).
  ['SSIM, bands, 8-bit gray against 16-bit RGBA', 'ssim', { kind: 'u8', width: 1500, height: 1200, channels: 1, y: { kind: 'u16', channels: 4 } }],
  ['MS-SSIM, 8-bit gray against 16-bit RGBA', 'msssim', { kind: 'u8', width: 1100, height: 900, channels: 1, y: { kind: 'u16', channels: 4 }, options: { includeAlpha: true } }],
  ['ssimLoss with grad', 'ssimLoss', { shape: [4, 300, 280, 3], options: { grad: true } }],
  ['msssimLoss with grad', 'msssimLoss', { shape: [2, 300, 280, 3], options: { grad: true, scales: 'auto' } }],
  ['dssimMaeLoss (MS-SSIM, gaussian L1) with grad', 'dssimMaeLoss', { shape: [2, 300, 280, 2], options: { grad: true, structure: 'msssim', l1: 'gaussian', scales: 'auto' } }],
  ['lwssimLoss with grad', 'lwssimLoss', { shape: [2, 300, 280, 3], options: { grad: true } }],
  ['lwssimLoss, no grad', 'lwssimLoss', { shape: [2, 300, 280, 3] }],
  ['ssimLoss, no grad', 'ssimLoss', { shape: [4, 300, 280, 3] }],
  ['msssimLoss, no grad', 'msssimLoss', { shape: [2, 600, 560, 3], options: { scales: 'auto' } }],
  ['dssimMaeLoss (MS-SSIM, gaussian L1), no grad', 'dssimMaeLoss', { shape: [2, 600, 560, 2], options: { structure: 'msssim', l1: 'gaussian', scales: 'auto' } }],
  // Outputs as large as the image: the map in, RGBA out; noise in, a PNG larger than its samples out.
  ['heatmap of a 2000x1500 image', 'heatmap', { width: 2000, height: 1500 }],
  ['encodePng of 8-bit RGBA noise', 'encodePng', { kind: 'u8', width: 1500, height: 1200, channels: 4 }],
  ['encodePng of 16-bit RGB noise', 'encodePng', { kind: 'u16', width: 1100, height: 900, channels: 3 }],
];

describe('the memory a call reckons it needs covers what it takes', () => {
  for (const threads of [1, 2]) {
    it.each(CASES)(`%s (${threads === 1 ? 'simd' : 'threads'} build)`, (_name, fn, spec) => {
      const r = run(threads, fn, spec);
      const grew = r.after - r.before;
      expect(r.need).toBeGreaterThan(0);
      expect(r.need, `grew ${(grew / MiB).toFixed(1)} MiB, reckoned ${(r.need / MiB).toFixed(1)} MiB`).toBeGreaterThanOrEqual(grew);
      expect(r.need).toBeLessThanOrEqual(4 * grew + 24 * MiB);
    }, 60_000);
  }
});

describe('an output over 128 MiB is reserved before its input is copied in', () => {
  it('a 6000x4000 heatmap (about 190 MiB) grows the memory once, by what it reckoned', () => {
    const r = run(1, 'heatmap', { width: 6000, height: 4000 });
    const grew = r.after - r.before;
    expect(r.bytes).toBe(4 * 6000 * 4000);
    expect(r.need).toBeGreaterThan(128 * MiB);
    // Held up front, then carved from: the call took what it reckoned, no more.
    expect(grew).toBeGreaterThanOrEqual(0.95 * r.need);
    expect(grew).toBeLessThanOrEqual(r.need + 8 * MiB);
  }, 60_000);
});
