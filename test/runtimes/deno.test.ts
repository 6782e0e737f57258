// Deno 2 (the `deno` npm package's binary) imports the packed ssimkit from a
// project's node_modules and must give Node's numbers, bit for bit.
// It runs twice: the threaded build on 2 threads (which must really run
// tasks on both, and let Deno exit) and the simd build (threads: 1).

import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { decodeCount, decodeDifferences, decodeList, nodeDecodeProblems, tamperedDecode } from './decode-cases.js';
import { BIN, CASES_MJS, decode, differences, fixturesDir, loadFixtures, nodeReference, ROOT, type Run, scratch, tampered, testPackage, WIRE_MJS } from './harness.js';

const run = promisify(execFile);
const dir = fixturesDir();
const count = loadFixtures(dir).cases.length;
const decodes = decodeCount(decodeList());
type DenoRun = Run & { info: { threads: number; features: string[] }; used: number[] };
let node: Run, deno: DenoRun, denoSimd: DenoRun;

beforeAll(async () => {
  const pkg = testPackage();
  node = await nodeReference(pkg, dir);
  const s = scratch(pkg);
  try {
    copyFileSync(join(ROOT, 'test/runtimes/deno-runner.mjs'), join(s.dir, 'run.mjs'));
    const denoRun = async (options: object): Promise<DenoRun> => {
      const { stdout } = await run(join(BIN, 'deno'), [
        'run', '--no-prompt',
        // The project's node_modules as npm left it; nothing fetched, ever.
        '--node-modules-dir=manual', '--cached-only',
        `--allow-read=${pkg.project},${join(ROOT, 'test')}`,
        join(s.dir, 'run.mjs'), pathToFileURL(CASES_MJS).href, pathToFileURL(WIRE_MJS).href, dir, JSON.stringify(options), JSON.stringify(decodeList()),
      ], {
        cwd: s.dir,
        // A fresh cache per run: nothing carried over from another Deno use.
        env: { ...process.env, DENO_DIR: join(s.dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
        maxBuffer: 256 << 20,
        // Also what fails if the pool's workers kept Deno alive.
        timeout: 60_000,
      });
      return decode(stdout.trim().split('\n').pop()!);
    };
    // Two threads whatever the machine's cores; and the single-threaded build.
    deno = await denoRun({ threads: 2 });
    denoSimd = await denoRun({ threads: 1 });
  } finally {
    s.remove();
  }
});

describe('deno', () => {
  test('loads dist/deno.js through the deno export condition, with SIMD', () => {
    expect(node.resolved).toMatch(/\/node_modules\/ssimkit\/dist\/node\.js$/);
    expect(node.info).toMatchObject({ runtime: 'node', simd: true });
    expect(deno.resolved).toMatch(/\/node_modules\/ssimkit\/dist\/deno\.js$/);
    expect(denoSimd.info).toMatchObject({ runtime: 'deno', simd: true, build: 'simd', threads: 1 });
  });

  test('runs the threaded build on a pool of 2 that really works, and exits by itself', () => {
    expect(deno.info).toMatchObject({ runtime: 'deno', simd: true, build: 'threads', threads: 2, features: ['simd128', 'atomics'] });
    // The best of three small jobs: a busy machine may starve one thread once.
    expect(Math.max(...deno.used)).toBe(2);
    expect(denoSimd.used).toEqual([1, 1, 1]);
  });

  test(`gives Node's results bit for bit on all ${count} fixture cases, threaded and not`, () => {
    expect(differences(node.results, deno.results, count)).toEqual([]);
    expect(differences(node.results, denoSimd.results, count)).toEqual([]);
    expect(differences(node.results, tampered(deno.results), count)).not.toEqual([]);
  });

  test(`decodes ${decodes} files (PNG, JPEG, WebP of every kind), scores files and refuses broken ones as Node does, bit for bit, threaded and not`, () => {
    expect(nodeDecodeProblems(node.decode)).toEqual([]);
    expect(decodeDifferences(node.decode, deno.decode, decodes)).toEqual([]);
    expect(decodeDifferences(node.decode, denoSimd.decode, decodes)).toEqual([]);
    expect(decodeDifferences(node.decode, tamperedDecode(deno.decode), decodes)).not.toEqual([]);
  });
});
