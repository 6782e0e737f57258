// The threaded build in Node. init() loads once per process, so each
// configuration runs in a child process of its own (test/threads-child.mjs)
// over the fixture cases and larger images and batches: the threaded build
// with 2 and 3 threads must give the simd build's numbers, channels, maps and
// gradients bit for bit, really use its threads, and let Node exit by itself.

import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, threadsUsed } from 'ssimkit';
import { differences, loadFixtures, type Result, tampered } from './runtimes/harness.js';
import { decode, encode } from './runtimes/wire.mjs';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./threads-child.mjs', import.meta.url));
const count = loadFixtures(fileURLToPath(new URL('./fixtures/', import.meta.url))).cases.length;

interface Child {
  info: { build: string; threads: number; simd: boolean; features: string[]; runtime: string };
  initMs: number;
  used: number[];
  results: Result[];
  large: Record<string, unknown>;
}

async function child(options: object | null): Promise<Child> {
  // A timeout, not process.exit: a worker keeping Node alive fails here.
  const { stdout } = await run(process.execPath, [CHILD, JSON.stringify(options)], { timeout: 90_000, maxBuffer: 64 << 20 });
  return decode(stdout.trim().split('\n').pop()!);
}

const runs: Record<string, Child> = {};
beforeAll(async () => {
  // One after another: two cores, and each run starts its own pool.
  for (const [name, o] of [['simd', { threads: 1 }], ['t2', { threads: 2 }], ['t3', { threads: 3 }], ['auto', null], ['scalar', { simd: false }]] as const) {
    runs[name] = await child(o);
  }
}, 300_000);

describe('threads in Node', () => {
  it('threads: 1 is the simd build; threads: n a pool of n', () => {
    expect(runs.simd!.info).toMatchObject({ build: 'simd', threads: 1, simd: true, runtime: 'node', features: ['simd128'] });
    expect(runs.t2!.info).toMatchObject({ build: 'threads', threads: 2, simd: true, runtime: 'node', features: ['simd128', 'atomics'] });
    expect(runs.t3!.info).toMatchObject({ build: 'threads', threads: 3 });
  });

  it('simd: false is the scalar build (no SIMD128: what hosts without it get), asked for, so no fallback', () => {
    expect(runs.scalar!.info).toEqual({ build: 'scalar', threads: 1, simd: false, runtime: 'node', features: [] });
  });

  it('the default is the threaded build where Node has more than one core', async () => {
    const n = Math.min(availableParallelism(), 8);
    expect(runs.auto!.info).toMatchObject(n > 1 ? { build: 'threads', threads: n } : { build: 'simd', threads: 1 });
  });

  it('the pool really runs tasks on its threads (threadsUsed)', () => {
    expect(runs.simd!.used).toEqual([1, 1, 1]);
    // The best of three small jobs: a busy machine may starve one thread once.
    expect(Math.max(...runs.t2!.used)).toBe(2);
    expect(Math.max(...runs.t3!.used)).toBeGreaterThan(1);
  });

  it('starts under `node --input-type=module -e` (workers get no inherited flags)', async () => {
    const code = "import('ssimkit').then(async (m) => { const i = await m.init({ threads: 2 }); console.log(i.build, i.threads); })";
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
    expect(stdout.trim()).toBe('threads 2');
  });

  for (const name of ['t2', 't3', 'auto', 'scalar'] as const) {
    it(`${name}: the fixture cases give the simd build's bits (scores, channels, maps)`, () => {
      expect(differences(runs.simd!.results, runs[name]!.results, count)).toEqual([]);
      expect(differences(runs.simd!.results, tampered(runs[name]!.results), count)).not.toEqual([]);
    });

    it(`${name}: 640x480 images and loss batches with gradients give the simd build's bits`, () => {
      // The wire form: every double in its shortest exact form, -0 and NaN tagged.
      expect(encode(runs[name]!.large)).toBe(encode(runs.simd!.large));
      expect(Object.keys(runs.simd!.large)).toHaveLength(8);
    });
  }
});

describe('when the pool cannot start', () => {
  it('the default falls back to simd; an explicit threads: 2 is an error that says why', async () => {
    // A copy of dist/ without the pool's worker script, as a bundler that
    // does not follow `new URL('./thread-worker-node.js', import.meta.url)` leaves it.
    const tmp = mkdtempSync(join(tmpdir(), 'ssimkit-noworker-'));
    try {
      cpSync(fileURLToPath(new URL('../dist', import.meta.url)), join(tmp, 'dist'), { recursive: true });
      rmSync(join(tmp, 'dist/thread-worker-node.js'));
      writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }');
      const entry = pathToFileURL(join(tmp, 'dist/node.js')).href;
      const attempt = async (options: string) => {
        const script = `const s = await import(${JSON.stringify(entry)});
          // The default init() resolves with its pool still starting: the second says how the start ended.
          const r = await s.init(${options}).then(() => s.init()).then((i) => ({ build: i.build, threads: i.threads, fallback: i.fallback, score: s.ssim(img, img).score }), (e) => ({ error: e.name + ': ' + e.message }));
          console.log(JSON.stringify(r));`;
        const prelude = 'const img = { data: new Uint8Array(32 * 32 * 3).map((_, i) => i), width: 32, height: 32 };';
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', prelude + script], { timeout: 60_000 });
        return JSON.parse(stdout.trim().split('\n').pop()!);
      };
      if (Math.min(availableParallelism(), 8) > 1) {
        const r = await attempt('');
        expect(r).toMatchObject({ build: 'simd', threads: 1, score: 1 });
        expect(r.fallback).toMatch(/^the thread pool could not start: a thread worker failed to start: .*thread-worker-node\.js/);
      }
      // Asked for one thread: nothing fell back.
      expect(await attempt('{ threads: 1 }')).toEqual({ build: 'simd', threads: 1, score: 1 });
      expect((await attempt('{ threads: 2 }')).error).toMatch(/^Error: init: could not start 2 threads: a thread worker failed to start: .*thread-worker-node\.js/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('init({ threads }) is checked', () => {
  it('rejects bad values with TypeError / RangeError, loading nothing', async () => {
    const bad: [unknown, typeof TypeError, RegExp][] = [
      [{ threads: '2' }, TypeError, /^init: threads must be a number, got the string "2"$/],
      [{ threads: 0 }, RangeError, /^init: threads must be a positive integer, got 0$/],
      [{ threads: 2.5 }, RangeError, /^init: threads must be a positive integer, got 2.5$/],
      [{ threads: 65 }, RangeError, /^init: threads must be at most 64, got 65$/],
      [{ thread: 2 }, TypeError, /^init: unknown option 'thread' \(known: module, threads, simd\)$/],
      [{ simd: 'no' }, TypeError, /^init: simd must be true or false, got "no"$/],
      [{ simd: false, threads: 2 }, TypeError, /^init: simd: false \(the scalar build\) and threads > 1 cannot be combined/],
      [{ threads: 2, module: new Uint8Array(8) }, TypeError, /^init: options module and threads > 1 cannot be combined/],
    ];
    for (const [options, type, message] of bad) {
      const e = await init(options as never).then(() => undefined, (err: unknown) => err);
      expect(e, JSON.stringify(options)).toBeInstanceOf(type);
      expect((e as Error).message).toMatch(message);
    }
    expect(() => threadsUsed()).toThrow(/not initialised/);
  });
});
