// bench/bound.mjs: the arithmetic bound `npm run bench` prints beside native
// SSIM's ns per output sample, and the peak rates it divides by
// (crate/examples/peak_flops.rs). The counts are re-derived here from the
// kernel's structure, so a slip in either place shows.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { boundNs, CHUNK, describeKernel, ssimOps, STRIP } from '../bench/bound.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const f64Four = { n: 11, signals: 4, centred: false, filter: 'f64', row: 'f64' } as const;

describe('bench bound: operation counts', () => {
  it('counts a folded 11-tap Gaussian as 16 lane ops per signal and direction, with the halo rows and columns', () => {
    const ow = 4 * STRIP; // four whole strips
    const halo = (1 + 10 / CHUNK) * (1 + (10 * 4) / ow);
    const [h, v, row] = ssimOps(f64Four, ow);
    // 6 taps: 5 folding adds, 6 multiplies, 5 adds.
    expect(v.ops).toBe(4 * 16);
    // x^2 + y^2 and xy: 3 multiplies and 1 add per sample, then 4 signals filtered.
    expect(h.ops).toBeCloseTo((4 + 4 * 16) * halo, 12);
    expect(row.ops).toBe(29);
  });

  it('counts five signals and integer centring where the kernel does them', () => {
    const five = ssimOps({ ...f64Four, signals: 5 }, STRIP);
    const centred = ssimOps({ ...f64Four, centred: true }, STRIP);
    const four = ssimOps(f64Four, STRIP);
    expect(five[1].ops).toBe(5 * 16);
    expect(five[0].ops - four[0].ops).toBeCloseTo((3 + 5 * 16 - (4 + 4 * 16)) * (1 + 10 / CHUNK) * (1 + 10 / STRIP), 12);
    expect(centred[0].ops - four[0].ops).toBeCloseTo(2 * (1 + 10 / CHUNK) * (1 + 10 / STRIP), 12);
    // A 3x3 window folds to 2 taps: 1 + 2 + 1 = 4 ops per signal.
    expect(ssimOps({ ...f64Four, n: 3 }, STRIP)[1].ops).toBe(4 * 4);
  });

  it('divides each part by the peak of its own precision', () => {
    const peak = { f64: 2, f32: 8 };
    const all64 = boundNs(f64Four, peak, STRIP);
    const mixed = boundNs({ ...f64Four, filter: 'f32' }, peak, STRIP);
    const [h, v, row] = ssimOps(f64Four, STRIP);
    expect(all64.ns).toBeCloseTo((h.ops + v.ops + row.ops) / 2, 12);
    expect(mixed.ns).toBeCloseTo((h.ops + v.ops) / 8 + row.ops / 2, 12);
    expect(mixed.ops).toBe(all64.ops);
    expect(describeKernel({ ...f64Four, centred: true, filter: 'f32' })).toBe('4 signals, integer-centred f32 filters, f64 row kernel, 11-tap Gaussian');
  });
});

describe('bench bound: crate/examples/peak_flops.rs', () => {
  it('prints positive lane-operation rates for f64x2 and f32x4', () => {
    const r = spawnSync('cargo', ['run', '--release', '--quiet', '--manifest-path', 'crate/Cargo.toml', '--example', 'peak_flops'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.lanes).toEqual({ f64: 2, f32: 4 });
    // No wall-clock judgement: only that the loop ran and was timed.
    for (const k of ['f64LaneOpsPerNs', 'f32LaneOpsPerNs']) expect(out[k]).toBeGreaterThan(0);
    for (const k of ['f64LaneOpsPerNs', 'f32LaneOpsPerNs']) expect(Number.isFinite(out[k])).toBe(true);
  }, 120_000);
});
