// examples/node/score-files.mjs (three lines: import, init, print) run by
// Node in a staged copy beside the packed package, and `npm run demo`
// (examples/score.mjs, which now reads files through ssimkit's decoding).

import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { crop, read, SHIPPED, stageExample } from './examples.js';
import { importPackage, ROOT, testPackage } from './harness.js';

const exec = promisify(execFile);
let api: any;

beforeAll(async () => {
  api = await importPackage(testPackage());
  await api.init();
});

describe('examples/node/score-files.mjs', () => {
  test('is three lines', () => {
    const lines = readFileSync(join(ROOT, 'examples/node/score-files.mjs'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
  });

  test("prints Node's SSIM of two files, bit for bit (PNG pair, PNG vs JPEG)", async () => {
    const stage = stageExample(testPackage(), 'node');
    try {
      const { ref, img } = await crop(200);
      const pairs: [Uint8Array, Uint8Array][] = [[read(SHIPPED.ref), read(SHIPPED.img)], [ref, img]];
      writeFileSync(join(stage.dir, 'ref.png'), ref);
      writeFileSync(join(stage.dir, 'img.jpg'), img);
      const paths = [[SHIPPED.ref, SHIPPED.img], [join(stage.dir, 'ref.png'), join(stage.dir, 'img.jpg')]];
      for (const [k, [a, b]] of pairs.entries()) {
        const { stdout } = await exec(process.execPath, ['score-files.mjs', ...paths[k]!], { cwd: stage.dir, timeout: 60_000 });
        const want = api.ssim(a, b).score;
        expect(Object.is(Number(stdout.trim()), want), `${stdout.trim()} vs ${want}`).toBe(true);
      }
    } finally {
      stage.remove();
    }
  });
});

describe('npm run demo (examples/score.mjs)', () => {
  test('scores the shipped pair through ssimkit\'s decoding, in its format', async () => {
    const { stdout } = await exec(process.execPath, [join(ROOT, 'examples/score.mjs')], { cwd: ROOT, timeout: 60_000 });
    const a = read(SHIPPED.ref), b = read(SHIPPED.img);
    const { width, height } = api.decode(a);
    expect(stdout).toMatch(/^ssimkit (simd|threads) build \(.*\) on node, init [\d.]+ ms\n/);
    expect(stdout).toContain(`\n${width}x${height}, RGB compared per channel\n`);
    // The shipped pair holds 5 scales: the demo's MS-SSIM is the default call's.
    const want = { SSIM: api.ssim(a, b).score, 'MS-SSIM': api.msssim(a, b).score, DSSIM: api.dssim(a, b), LWSSIM: api.lwssim(a, b).score };
    for (const [name, v] of Object.entries(want)) {
      expect(stdout).toMatch(new RegExp(`\\n${name.padEnd(8)} ${v.toFixed(6)}   \\([\\d.]+ ms\\)\\n`));
    }
  });
});
