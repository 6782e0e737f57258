// init()'s state and the pool's failure paths (issue 8, class 7), in Node
// and Deno. A build loads once per process, so each scenario runs in a
// process of its own (test/threads-state-child.mjs):
// - a later init() or initSync() whose options disagree with what is loaded
//   is an Error saying what is loaded; agreeing or no options return it;
// - initSync() while init() is loading is an Error, and init() still
//   resolves to the one build that is loaded;
// - the threads .wasm given to initSync() / init({ module }) is a TypeError
//   naming the file to pass (not a bare LinkError);
// - a pool thread that traps or panics (the test-only poolTestTrap) makes
//   the call throw within a bound, not hang; ssimkit then runs the simd
//   build with the same bits, and init() reports the fallback;
// - a pool that never starts costs a bounded wait: the default init()
//   resolves at once and its pool falls back to simd behind it (a later
//   init() says why), threads: n fails.

import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = join(ROOT, 'test/threads-state-child.mjs');
const DENO = join(ROOT, 'node_modules/.bin/deno');
type Out = Record<string, any>;

async function child(runtime: 'node' | 'deno', scenario: string, arg?: string, dist = join(ROOT, 'dist')): Promise<Out> {
  const entry = pathToFileURL(join(dist, runtime === 'node' ? 'node.js' : 'deno.js')).href;
  const args = [CHILD, entry, scenario, ...(arg ? [arg] : [])];
  // The timeout is the test: a hang (or a pool keeping the process alive) fails here.
  const { stdout } = runtime === 'node'
    ? await run(process.execPath, args, { timeout: 60_000 })
    : await run(DENO, ['run', '--no-prompt', `--allow-read=${ROOT},${dist}`, ...args],
      { timeout: 60_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

const LOADED_THREADS = /^Error: (init|initSync): ssimkit is already initialised with the threaded build with 2 threads, so (threads: \d|a supplied module \(a single-threaded build\)) cannot apply: the build is chosen once per JavaScript realm, by the first init\(\) or initSync\(\)\. Call init\(\) without options to use what is loaded/;
const THREADS_WASM = /^TypeError: (init|initSync): module is ssimkit's threaded build \(it imports a shared memory\); pass the single-threaded build, the 'ssimkit\/simd\.wasm' export/;

for (const runtime of ['node', 'deno'] as const) {
  describe(`init state (${runtime})`, () => {
    it('a later init with other threads is an Error saying what is loaded; the same or no options return it', async () => {
      const o = await child(runtime, 'twice');
      expect(o.first).toEqual({ build: 'threads', threads: 2 });
      for (const k of ['more', 'fewer', 'module', 'sync']) expect(o[k].error, k).toMatch(LOADED_THREADS);
      expect(o.more.error).toMatch(/threads: 3 cannot apply/);
      expect(o.sync.error).toMatch(/^Error: initSync: /);
      expect(o.same).toEqual(o.first);
      expect(o.none).toEqual(o.first);
      expect(o.score).toBeGreaterThan(0.5);
      const s = await child(runtime, 'twice-simd');
      expect(s.first).toEqual({ build: 'simd', threads: 1 });
      expect(s.more.error).toMatch(/^Error: init: ssimkit is already initialised with the single-threaded simd build, so threads: 2 cannot apply/);
      // A module is the simd build: it agrees with what is loaded.
      for (const k of ['same', 'module', 'sync']) expect(s[k], k).toEqual(s.first);
    });

    it('initSync while init() loads is an Error; init() then resolves to the one build loaded', async () => {
      const o = await child(runtime, 'sync-during-init');
      expect(o.sync.error).toBe('Error: initSync: init() is still loading ssimkit; await its promise instead (initSync cannot wait, and a second load would leave two builds)');
      expect(o.init).toEqual({ build: 'threads', threads: 2 });
      expect(o.later).toEqual(o.init);
      expect(o.syncAfter.error).toMatch(LOADED_THREADS);
      expect(o.used).toBe(2);
      expect(o.score).toBeGreaterThan(0.5);
    });

    it('the threads .wasm is a TypeError naming the file to pass; bad modules are TypeErrors with the prefix', async () => {
      const o = await child(runtime, 'threads-wasm');
      expect(o.bytes.error).toMatch(THREADS_WASM);
      expect(o.compiled.error).toMatch(THREADS_WASM);
      expect(o.init.error).toMatch(THREADS_WASM);
      expect(o.init.error).toMatch(/^TypeError: init: /);
      expect(o.garbage.error).toMatch(/^TypeError: initSync: module is not ssimkit's simd build \(CompileError: /);
      expect(o.notBytes.error).toBe('TypeError: initSync: module must be a WebAssembly.Module or its bytes (a BufferSource)');
      // Nothing was loaded by the failures: the right module still loads.
      expect(o.ok).toEqual({ build: 'simd', threads: 1 });
      expect(o.score).toBeGreaterThan(0.5);
    });

    for (const how of ['trap', 'panic'] as const) {
      it(`a pool thread that ${how === 'trap' ? 'traps (unreachable)' : 'panics'} makes the call throw, and ssimkit goes on single-threaded with the same bits`, async () => {
        const o = await child(runtime, 'trap', how === 'panic' ? 'panic' : undefined);
        expect(o.info).toEqual({ build: 'threads', threads: 2 });
        expect(o.trap.error).toMatch(/^Error: poolTestTrap: a pool thread failed \(.*\); ssimkit now runs single-threaded \(the simd build: the same results\)$/s);
        // The builds abort on a panic at once (-Cpanic=immediate-abort, for size): a panic is a trap.
        expect(o.trap.error).toMatch(/\(it trapped\)/);
        expect(o.trapMs).toBeLessThan(5_000);
        // Every path (streamed, map, MS-SSIM, LWSSIM, loss + gradient): the same numbers, twice.
        expect(o.after).toEqual(o.before);
        expect(o.again).toEqual(o.before);
        expect(o.later).toMatchObject({ build: 'simd', threads: 1, fallback: expect.stringMatching(/^a pool thread failed/) });
        expect(o.used).toBe(1);
      });
    }
  });
}

describe('a pool that never starts (node)', () => {
  it('costs a bounded wait: the default init() falls back to simd and says why; threads: 2 fails', async () => {
    // A copy of dist/ whose pool workers say 'ready' but never take a thread.
    const tmp = mkdtempSync(join(tmpdir(), 'ssimkit-stuck-'));
    try {
      cpSync(join(ROOT, 'dist'), join(tmp, 'dist'), { recursive: true });
      writeFileSync(join(tmp, 'dist/thread-worker-node.js'),
        "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage('ready');\nsetInterval(() => {}, 1 << 30);\n");
      writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }');
      const [byDefault, asked] = await Promise.all([
        child('node', 'start', undefined, join(tmp, 'dist')),
        child('node', 'start', '{"threads":2}', join(tmp, 'dist')),
      ]);
      const why = /the pool did not start within 10 s \(0 of \d+ threads running\)$/;
      // The default init() resolved at once, the pool starting; the later init() waited out its 10 s.
      expect(byDefault.first).toMatchObject({ build: 'threads', starting: true });
      expect(byDefault.firstMs).toBeLessThan(9_000);
      expect(byDefault.init).toMatchObject({ build: 'simd', threads: 1, fallback: expect.stringMatching(why) });
      expect(byDefault.init.fallback).toMatch(/^the thread pool could not start: /);
      expect(byDefault.score).toBe(1);
      expect(asked.init.error).toMatch(/^Error: init: could not start 2 threads: /);
      expect(asked.init.error).toMatch(why);
      for (const r of [byDefault, asked]) {
        expect(r.ms).toBeGreaterThanOrEqual(9_900);
        expect(r.ms).toBeLessThan(20_000);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
