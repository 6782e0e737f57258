// The size budget of issue 9: each .wasm at most 250 KB brotli (quality 11,
// what a CDN serves), decoders included. Deterministic: bytes, not speed.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUDGET = 250_000;

describe('wasm size', () => {
  for (const build of ['simd', 'threads', 'scalar']) {
    it(`dist/wasm/${build}/ssimkit_bg.wasm is at most 250 KB brotli`, () => {
      const bytes = readFileSync(new URL(`../dist/wasm/${build}/ssimkit_bg.wasm`, import.meta.url));
      const size = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
      console.log(`${build}: ${bytes.length} bytes, ${size} brotli`);
      expect(size).toBeLessThanOrEqual(BUDGET);
    });
  }

  it('the inlined simd build (browser entry) costs at most 3% more gzip transfer than the .wasm itself', () => {
    // The browser entry carries the simd build deflated in base64 (ts/inline.ts).
    const wasm = readFileSync(new URL('../dist/wasm/simd/ssimkit_bg.wasm', import.meta.url));
    const inline = readFileSync(new URL('../dist/wasm/simd/inline.js', import.meta.url));
    const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;
    console.log(`simd inline: ${inline.length} bytes, ${gz(inline)} gzip; the .wasm: ${gz(wasm)} gzip`);
    expect(gz(inline)).toBeLessThanOrEqual(gz(wasm) * 1.03);
    expect(inline.length).toBeLessThan(wasm.length * 0.6);
  });
});
