// The 4K memory target of issue 9: a 3840x2160 pair of files (PNG RGB,
// PNG RGBA, JPEG baseline 4:2:0, JPEG progressive), scored from their bytes
// by each metric in a fresh module, leaves wasm memory at most 64 MiB, in
// the simd and the threaded build. Files are decoded one at a time and
// their pixels copied out (a PNG a band of rows at a time), then scored in
// bands; MS-SSIM meets the target only with streamed scales. With a map, the
// decode holds memory for the larger of itself and the map (wasm_decode.rs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';

const MiB = 1 << 20;
const child = fileURLToPath(new URL('./shared/decode-memory-child.mjs', import.meta.url));
const w = 3840, h = 2160;
const dir = mkdtempSync(join(tmpdir(), 'ssimkit-4k-'));

/** A photo-like 4K image: smooth shapes with mild noise (PNGs of ~10 MB). */
function raw(seed: number, channels: 3 | 4) {
  const d = Buffer.alloc(w * h * channels);
  let s = seed * 2654435761;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const n = (s >>> 28) - 8;
      const i = channels * (y * w + x);
      d[i] = Math.max(0, Math.min(255, 128 + 100 * Math.sin(x / 300 + seed) + n));
      d[i + 1] = Math.max(0, Math.min(255, (y * 255) / h + n));
      d[i + 2] = Math.max(0, Math.min(255, 128 + 90 * Math.cos((x + y) / 500) - n));
      if (channels === 4) d[i + 3] = 255 - ((x >> 4) & 63);
    }
  }
  return sharp(d, { raw: { width: w, height: h, channels } });
}

const kinds = {
  'PNG RGB': (seed: number) => raw(seed, 3).png(),
  'PNG RGBA': (seed: number) => raw(seed, 4).png(),
  'JPEG baseline 4:2:0': (seed: number) => raw(seed, 3).jpeg({ quality: 90 }),
  'JPEG progressive': (seed: number) => raw(seed, 3).jpeg({ quality: 90, progressive: true }),
} as const;
const files: Record<string, [string, string]> = {};

beforeAll(async () => {
  for (const [kind, make] of Object.entries(kinds)) {
    const paths = [1, 2].map((seed) => join(dir, `${kind.replace(/\W+/g, '-')}-${seed}`)) as [string, string];
    for (const [k, p] of paths.entries()) writeFileSync(p, await make(k + 1).toBuffer());
    files[kind] = paths;
  }
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a 3840x2160 pair of files is scored in at most 64 MiB of wasm memory', () => {
  for (const threads of [1, 2]) {
    for (const kind of Object.keys(kinds)) {
      // 'ssim-map': the one plane a score may hold (4 bytes an output) besides the stream.
      for (const metric of ['ssim', 'ssim-map', 'dssim', 'lwssim', 'msssim']) {
        it(`${kind}, ${metric}, ${threads === 1 ? 'simd' : 'threads'} build`, () => {
          const r = JSON.parse(execFileSync(process.execPath, [child, String(threads), metric, ...files[kind]!], { encoding: 'utf8' }));
          console.log(`[4k] ${kind} ${metric} ${r.build}: ${(r.bytes / MiB).toFixed(1)} MiB, ${r.ms.toFixed(0)} ms`);
          expect(r.build).toBe(threads === 1 ? 'simd' : 'threads');
          expect(Number.isFinite(r.score)).toBe(true);
          expect(r.bytes).toBeLessThanOrEqual(64 * MiB);
          // The map (32 MiB) is carved from the block the decodes freed, not
          // added on top of it (it was: 58-62 MiB for PNG and baseline JPEG).
          if (metric === 'ssim-map') expect(r.bytes).toBeLessThanOrEqual(56 * MiB);
        }, 120_000);
      }
    }
    // The pair users hold: an RGBA PNG from a design tool against an RGB JPEG.
    it(`PNG RGBA against JPEG progressive, msssim, ${threads === 1 ? 'simd' : 'threads'} build`, () => {
      const [png] = files['PNG RGBA']!, [, jpeg] = files['JPEG progressive']!;
      const r = JSON.parse(execFileSync(process.execPath, [child, String(threads), 'msssim', png, jpeg], { encoding: 'utf8' }));
      console.log(`[4k] PNG RGBA vs JPEG msssim ${r.build}: ${(r.bytes / MiB).toFixed(1)} MiB, ${r.ms.toFixed(0)} ms`);
      expect(r.score).toBeGreaterThan(0.5);
      expect(r.score).toBeLessThan(1);
      expect(r.bytes).toBeLessThanOrEqual(64 * MiB);
    }, 120_000);
  }
});
