// The documented examples of toBeSimilarTo, run by the real runners in a
// fresh project with the packed package: examples/vitest (setupFiles:
// ['ssimkit/vitest'], ES modules) and examples/jest (setupFilesAfterEnv:
// ['ssimkit/jest'], Jest's default CommonJS mode). Both pass; then a
// deliberately failing test (a noisy image against the reference) fails
// with a message naming SSIM and its threshold, and the heatmap PNG lies
// beside that test file and decodes to RGBA the size of the input. The
// examples' TypeScript (the matcher's augmentation of vitest's and Jest's
// types) is checked with tsc.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { decode, init } from 'ssimkit';
import { type Consumer, makeConsumer, ROOT } from './project.js';

const exec = promisify(execFile);
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const JEST = join(ROOT, 'node_modules/jest/bin/jest.js');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const [W, H] = [451, 300]; // examples/images/chelsea.png

let c: Consumer;

/** The environment without this vitest's own variables, so the inner runner starts afresh. */
function env(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST'));
}

/** Runs a runner in an example's folder; its exit code and output, whatever the code. */
async function runner(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await exec(process.execPath, args, { cwd, env: env(), timeout: 180_000, maxBuffer: 16 << 20 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string; killed?: boolean };
    if (typeof x.code !== 'number') throw e;
    return { code: x.code, out: `${x.stdout}${x.stderr}` };
  }
}

/** A test file whose render is the reference with seeded noise (+-30), held to SSIM 0.99. */
function noisyTest(esm: boolean): string {
  return `${esm ? "import { readFileSync } from 'node:fs';\nimport { decode } from 'ssimkit';\nimport { expect, test } from 'vitest';\n"
    : "const { readFileSync } = require('node:fs');\nconst { join } = require('node:path');\nconst { decode } = require('ssimkit');\n"}
test('a noisy render', () => {
  const ref = decode(readFileSync(${esm ? "new URL('../images/chelsea.png', import.meta.url)" : "join(__dirname, '../images/chelsea.png')"}));
  let s = 1;
  const data = ref.data.map((v) => {
    s = (s * 1103515245 + 12345) >>> 0;
    return Math.max(0, Math.min(255, v + ((s >>> 16) % 61) - 30));
  });
  expect({ ...ref, data }).toBeSimilarTo('../images/chelsea.png', { ssim: 0.99 });
});
`;
}

beforeAll(async () => {
  await init();
  c = makeConsumer(inject('ssimkitProject'), { extra: ['vitest', 'jest', '@jest', '@types', 'expect'] });
  for (const d of ['vitest', 'jest', 'images']) cpSync(join(ROOT, 'examples', d), join(c.dir, 'examples', d), { recursive: true });
});
afterAll(() => c?.remove());

/** The failure's message and its heatmap, checked the same way for both runners. */
function checkFailure(message: string, dir: string, file: string) {
  expect(message).toMatch(/SSIM 0\.\d{6} < 0\.99 \(minimum\): fails/);
  const path = join(dir, '__ssimkit__', file, 'a noisy render.png');
  expect(message).toContain(`Heatmap (SSIM map, dark where the images differ): ${path}`);
  expect(existsSync(path)).toBe(true);
  expect(decode(readFileSync(path))).toMatchObject({ width: W, height: H, channels: 4, format: 'png' });
}

describe('vitest: examples/vitest', () => {
  const dir = () => join(c.dir, 'examples/vitest');

  test('the example passes (setupFiles: [\'ssimkit/vitest\'])', async () => {
    const r = await runner(dir(), [VITEST, 'run', '--reporter=json', '--outputFile=result.json']);
    expect(r.code, r.out).toBe(0);
    const result = JSON.parse(readFileSync(join(dir(), 'result.json'), 'utf8'));
    expect(result).toMatchObject({ success: true, numTotalTests: 3, numPassedTests: 3, numFailedTests: 0 });
    expect(existsSync(join(dir(), '__ssimkit__'))).toBe(false);
  });

  test('a noisy render fails: SSIM against 0.99 in the message, the heatmap beside the test', async () => {
    c.write('examples/vitest/noisy.test.ts', noisyTest(true));
    const r = await runner(dir(), [VITEST, 'run', 'noisy', '--reporter=json', '--outputFile=noisy.json']);
    expect(r.code, r.out).toBe(1);
    const result = JSON.parse(readFileSync(join(dir(), 'noisy.json'), 'utf8'));
    expect(result).toMatchObject({ numTotalTests: 1, numFailedTests: 1 });
    checkFailure(result.testResults[0].assertionResults[0].failureMessages.join('\n'), dir(), 'noisy.test.ts');
  });

  test('the types: toBeSimilarTo on vitest\'s expect (tsconfig types: ssimkit/vitest), a wrong option refused', async () => {
    await c.run(process.execPath, [TSC, '-p', 'examples/vitest/tsconfig.json'], { timeout: 180_000 });
    c.write('examples/vitest/wrong.ts', "import { expect } from 'vitest';\nexpect('a.png').toBeSimilarTo('b.png', { ssim: '0.9' });\n");
    const r = await runner(c.dir, [TSC, '-p', 'examples/vitest/tsconfig.json']);
    expect(r.out).toMatch(/wrong\.ts.*error TS2322/);
  });

  // node10 reads typesVersions; vitest's own declarations need skipLibCheck there.
  test.each(['bundler', 'node10'])('the types under moduleResolution %s', async (resolution) => {
    c.write('examples/vitest/typed.ts', "import { expect } from 'vitest';\nexpect('a.png').toBeSimilarTo('b.png', { msssim: 0.9, scales: 3 });\n"
      + "// @ts-expect-error: thresholds are numbers\nexpect('a.png').toBeSimilarTo('b.png', { msssim: '0.9' });\n");
    c.write(`examples/vitest/tsconfig.${resolution}.json`, JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: 'ES2022', module: resolution === 'node10' ? 'commonjs' : 'esnext', moduleResolution: resolution,
        types: ['node', 'ssimkit/vitest'], skipLibCheck: resolution === 'node10',
      },
      files: ['typed.ts'],
    }));
    await c.run(process.execPath, [TSC, '-p', `examples/vitest/tsconfig.${resolution}.json`], { timeout: 180_000 });
  });
});

