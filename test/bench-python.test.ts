// The JavaScript side of `npm run bench -- --python`, without Python: the
// options, the merge of a stored real run (bench/python/fixture-run.json,
// written by bench/python/save-fixture.mjs from a real run's results.json)
// and the target arithmetic. The real run's command and table are in
// bench/README.md.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cropOrigins, crops, writeLossBatch } from '../bench/python/batch.mjs';
import { annotate, batchLines, KIT_CASE, pythonOptions, pythonTargets } from '../bench/python/merge.mjs';
import { writePairs } from '../bench/inputs.mjs';

type Row = { size: string; case: string; impl?: string; ms: number; value: number; gradMaxAbsDiff?: number; absDiff?: number | null; xKit1t?: number | null };
const fixture = JSON.parse(readFileSync(new URL('../bench/python/fixture-run.json', import.meta.url), 'utf8')) as {
  peers: Row[]; kit1: Row[]; targets: { name: string; measured: string; status: string }[];
};
const kitRowOf = (rows: Row[]) => (threads: number, size: string, kase: string) => (threads === 1 ? rows.find((r) => r.size === size && r.case === kase) : undefined);

describe('bench --python: options', () => {
  it('is off unless --python is given, and then reuses bench/.venv', () => {
    expect(pythonOptions([])).toEqual({ enabled: false, recreate: false, venv: undefined });
    expect(pythonOptions(['--sizes', '1920x1080', '--python'])).toEqual({ enabled: true, recreate: false, venv: undefined });
    expect(pythonOptions(['--python', '--python-recreate', '--python-venv', '/tmp/v'])).toEqual({ enabled: true, recreate: true, venv: '/tmp/v' });
  });
  it('refuses the Python options without --python, and a venv option without a directory', () => {
    expect(() => pythonOptions(['--python-recreate'])).toThrow(RangeError);
    expect(() => pythonOptions(['--python-venv', '/tmp/v'])).toThrow(/go with --python/);
    expect(() => pythonOptions(['--python', '--python-venv'])).toThrow(/needs a directory/);
    expect(() => pythonOptions(['--python', '--python-venv', '--quick'])).toThrow(/needs a directory/);
  });
});

describe('bench --python: the merge of a real run (bench/python/fixture-run.json)', () => {
  const rows = annotate(fixture.peers, kitRowOf(fixture.kit1)) as Row[];

  it('sets every peer beside an ssimkit 1-thread row of its own size and case', () => {
    expect(rows.length).toBe(fixture.peers.length);
    for (const r of rows) {
      const kit = fixture.kit1.find((k) => k.size === r.size && k.case === KIT_CASE[r.impl!]);
      expect(kit, `${r.impl} at ${r.size}`).toBeDefined();
      expect(r.xKit1t).toBeCloseTo(r.ms / kit!.ms, 12);
      expect(r.absDiff).toBeCloseTo(Math.abs(r.value - kit!.value), 15);
    }
    expect(new Set(rows.map((r) => r.impl))).toEqual(new Set(Object.keys(KIT_CASE)));
  });

  it('shows that the peers computing the same SSIM agree with ssimkit', () => {
    const d = (impl: string) => rows.find((r) => r.impl === impl && r.size === '1920x1080')!.absDiff!;
    // float64 on both sides, valid windows: agreement to rounding.
    expect(d('scikit-image')).toBeLessThan(1e-9);
    expect(d('OpenCV float64')).toBeLessThan(1e-9);
    // float32 moments (E[x^2] - mu^2 in float32) lose digits: still within the accuracy contract of issue 12.
    expect(d('OpenCV float32')).toBeLessThan(2e-5);
    expect(d('pytorch-msssim ssim')).toBeLessThan(2e-5);
    const grad = rows.find((r) => r.case === 'ssimLoss-batch+grad')!;
    expect(grad.absDiff).toBeLessThan(2e-5);
    // torch's float32 gradient against ssimkit's (float64, rounded to float32): a small fraction of the largest entry.
    expect(grad.gradMaxAbsDiff).toBeLessThan(1e-3 * (grad as Row & { gradMaxAbs: number }).gradMaxAbs);
  });

  it('gives the targets the stored run printed', () => {
    const t = pythonTargets(rows, kitRowOf(fixture.kit1), '1920x1080', [8, 256, 256, 3]);
    expect(t.map((x: { name: string; measured: string; status: string }) => [x.name, x.measured, x.status])).toEqual(fixture.targets.map((x) => [x.name, x.measured, x.status]));
  });

  it('prints the loss-batch table with both sides and the differences', () => {
    const kitBatch = [{ threads: 1, rows: fixture.kit1 }, { threads: 2, reason: 'not in this test' }];
    const lines = batchLines(rows, kitBatch, [8, 256, 256, 3]).join('\n');
    expect(lines).toMatch(/ssimkit wasm 1t/);
    expect(lines).toMatch(/ssimkit wasm 2t\s+unavailable/);
    const torch = lines.split('\n').find((l: string) => l.includes('torch 1t'))!;
    const grad = rows.find((r) => r.case === 'ssimLoss-batch+grad')!;
    expect(torch).toContain(grad.value.toFixed(7));
    expect(torch).toContain(grad.gradMaxAbsDiff!.toExponential(1));
  });
});

