// Losses and gradients against TensorFlow's GradientTape on the same
// formulas in float64 (test/fixtures/grad/README.md says how they were made).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ssimkit from 'ssimkit';

const dir = new URL('./fixtures/grad/', import.meta.url);
const fixtures = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8'));
const f32 = (file: string) => { const b = readFileSync(new URL(file, dir)); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
const f64 = (file: string) => { const b = readFileSync(new URL(file, dir)); return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };

interface Case {
  id: string; fn: 'ssimLoss' | 'msssimLoss' | 'dssimMaeLoss' | 'lwssimLoss';
  shape: [number, number, number, number]; layout: 'nhwc' | 'nchw'; pred: string; target: string;
  options: Record<string, unknown>;
  expected: { loss: number; perSample: number[]; grad: string; gradMaxAbs: number };
  tol: { loss: number; gradRel: number; gradAbs: number };
}

await ssimkit.init();

describe('losses and gradients against TensorFlow GradientTape (float64)', () => {
  const cases: Case[] = fixtures.cases;
  it('covers every loss', () => {
    expect(new Set(cases.map((c) => c.fn))).toEqual(new Set(['ssimLoss', 'msssimLoss', 'dssimMaeLoss', 'lwssimLoss']));
  });
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const batch = (file: string) => ({ data: f32(file), shape: c.shape, layout: c.layout });
    const r = ssimkit[c.fn](batch(c.pred), batch(c.target), { ...c.options, grad: true, perSample: true } as never);
    expect(Math.abs(r.loss - c.expected.loss)).toBeLessThanOrEqual(c.tol.loss);
    r.perSample!.forEach((v, i) => expect(Math.abs(v - c.expected.perSample[i]!)).toBeLessThanOrEqual(c.tol.loss));
    const want = f64(c.expected.grad);
    expect(r.grad!.length).toBe(want.length);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(r.grad![i]! - want[i]!));
    expect(worst).toBeLessThanOrEqual(c.tol.gradRel * c.expected.gradMaxAbs + c.tol.gradAbs);
  });
});
