// TypeScript 5.9 (`tsc --noEmit`, strict) in a CommonJS consumer project
// with the packed package installed, under each moduleResolution a user
// may have: node10 (ignores `exports`: `types` and `typesVersions`),
// node16 / nodenext (`exports` with the `types` condition: a CommonJS file
// gets dist/cjs's declarations, an ES module dist's) and bundler. The
// consumer (typescript/consumer.ts) trains a TF.js model with
// `optimizer.minimize(() => loss(y, model.predict(x)))`: no cast needed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type Consumer, makeConsumer, ROOT } from './project.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let c: Consumer;

beforeAll(() => {
  c = makeConsumer(inject('ssimkitProject'));
  for (const f of ['consumer.ts', 'consumer.mts', 'core.ts']) c.write(f, readFileSync(join(ROOT, 'test/consumers/typescript', f), 'utf8'));
});
afterAll(() => c?.remove());

const modes = {
  node10: { module: 'commonjs', files: ['consumer.ts'], want: ['dist/index.d.ts', 'dist/tfjs.d.ts'] },
  node16: { module: 'node16', files: ['consumer.ts', 'consumer.mts'], want: ['dist/cjs/index.d.ts', 'dist/cjs/tfjs.d.ts', 'dist/index.d.ts', 'dist/tfjs.d.ts'] },
  nodenext: { module: 'nodenext', files: ['consumer.ts', 'consumer.mts'], want: ['dist/cjs/index.d.ts', 'dist/cjs/tfjs.d.ts', 'dist/index.d.ts', 'dist/tfjs.d.ts'] },
  bundler: { module: 'esnext', files: ['consumer.ts'], want: ['dist/index.d.ts', 'dist/tfjs.d.ts'] },
} as const;

function tsconfig(name: string, resolution: string, module: string, files: readonly string[], skipLibCheck: boolean): string {
  const file = `tsconfig.${name}.${resolution}.json`;
  c.write(file, JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], module, moduleResolution: resolution, skipLibCheck,
    },
    files,
  }));
  return file;
}

/** Runs tsc on a config; the ssimkit files it read, relative to the package. */
async function check(config: string): Promise<string[]> {
  const { stdout } = await c.run(process.execPath, [TSC, '-p', config, '--listFiles'], { timeout: 180_000 });
  const at = '/node_modules/ssimkit/';
  return stdout.split('\n').filter((f) => f.includes(at)).map((f) => f.slice(f.indexOf(at) + at.length));
}

describe.each(Object.entries(modes))('moduleResolution %s', (resolution, m) => {
  const cjs = m.want.some((f) => f.startsWith('dist/cjs/'));

  test('ssimkit and ssimkit/tfjs: a strict TF.js training step type-checks with no cast', async () => {
    // skipLibCheck: TF.js's own declarations fail strict checks (as every TF.js user finds).
    const ours = await check(tsconfig('consumer', resolution, m.module, m.files, true));
    for (const f of m.want) expect(ours, `${f} among the files tsc read`).toContain(f);
    if (!cjs) expect(ours.filter((f) => f.startsWith('dist/cjs/'))).toEqual([]);
  });

  test("ssimkit's own declarations pass a full check (skipLibCheck off)", async () => {
    const ours = await check(tsconfig('core', resolution, m.module, ['core.ts'], false));
    expect(ours).toContain(cjs ? 'dist/cjs/index.d.ts' : 'dist/index.d.ts');
    expect(ours.length).toBeGreaterThan(5);
  });
});
