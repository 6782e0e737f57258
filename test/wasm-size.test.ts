// The size budget of issue 9: each .wasm at most 250 KB brotli (quality 11,
// what a CDN serves), decoders included. Deterministic: bytes, not speed.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUDGET = 250_000;

describe('wasm size', () => {
  for (const build of ['simd', 'threads']) {
    it(`dist/wasm/${build}/ssimkit_bg.wasm is at most 250 KB brotli`, () => {
      const bytes = readFileSync(new URL(`../dist/wasm/${build}/ssimkit_bg.wasm`, import.meta.url));
      const size = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
      console.log(`${build}: ${bytes.length} bytes, ${size} brotli`);
      expect(size).toBeLessThanOrEqual(BUDGET);
    });
  }
});