describe('Jest: examples/jest', () => {
  const dir = () => join(c.dir, 'examples/jest');
  const jest = (extra: string[]) => [JEST, '--ci', '--watchman=false', '--cacheDirectory', join(dir(), '.jest-cache'), ...extra];

  test('the example passes (setupFilesAfterEnv: [\'ssimkit/jest\'], default CommonJS mode)', async () => {
    const r = await runner(dir(), jest(['--json', '--outputFile', 'result.json']));
    expect(r.code, r.out).toBe(0);
    const result = JSON.parse(readFileSync(join(dir(), 'result.json'), 'utf8'));
    expect(result).toMatchObject({ success: true, numTotalTests: 2, numPassedTests: 2, numFailedTests: 0 });
    expect(existsSync(join(dir(), '__ssimkit__'))).toBe(false);
  });

  test('a noisy render fails: SSIM against 0.99 in the message, the heatmap beside the test', async () => {
    c.write('examples/jest/noisy.test.js', noisyTest(false));
    const r = await runner(dir(), jest(['noisy', '--json', '--outputFile', 'noisy.json']));
    expect(r.code, r.out).toBe(1);
    const result = JSON.parse(readFileSync(join(dir(), 'noisy.json'), 'utf8'));
    expect(result).toMatchObject({ numTotalTests: 1, numFailedTests: 1 });
    checkFailure(result.testResults[0].assertionResults[0].failureMessages.join('\n'), dir(), 'noisy.test.js');
  });

  test('listed in setupFiles instead, ssimkit/jest says where it belongs', async () => {
    const r = await runner(dir(), jest(['--config', JSON.stringify({ setupFiles: ['ssimkit/jest'] }), 'image']));
    expect(r.code).toBe(1);
    expect(r.out).toContain("ssimkit/jest: Jest's expect and beforeAll are not defined here: list 'ssimkit/jest' in setupFilesAfterEnv");
  });

  test('ESM mode (--experimental-vm-modules): ssimkit/jest/esm initialises the copy an ES test imports', async () => {
    c.write('examples/jest/esm.test.mjs', [
      "import { readFileSync } from 'node:fs';",
      "import { decode } from 'ssimkit';",
      "test('an ES module test', () => {",
      "  const ref = decode(readFileSync(new URL('../images/chelsea.png', import.meta.url)));",
      "  expect(ref).toBeSimilarTo('../images/chelsea.png');",
      "  expect('../images/chelsea-jpeg-q20.png').not.toBeSimilarTo(ref);",
      '});',
      '',
    ].join('\n'));
    const config = JSON.stringify({ setupFilesAfterEnv: ['ssimkit/jest/esm'], testMatch: ['**/esm.test.mjs'] });
    const r = await runner(dir(), ['--experimental-vm-modules', ...jest(['--config', config, '--json', '--outputFile', 'esm.json'])]);
    expect(r.code, r.out).toBe(0);
    expect(JSON.parse(readFileSync(join(dir(), 'esm.json'), 'utf8'))).toMatchObject({ success: true, numTotalTests: 1, numPassedTests: 1 });
  });

  test('the types: toBeSimilarTo on @jest/globals\' expect (tsconfig types: ssimkit/jest)', async () => {
    c.write('examples/jest/typed.ts', "import { expect, test } from '@jest/globals';\ntest('t', () => {\n  expect('a.png').toBeSimilarTo('b.png', { ssim: 0.9, color: 'luma' });\n});\n");
    c.write('examples/jest/wrong.ts', "import { expect } from '@jest/globals';\nexpect('a.png').toBeSimilarTo('b.png', { ssim: '0.9' });\n");
    const config = (files: string[]) => JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', types: ['node', 'ssimkit/jest'] }, files,
    });
    c.write('examples/jest/tsconfig.json', config(['typed.ts']));
    await c.run(process.execPath, [TSC, '-p', 'examples/jest/tsconfig.json'], { timeout: 180_000 });
    c.write('examples/jest/tsconfig.json', config(['wrong.ts']));
    const r = await runner(c.dir, [TSC, '-p', 'examples/jest/tsconfig.json']);
    expect(r.out).toMatch(/wrong\.ts.*error TS2322/);
  });
});
