// `require('ssimkit')` and `require('ssimkit/tfjs')` from a CommonJS
// project with the packed package installed: on a Node without require(esm)
// (Node 20.20 here, run with --no-experimental-require-module, as Node 18
// and 20 before 20.19 behave) and on this Node as it is. The CommonJS twins
// (dist/cjs/) must give the ES build's bits, share one initialised state
// between the two entries, and start the threaded build's pool; bundled
// into one file, they run the inlined build and say why.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type Consumer, makeConsumer, ROOT } from './project.js';

const REF = join(ROOT, 'examples/images/chelsea.png');
const IMG = join(ROOT, 'examples/images/chelsea-jpeg-q20.png');

let c: Consumer;
let esm: any;

beforeAll(async () => {
  c = makeConsumer(inject('ssimkitProject'));
  c.write('require-scores.cjs', readFileSync(join(ROOT, 'test/consumers/require-scores.cjs'), 'utf8'));
  // The ES build of the same installed copy, as `import 'ssimkit'` gives it.
  esm = await import(/* @vite-ignore */ pathToFileURL(c.write('esm.mjs', "export * from 'ssimkit';\n")).href);
  await esm.init();
});
afterAll(() => c?.remove());

async function runScript(flags: string[]) {
  const out = join(c.dir, `out-${flags.length}.json`);
  await c.run(process.execPath, [...flags, 'require-scores.cjs', REF, IMG, out]);
  return JSON.parse(readFileSync(out, 'utf8'));
}

function esmAnswer() {
  const [a, b] = [REF, IMG].map((f) => esm.decode(readFileSync(f)));
  const f32 = (img: { data: Uint8Array }) => Float32Array.from(img.data, (v) => v / 255);
  const shape = [1, a.height, a.width, a.channels];
  const l = esm.dssimMaeLoss({ data: f32(b), shape }, { data: f32(a), shape }, { grad: true });
  const g: Float32Array = l.grad;
  return {
    ssim: esm.ssim(a, b), msssim: esm.msssim(a, b).score, dssim: esm.dssim(a, b), lwssim: esm.lwssim(a, b).score,
    // The adapter hands TF.js a float32 scalar.
    tfjsLoss: Math.fround(l.loss),
    tfjsGrad: createHash('sha256').update(new Uint8Array(g.buffer, g.byteOffset, g.byteLength)).digest('hex'),
  };
}

describe.each([
  ['without require(esm) (--no-experimental-require-module)', ['--no-experimental-require-module']],
  ['on this Node as it is', []],
])('require from CommonJS, %s', (_name, flags) => {
  let r: any;
  beforeAll(async () => {
    r = await runScript(flags);
  });

  test('resolves to the CommonJS twins, and the ES build is not what loaded', () => {
    const installed = join(c.dir, 'node_modules/ssimkit/dist/cjs');
    expect(r.resolved).toEqual({ main: join(installed, 'node.js'), tfjs: join(installed, 'tfjs.js') });
    if (flags.length) expect(r.esmRequire).toBe('ERR_REQUIRE_ESM');
  });

  test('ssimkit and ssimkit/tfjs share one backend module (one initialised state)', () => {
    expect(r.backends).toEqual([join(c.dir, 'node_modules/ssimkit/dist/cjs/backend.js')]);
    // The adapter's loss ran on the state require('ssimkit').init() set up
    // (a second copy would have thrown "not initialised").
    expect(typeof r.tfjsLoss).toBe('number');
  });

  test('init() starts the threaded build from CommonJS (worker_threads)', () => {
    const n = Math.min(availableParallelism(), 8);
    if (n > 1) {
      expect(r.info).toMatchObject({ build: 'threads', threads: n, runtime: 'node' });
      expect(r.info.fallback).toBeUndefined();
      expect(r.threadsUsed).toBeGreaterThan(1);
    } else {
      expect(r.info).toMatchObject({ build: 'simd', threads: 1 });
    }
  });

  test('every score, the loss and its gradient equal the ES build\'s, bit for bit', () => {
    const want = esmAnswer();
    expect(want.ssim.score).toBeLessThan(1);
    for (const k of ['msssim', 'dssim', 'lwssim', 'tfjsLoss'] as const) {
      expect(Object.is(r[k], want[k]), `${k}: ${r[k]} vs ${want[k]}`).toBe(true);
    }
    expect(Object.is(r.ssim.score, want.ssim.score)).toBe(true);
    expect(r.ssim.channels).toEqual(want.ssim.channels);
    expect(r.tfjsGrad).toBe(want.tfjsGrad);
  });
});

describe('a single-file CommonJS bundle (esbuild --platform=node --format=cjs) of require(\'ssimkit\')', () => {
  let r: any;
  let bundleDir: string;
  beforeAll(async () => {
    c.write('bundle-entry.cjs', [
      "const { readFileSync, writeFileSync } = require('node:fs');",
      "const { decode, init, ssim } = require('ssimkit');",
      'init().then((info) => {',
      '  const [a, b] = process.argv.slice(2, 4).map((f) => decode(readFileSync(f)));',
      '  writeFileSync(process.argv[4], JSON.stringify({ info, ssim: ssim(a, b).score }));',
      '});',
      '',
    ].join('\n'));
    // Alone in a directory: none of ssimkit's files beside it.
    bundleDir = join(c.dir, 'bundle');
    mkdirSync(bundleDir);
    await c.run(join(ROOT, 'node_modules/.bin/esbuild'), ['bundle-entry.cjs', '--bundle', '--platform=node', '--format=cjs',
      '--log-level=warning', `--outfile=${join(bundleDir, 'server.cjs')}`]);
    const out = join(c.dir, 'bundle-out.json');
    await c.run(process.execPath, ['--no-experimental-require-module', join(bundleDir, 'server.cjs'), REF, IMG, out]);
    r = JSON.parse(readFileSync(out, 'utf8'));
  });

  test('runs the inlined simd build and says why not threads, naming where it looked (beside the bundle)', () => {
    expect(r.info).toMatchObject({ build: 'simd', threads: 1, runtime: 'node' });
    expect(r.info.fallback).toContain(join(bundleDir, 'wasm/threads/ssimkit_bg.wasm'));
  });

  test("gives the ES build's bits", () => {
    const [a, b] = [REF, IMG].map((f) => esm.decode(readFileSync(f)));
    expect(Object.is(r.ssim, esm.ssim(a, b).score)).toBe(true);
  });
});
