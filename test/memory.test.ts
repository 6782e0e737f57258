// Memory: scores stream bands of rows, so a 4K RGBA pair (66 MB of pixels)
// fits in 64 MB of wasm memory; and memory is reused, so many calls leave it
// where the first call left it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { dssimMaeLoss, init, lwssim, msssim, ssim, wasmMemoryBytes } from 'ssimkit';

const MiB = 1 << 20;
const child = fileURLToPath(new URL('./shared/memory-child.mjs', import.meta.url));

function fourK(threads: number) {
  return JSON.parse(execFileSync(process.execPath, [child, String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 }));
}

describe('a 3840x2160 RGBA pair', () => {
  for (const threads of [1, 2]) {
    it(`is scored in at most 64 MiB of wasm memory (${threads === 1 ? 'simd' : 'threads'} build)`, () => {
      const r = fourK(threads);
      expect(r.build).toBe(threads === 1 ? 'simd' : 'threads');
      expect(r.afterSsim).toBeLessThanOrEqual(64 * MiB);
      expect(r.afterLwssim).toBeLessThanOrEqual(64 * MiB);
      expect(r.ssim).toBeGreaterThan(0);
      expect(r.ssim).toBeLessThan(1);
    }, 120_000);
  }
});

describe('an 8192x8192 RGBA pair', () => {
  it('gets its MS-SSIM in about 1 GiB of wasm memory (it needed over 4 GiB and trapped)', () => {
    const script = `
      import { init, msssim, wasmMemoryBytes } from 'ssimkit';
      await init();
      const w = 8192, h = 8192, a = new Uint8Array(w * h * 4), b = new Uint8Array(w * h * 4);
      for (let i = 0; i < a.length; i++) { a[i] = (i * 7919) % 251; b[i] = (i * 7919 + (i % 13)) % 251; }
      const s = msssim({ data: a, width: w, height: h }, { data: b, width: w, height: h }).score;
      process.stdout.write(JSON.stringify({ s, bytes: wasmMemoryBytes() }));`;
    const r = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) }));
    expect(r.s).toBeGreaterThan(0);
    expect(r.s).toBeLessThanOrEqual(1);
    expect(r.bytes).toBeLessThan(1.5 * 1024 * MiB);
  }, 180_000);
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
