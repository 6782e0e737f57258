// ssimkit against values computed by the peers themselves (TensorFlow,
// scikit-image, ssim.js; a float64 numpy LWSSIM): see test/fixtures/README.md.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as ssimkit from 'ssimkit';
import { digest, runCases, toImage } from './shared/cases.mjs';

const dir = new URL('./fixtures/', import.meta.url);
const fixtures = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8'));
const read = async (file: string) => readFileSync(new URL(file, dir));

interface Case {
  id: string; fn: 'ssim' | 'msssim' | 'lwssim'; ref: string; img: string; options?: Record<string, unknown>;
  peer: string; tol: number;
  expected: { score: number; channels?: number[]; map?: string; mapWidth?: number; mapHeight?: number; mapTol?: number };
}
const cases: Case[] = fixtures.cases;
const results = new Map<string, Awaited<ReturnType<typeof runCases>>[number]>();

beforeAll(async () => {
  await ssimkit.init();
  for (const r of await runCases(ssimkit, fixtures, read)) results.set(r.id, r);
});

describe.each(['ssim', 'msssim', 'lwssim'])('%s against its peers', (fn) => {
  const mine = cases.filter((c) => c.fn === fn);
  it('has fixture cases', () => expect(mine.length).toBeGreaterThan(3));
  it.each(mine.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const r = results.get(c.id)!;
    expect(r.error, `${c.peer}`).toBeUndefined();
    const diff = Math.abs(r.score - c.expected.score);
    expect(diff, `score ${r.score} vs ${c.peer} ${c.expected.score}`).toBeLessThanOrEqual(c.tol);
    if (c.expected.channels) {
      expect(r.channels).toHaveLength(c.expected.channels.length);
      r.channels.forEach((v: number, i: number) => expect(Math.abs(v - c.expected.channels![i]!)).toBeLessThanOrEqual(c.tol));
    }
  });
});

describe('exact where the definition is exact', () => {
  const identical = cases.filter((c) => c.ref === c.img);
  it('has identical pairs', () => expect(identical.length).toBeGreaterThan(0));
  it.each(identical.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    expect(results.get(c.id)!.score).toBe(c.fn === 'lwssim' ? 2 : 1);
  });
});

describe('maps against the peer', () => {
  const withMap = cases.filter((c) => c.expected.map);
  it('has map cases', () => expect(withMap.length).toBeGreaterThan(0));
  it.each(withMap.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const ref = fixtures.inputs[c.ref], img = fixtures.inputs[c.img];
    const r = ssimkit.ssim(toImage(ref, readFileSync(new URL(ref.file, dir))), toImage(img, readFileSync(new URL(img.file, dir))),
      { ...c.options, map: true });
    const want = new Float32Array(new Uint8Array(readFileSync(new URL(c.expected.map!, dir))).buffer);
    expect([r.mapWidth, r.mapHeight]).toEqual([c.expected.mapWidth, c.expected.mapHeight]);
    expect(r.map!.length).toBe(want.length);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(r.map![i]! - want[i]!));
    // Per pixel there is no averaging: the bound is the peer's own (TF's
    // float32 map is 2.3e-4 from scikit-image's float64 one at worst).
    expect(worst).toBeLessThanOrEqual(c.expected.mapTol!);
    // The runner (which every runtime runs) produced the same map.
    expect(results.get(c.id)?.mapDigest).toBe(digest(r.map!));
  });
});
