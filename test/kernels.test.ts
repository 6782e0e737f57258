// The SIMD128 kernels of each build against their scalar reference, inside
// the WebAssembly (cargo test checks the same twins with the host's lanes).
// One child process per build: init() loads one build per process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./shared/selftest-child.mjs', import.meta.url));

function selfTest(threads: number): { build: string; result: string } {
  return JSON.parse(execFileSync(process.execPath, [child, String(threads)], { encoding: 'utf8' }));
}

describe('SIMD kernels inside the wasm', () => {
  it('single-threaded build: every twin equals the scalar reference bit for bit', () => {
    expect(selfTest(1)).toEqual({ build: 'simd', result: '' });
  });
  it('threaded build: the same', () => {
    expect(selfTest(2)).toEqual({ build: 'threads', result: '' });
  });
});
