// Jest 30 in its default (CommonJS) mode, with no configuration and no
// Babel config in the project, runs a test file that requires ssimkit and
// ssimkit/tfjs from the packed install, inits and asserts scores (the ES
// build's, bit for bit). Found: the threaded build's pool starts inside
// Jest (its worker_threads load dist/thread-worker-node.js natively).

import { copyFileSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type Consumer, makeConsumer, ROOT } from './project.js';

const JEST = join(ROOT, 'node_modules/jest/bin/jest.js');
let c: Consumer;
let report: any;

beforeAll(async () => {
  c = makeConsumer(inject('ssimkitProject'));
  c.write('__tests__/ssimkit.test.js', readFileSync(join(ROOT, 'test/consumers/jest-ssimkit.cjs'), 'utf8'));
  copyFileSync(join(ROOT, 'examples/images/chelsea.png'), join(c.dir, 'ref.png'));
  copyFileSync(join(ROOT, 'examples/images/chelsea-jpeg-q20.png'), join(c.dir, 'img.png'));
  const esm = await import(/* @vite-ignore */ pathToFileURL(c.write('esm.mjs', "export * from 'ssimkit';\n")).href);
  await esm.init();
  const [a, b] = ['ref.png', 'img.png'].map((f) => esm.decode(readFileSync(join(c.dir, f))));
  const f32 = (d: { data: Uint8Array; width: number; height: number; channels: number }) =>
    ({ data: Float32Array.from(d.data, (v) => v / 255), shape: [1, d.height, d.width, d.channels] });
  c.write('expected.json', JSON.stringify({
    ssim: esm.ssim(a, b).score,
    // The adapter hands TF.js a float32 scalar; (yTrue, yPred) is (a, b).
    ssimLoss: Math.fround(esm.ssimLoss(f32(b), f32(a)).loss),
  }));
  const out = join(c.dir, 'jest-result.json');
  await c.run(process.execPath, [JEST, '--rootDir', c.dir, '--ci', '--watchman=false', '--cacheDirectory', join(c.dir, '.jest-cache'),
    '--json', '--outputFile', out], { timeout: 180_000 });
  report = { result: JSON.parse(readFileSync(out, 'utf8')), init: JSON.parse(readFileSync(join(c.dir, 'init.json'), 'utf8')) };
});
afterAll(() => c?.remove());

test('the test file passes in Jest\'s default mode (both tests ran)', () => {
  expect(report.result).toMatchObject({ success: true, numTotalTests: 2, numPassedTests: 2, numFailedTests: 0 });
});

test('init() inside Jest starts the threaded build (or says why not)', () => {
  const n = Math.min(availableParallelism(), 8);
  if (n > 1) {
    expect(report.init).toMatchObject({ build: 'threads', threads: n, runtime: 'node' });
    expect(report.init.fallback).toBeUndefined();
  } else {
    expect(report.init.build).toBe('simd');
  }
});
