// Memory: scores stream bands of rows, so a 4K pair (66 MB of RGBA pixels)
// fits in 64 MiB of wasm memory with any metric; and memory is reused, so
// many calls leave it where the first call left it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { dssimMaeLoss, init, lwssim, msssim, ssim, wasmMemoryBytes } from 'ssimkit';

const MiB = 1 << 20;
const child = fileURLToPath(new URL('./shared/memory-child.mjs', import.meta.url));
const METRICS = ['ssim', 'ssim with map', 'msssim', 'dssim', 'lwssim'];

/** A fresh module scores one 8-bit pair with one metric: its wasm memory after the call. */
function fresh(threads: number, metric: string, w: number, h: number, c: number) {
  const out = execFileSync(process.execPath, [child, String(threads), metric, String(w), String(h), String(c)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(out) as { build: string; score: number; before: number; after: number; ms: number };
  console.log(`${w}x${h}x${c} ${metric} (${r.build}): ${(r.after / MiB).toFixed(1)} MiB of wasm memory after the call (${(r.before / MiB).toFixed(1)} before), ${r.ms} ms`);
  return r;
}

// Every metric streams bands of rows (MS-SSIM grows its coarser scales from
// them; a map holds its own plane, 4 bytes an output), so that a 4K pair
// (33 MB of RGBA pixels an image) is scored in 64 MiB.
describe('a 3840x2160 pair of 8-bit images', () => {
  for (const threads of [1, 2]) {
    for (const c of [3, 4]) {
      it.each(METRICS)(`%s, ${c} channels, is scored in at most 64 MiB of wasm memory (${threads === 1 ? 'simd' : 'threads'} build)`, (metric) => {
        const r = fresh(threads, metric, 3840, 2160, c);
        expect(r.build).toBe(threads === 1 ? 'simd' : 'threads');
        expect(r.after).toBeLessThanOrEqual(64 * MiB);
        expect(r.score).toBeGreaterThan(0.5);
        expect(r.score).toBeLessThan(1);
      }, 120_000);
    }
  }
});

describe('a 7680x4320 RGBA pair', () => {
  // The map alone is 4 bytes an output: 126 MiB here.
  const mapBytes = 4 * (7680 - 10) * (4320 - 10);
  it.each(METRICS)('%s works, in at most 64 MiB of wasm memory besides a map (simd build)', (metric) => {
    const r = fresh(1, metric, 7680, 4320, 4);
    expect(r.score).toBeGreaterThan(0.5);
    expect(r.score).toBeLessThan(1);
    expect(r.after).toBeLessThanOrEqual(64 * MiB + (metric === 'ssim with map' ? mapBytes : 0));
  }, 300_000);
});

describe('an 8192x8192 RGBA pair', () => {
  it('gets its MS-SSIM in 64 MiB of wasm memory (it needed over 4 GiB and trapped, then about 1 GiB)', () => {
    const r = fresh(1, 'msssim', 8192, 8192, 4);
    expect(r.score).toBeGreaterThan(0.5);
    expect(r.score).toBeLessThanOrEqual(1);
    expect(r.after).toBeLessThan(64 * MiB);
  }, 300_000);
});

describe('memory is reused between calls', () => {
  beforeAll(async () => {
    await init();
  });

  it('10,000 calls of each metric and a loss leave wasm memory where the first call left it', () => {
    const img = (seed: number) => {
      const d = new Uint8Array(48 * 40 * 3);
      for (let i = 0; i < d.length; i++) d[i] = (i * 31 + seed * 17) % 256;
      return { data: d, width: 48, height: 40 };
    };
    const [a, b] = [img(1), img(2)];
    const batch = (seed: number) => {
      const d = new Float32Array(2 * 24 * 20 * 3);
      for (let i = 0; i < d.length; i++) d[i] = ((i * 13 + seed * 7) % 97) / 97;
      return { data: d, shape: [2, 20, 24, 3] as [number, number, number, number] };
    };
    const [p, t] = [batch(1), batch(2)];
    const once = () => {
      ssim(a, b);
      ssim(a, b, { map: true });
      msssim(a, b, { scales: 'auto' });
      lwssim(a, b);
      dssimMaeLoss(p, t, { grad: true });
    };
    once();
    const first = wasmMemoryBytes();
    for (let i = 0; i < 10_000; i++) once();
    expect(wasmMemoryBytes()).toBe(first);
  }, 120_000);
});
