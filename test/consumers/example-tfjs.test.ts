// examples/tfjs/train.mjs run by Node in a project with the packed ssimkit
// and TensorFlow.js installed: a small model trained with
// optimizer.minimize(() => loss(y, model.predict(x))) on ssimkit's
// DSSIM+MAE; the loss it prints must go down.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { type Consumer, makeConsumer, ROOT } from './project.js';

let c: Consumer;
beforeAll(() => {
  c = makeConsumer(inject('ssimkitProject'), { type: 'module' });
  c.write('train.mjs', readFileSync(join(ROOT, 'examples/tfjs/train.mjs'), 'utf8'));
});
afterAll(() => c?.remove());

test('prints a loss at each of its 15 steps, and the loss goes down', async () => {
  const { stdout } = await c.run(process.execPath, ['train.mjs'], { timeout: 300_000 });
  const losses = [...stdout.matchAll(/^step +(\d+) +loss ([\d.]+)$/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
  expect(losses.map(([s]) => s)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  const l = losses.map(([, v]) => v);
  expect(l.every((v) => Number.isFinite(v) && v > 0 && v <= 1)).toBe(true);
  expect(l[14]!).toBeLessThan(0.5 * l[0]!);
  // Down on the whole, not by one lucky step: most steps lower the loss.
  expect(l.slice(1).filter((v, i) => v < l[i]!).length).toBeGreaterThanOrEqual(12);
});
