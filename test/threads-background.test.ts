// The default init() starts its pool in the background (issue 12: init()
// in ≤ 30 ms): it resolves once the simd build runs, with `starting: true`,
// and the pool takes over when every thread runs. Each scenario runs in a
// fresh process (test/threads-state-child.mjs, scenario 'background'), in
// Node and Deno. What is held, without any clock:
// - init() resolved before the pool ran: the calls made right after it ran
//   on the simd build (its features, threadsUsed() 1), synchronously (the
//   build did not change under them), and gave the threaded build's bits;
// - a later `await init()` reports the pool, which then really runs;
// - a pool that cannot start leaves the simd build, and the later init()
//   says why;
// - the process exits by itself (the child's timeout is the test).

import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = join(ROOT, 'test/threads-state-child.mjs');
const DENO = join(ROOT, 'node_modules/.bin/deno');
type Out = Record<string, any>;

async function background(runtime: 'node' | 'deno', dist = join(ROOT, 'dist')): Promise<Out> {
  const entry = pathToFileURL(join(dist, runtime === 'node' ? 'node.js' : 'deno.js')).href;
  const args = [CHILD, entry, 'background'];
  // A hang, or a pool that keeps the process alive, fails here.
  const { stdout } = runtime === 'node'
    ? await run(process.execPath, args, { timeout: 60_000 })
    : await run(DENO, ['run', '--no-prompt', `--allow-read=${ROOT},${dist}`, ...args],
      { timeout: 60_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

const n = Math.min(availableParallelism(), 8);

describe.runIf(n > 1)('the default init() starts its pool in the background', () => {
  for (const runtime of ['node', 'deno'] as const) {
    it(`${runtime}: resolves before the pool runs; calls right after it run on simd, synchronously, with the pool's bits; a later init() reports the pool`, async () => {
      const o = await background(runtime);
      // What init() resolved to names the pool being started, and says it is starting.
      expect(o.first).toEqual({ build: 'threads', threads: n, starting: true, features: ['simd128', 'atomics'] });
      // The calls made at once ran on the simd build, and it stayed theirs.
      expect(o.ranOn).toBe('simd128');
      expect(o.stillOn).toBe('simd128');
      expect(o.usedNow).toBe(1);
      // The later init() waited for the pool: it runs, on n threads.
      expect(o.settled).toEqual({ build: 'threads', threads: n, features: ['simd128', 'atomics'] });
      expect(o.settled.features).toEqual(o.first.features);
      expect(o.settledOn).toBe('simd128,atomics');
      // The best of three small jobs: a busy machine may starve one thread once.
      expect(o.usedAfter).toBeGreaterThan(1);
      // Every path (streamed, map, MS-SSIM, LWSSIM, loss + gradient): the same bits on both builds.
      expect(Object.keys(o.now)).toHaveLength(7);
      expect(o.after).toEqual(o.now);
      expect(o.again).toEqual({ build: 'threads', threads: n });
    });
  }

  it('node: a pool that cannot start in the background leaves the simd build, and the later init() says why', async () => {
    // A copy of dist/ without the pool's worker script (a bundler that left it behind).
    const tmp = mkdtempSync(join(tmpdir(), 'ssimkit-bg-noworker-'));
    try {
      cpSync(join(ROOT, 'dist'), join(tmp, 'dist'), { recursive: true });
      rmSync(join(tmp, 'dist/thread-worker-node.js'));
      writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }');
      const o = await background('node', join(tmp, 'dist'));
      expect(o.first).toMatchObject({ build: 'threads', threads: n, starting: true });
      expect(o.ranOn).toBe('simd128');
      expect(o.settled).toMatchObject({ build: 'simd', threads: 1, features: ['simd128'] });
      expect(o.settled.fallback).toMatch(/^the thread pool could not start: a thread worker failed to start: .*thread-worker-node\.js/);
      expect(o.settled.starting).toBeUndefined();
      expect(o.settledOn).toBe('simd128');
      expect(o.usedAfter).toBe(1);
      expect(o.after).toEqual(o.now);
      expect(o.again).toEqual({ build: 'simd', threads: 1, fallback: o.settled.fallback });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('node: a script that scores once right after init() and ends exits by itself, the pool still starting or not', async () => {
    const script = `import { init, ssim } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/node.js')).href)};
      const i = await init();
      const img = { data: new Uint8Array(32 * 32 * 3).map((_, k) => k), width: 32, height: 32 };
      console.log(JSON.stringify({ starting: i.starting, score: ssim(img, img).score }));`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
    expect(JSON.parse(stdout.trim())).toEqual({ starting: true, score: 1 });
    expect(stderr).toBe('');
  });
});
