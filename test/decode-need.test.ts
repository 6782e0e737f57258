// The memory decoding a file reckons it needs (memory::decode_need, which
// openFile reserves against) held to what it really takes: each file decoded
// by a fresh module in a child process, wasm memory measured before and after
// (test/shared/decode-need-child.mjs). The estimate must cover the growth (or
// a decode could trap where it was let through) and not overstate it by more
// than a stated factor (or a file that fits could be refused).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MiB = 1 << 20;
const child = fileURLToPath(new URL('./shared/decode-need-child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ssimkit-decode-need-'));

/** A photo-like image: smooth shapes with mild noise, 8 or 16 bits a sample. */
function raw(w: number, h: number, channels: 1 | 3 | 4, depth: 8 | 16 = 8) {
  const d = depth === 16 ? new Uint16Array(w * h * channels) : new Uint8Array(w * h * channels);
  const top = depth === 16 ? 65535 : 255, k = top / 255;
  let s = 2654435761;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const n = ((s >>> 28) - 8) * k;
      const i = channels * (y * w + x);
      const v = [128 + 100 * Math.sin(x / (w / 12)), (y * 255) / h, 128 + 90 * Math.cos((x + y) / (w / 8)), 255 - ((x >> 4) & 63)];
      for (let c = 0; c < channels; c++) d[i + c] = Math.max(0, Math.min(top, v[c]! * k + n));
    }
  }
  const img = sharp(Buffer.from(d.buffer), { raw: { width: w, height: h, channels, ...(depth === 16 ? { depth: 'ushort' as const } : {}) } });
  return depth === 16 ? img.toColourspace(channels === 1 ? 'grey16' : 'rgb16') : img;
}

type Make = (w: number, h: number) => ReturnType<typeof sharp>;
/** Each kind of file, and the largest size it is measured at (below the size where a decode holds its need up front, 128 MiB). */
const KINDS: [string, Make, number][] = [
  ['PNG RGB', (w, h) => raw(w, h, 3).png(), 3840],
  ['PNG gray', (w, h) => raw(w, h, 1).toColourspace('b-w').png(), 3840],
  ['PNG palette', (w, h) => raw(w, h, 3).png({ palette: true, colours: 64, dither: 0 }), 3840],
  ['PNG RGB 16-bit', (w, h) => raw(w, h, 3, 16).png(), 3840],
  ['PNG RGBA interlaced', (w, h) => raw(w, h, 4).png({ progressive: true }), 3840],
  ['PNG RGBA 16-bit interlaced', (w, h) => raw(w, h, 4, 16).png({ progressive: true }), 1920],
  ['JPEG baseline 4:2:0', (w, h) => raw(w, h, 3).jpeg({ quality: 90 }), 3840],
  ['JPEG baseline 4:4:4', (w, h) => raw(w, h, 3).jpeg({ quality: 90, chromaSubsampling: '4:4:4' }), 3840],
  ['JPEG gray', (w, h) => raw(w, h, 1).toColourspace('b-w').jpeg({ quality: 90 }), 3840],
  ['JPEG progressive 4:2:0', (w, h) => raw(w, h, 3).jpeg({ quality: 90, progressive: true }), 3840],
  ['JPEG progressive 4:4:4', (w, h) => raw(w, h, 3).jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:4:4' }), 3840],
  ['WebP lossy', (w, h) => raw(w, h, 3).webp({ quality: 80 }), 3840],
  ['WebP lossy with alpha', (w, h) => raw(w, h, 4).webp({ quality: 80 }), 3840],
  ['WebP lossless', (w, h) => raw(w, h, 3).webp({ lossless: true, effort: 0 }), 3840],
  ['WebP lossless with alpha', (w, h) => raw(w, h, 4).webp({ lossless: true, effort: 0 }), 3840],
];
const CHANNELS: Record<string, number> = Object.fromEntries(KINDS.map(([k]) => [k, /gray/.test(k) ? 1 : /RGBA|alpha/.test(k) ? 4 : 3]));
const SIZES: [number, number][] = [[640, 480], [1920, 1080], [3840, 2160]];
const files = new Map<string, string>();
const key = (kind: string, w: number, h: number) => `${kind} ${w}x${h}`;

beforeAll(async () => {
  for (const [kind, make, largest] of KINDS) {
    for (const [w, h] of SIZES.filter(([w]) => w <= largest)) {
      const path = join(dir, key(kind, w, h).replace(/\W+/g, '-'));
      writeFileSync(path, await make(w, h).toBuffer());
      files.set(key(kind, w, h), path);
    }
  }
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How far above the measured growth the estimate may be: a factor (a
 *  progressive 4:2:0 JPEG is reckoned at 4:4:4's coefficients, 1.5x), plus
 *  2 MiB (the 1 MiB of slack the estimate adds, and the free memory a fresh
 *  module starts with, which small files fit in without growing it). */
const FACTOR = 1.6, SLACK = 2 * MiB;

describe('the memory a decode reckons it needs covers what it takes', () => {
  for (const threads of [1, 2]) {
    for (const [kind, , largest] of KINDS) {
      // The threaded build decodes on one thread as the simd build does
      // (measured within 0.2 MiB): its largest size only.
      for (const [w, h] of SIZES.filter(([w]) => w <= largest && (threads === 1 || w === largest))) {
        it(`${kind}, ${w}x${h} (${threads === 1 ? 'simd' : 'threads'} build)`, () => {
          const r = JSON.parse(execFileSync(process.execPath, [child, String(threads), files.get(key(kind, w, h))!], { encoding: 'utf8' }));
          const grew = r.after - r.before;
          console.log(`[decode-need] ${kind} ${w}x${h} ${r.build}: grew ${(grew / MiB).toFixed(2)} MiB, reckoned ${(r.need / MiB).toFixed(2)} MiB (${(r.need / grew).toFixed(2)}x)`);
          expect(r.build).toBe(threads === 1 ? 'simd' : 'threads');
          expect([r.width, r.height]).toEqual([w, h]);
          expect(r.need, `grew ${(grew / MiB).toFixed(1)} MiB, reckoned ${(r.need / MiB).toFixed(1)} MiB`).toBeGreaterThanOrEqual(grew);
          expect(r.need).toBeLessThanOrEqual(FACTOR * grew + SLACK);
          expect(r.channels).toBe(CHANNELS[kind]);
        }, 60_000);
      }
    }
  }
});
