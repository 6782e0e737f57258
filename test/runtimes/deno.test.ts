// Deno 2 (the `deno` npm package's binary) imports the packed ssimkit from a
// project's node_modules and must give Node's numbers, bit for bit.

import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { BIN, CASES_MJS, decode, differences, fixturesDir, loadFixtures, nodeReference, ROOT, type Run, scratch, tampered, testPackage, WIRE_MJS } from './harness.js';

const run = promisify(execFile);
const dir = fixturesDir();
const count = loadFixtures(dir).cases.length;
let node: Run, deno: Run;

beforeAll(async () => {
  const pkg = testPackage();
  node = await nodeReference(pkg, dir);
  const s = scratch(pkg);
  try {
    copyFileSync(join(ROOT, 'test/runtimes/deno-runner.mjs'), join(s.dir, 'run.mjs'));
    const { stdout } = await run(join(BIN, 'deno'), [
      'run', '--no-prompt',
      // The project's node_modules as npm left it; nothing fetched, ever.
      '--node-modules-dir=manual', '--cached-only',
      `--allow-read=${pkg.project},${join(ROOT, 'test')}`,
      join(s.dir, 'run.mjs'), pathToFileURL(CASES_MJS).href, pathToFileURL(WIRE_MJS).href, dir,
    ], {
      cwd: s.dir,
      // A fresh cache per run: nothing carried over from another Deno use.
      env: { ...process.env, DENO_DIR: join(s.dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      maxBuffer: 256 << 20,
      timeout: 60_000,
    });
    deno = decode(stdout.trim().split('\n').pop()!);
  } finally {
    s.remove();
  }
});

describe('deno', () => {
  test('loads dist/deno.js through the deno export condition, with SIMD', () => {
    expect(node.resolved).toMatch(/\/node_modules\/ssimkit\/dist\/node\.js$/);
    expect(node.info).toMatchObject({ runtime: 'node', simd: true });
    expect(deno.resolved).toMatch(/\/node_modules\/ssimkit\/dist\/deno\.js$/);
    expect(deno.info).toMatchObject({ runtime: 'deno', simd: true, build: 'simd' });
  });

  test(`gives Node's results bit for bit on all ${count} fixture cases`, () => {
    expect(differences(node.results, deno.results, count)).toEqual([]);
    expect(differences(node.results, tampered(deno.results), count)).not.toEqual([]);
  });
});