describe('bench --python: target arithmetic', () => {
  const kit = [
    { size: '1920x1080', case: 'ssim', ms: 10, value: 0.9 },
    { size: '1920x1080', case: 'msssim', ms: 20, value: 0.95 },
    { size: '8x256x256x3', case: 'ssimLoss-batch+grad', ms: 40, value: 0.1 },
  ];
  const peer = (impl: string, size: string, ms: number) => ({ impl, size, case: KIT_CASE[impl], ms, value: 0 });
  const targets = (peers: Row[]) => pythonTargets(peers, kitRowOf(kit), '1920x1080', [8, 256, 256, 3]) as { name: string; measured: string; goal: string; status: string; note: string }[];

  it('divides the peer time by ssimkit 1t and compares with each goal, the line itself counting as met', () => {
    const t = targets([
      peer('OpenCV float32', '1920x1080', 15), peer('scikit-image', '1920x1080', 49), peer('pytorch-msssim ssim', '1920x1080', 40.5),
      peer('pytorch-msssim ms_ssim', '1920x1080', 99), peer('torch autograd (pytorch-msssim)', '8x256x256x3', 120),
    ]);
    expect(t.map((x) => [x.measured, x.goal, x.status])).toEqual([
      ['1.50x', '>= 1.5x', 'MET'], ['4.90x', '>= 5x', 'MISSED'], ['4.05x', '>= 4x', 'MET'], ['4.95x', '>= 5x', 'MISSED'], ['3.00x', '>= 3x', 'MET'],
    ]);
  });

  it('is N/A, with the reason, when a side is missing', () => {
    const t = targets([peer('OpenCV float32', '1920x1080', 30)]);
    expect([t[0]!.measured, t[0]!.status]).toEqual(['3.00x', 'MET']); // the peer takes 3x ssimkit's time
    expect(t.slice(1).every((x) => x.status === 'N/A' && /no .* row/.test(x.note))).toBe(true);
    const why = pythonTargets([], kitRowOf(kit), '1920x1080', [8, 256, 256, 3], 'pip install failed') as { status: string; note: string }[];
    expect(why.every((x) => x.status === 'N/A' && x.note === 'python peers unavailable: pip install failed')).toBe(true);
  });
});

describe('bench --python: the loss batch both sides read', () => {
  it('takes 8 distinct 256x256 crops inside the image, and writes them as float32 byte / 255', () => {
    const o = cropOrigins(1920, 1080) as [number, number][];
    expect(o).toHaveLength(8);
    expect(new Set(o.map(([x, y]) => `${x},${y}`)).size).toBe(8);
    for (const [x, y] of o) expect(x >= 0 && y >= 0 && x + 256 <= 1920 && y + 256 <= 1080).toBe(true);
    expect(() => cropOrigins(200, 1080)).toThrow(RangeError);

    const dir = mkdtempSync(join(os.tmpdir(), 'bench-python-'));
    try {
      writePairs(dir, [[300, 280]]);
      const b = writeLossBatch(dir, 300, 280, 2, 256);
      expect(b.shape).toEqual([2, 256, 256, 3]);
      const pred = new Float32Array(readFileSync(`${b.prefix}.pred.f32`).buffer.slice(0));
      const dist = readFileSync(join(dir, '300x280.dist.rgba'));
      const [[x1, y1]] = (cropOrigins(300, 280, 2, 256) as [number, number][]).slice(1);
      // Sample (row 7, column 9, green) of the second crop.
      const at = ((1 * 256 + 7) * 256 + 9) * 3 + 1;
      expect(pred[at]).toBe(Math.fround(dist[((y1! + 7) * 300 + x1! + 9) * 4 + 1]! / 255));
      expect(pred.length).toBe(2 * 256 * 256 * 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(crops(new Uint8Array([255, 0, 51, 9]), 1, [[0, 0]], 1)).toEqual(new Float32Array([1, 0, 0.2]));
  });
});
