// examples/deno/score.ts run by the real Deno (the `deno` npm package) in a
// staged copy of the example beside the packed package: a pair of files and
// two folders made here; its numbers must be Node's.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nodeScores, read, sameScores, type Scores, SHIPPED, stageExample } from './examples.js';
import { BIN, importPackage, type Pkg, testPackage } from './harness.js';

const exec = promisify(execFile);
let api: any;
let stage: { dir: string; remove(): void };
let pkg: Pkg;
let folders: string;

interface Row extends Partial<Scores> { file: string; error?: string }

/** `deno run --allow-read score.ts ...args`: exit code, stdout, stderr. */
async function deno(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return denoRun('score.ts', ...args);
}

/** `deno run --allow-read SCRIPT ...args` in the staged example. */
async function denoRun(script: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(join(BIN, 'deno'), [
      // The project's node_modules as npm left it; nothing fetched.
      'run', '--no-prompt', '--node-modules-dir=manual', '--cached-only', '--allow-read', script, ...args,
    ], {
      cwd: stage.dir,
      env: { ...process.env, DENO_DIR: join(stage.dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Writes `files` (relative path -> bytes) under `root`. */
function writeTree(root: string, files: Record<string, Uint8Array>) {
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), bytes);
  }
}

const cut = async (file: string, left: number, side: number, as: 'png' | 'webp' | 'jpeg') =>
  new Uint8Array(await sharp(file).extract({ left, top: 0, width: side, height: side }).toFormat(as).toBuffer());

beforeAll(async () => {
  pkg = testPackage();
  api = await importPackage(pkg);
  await api.init();
  stage = stageExample(pkg, 'deno');
  folders = mkdtempSync(join(tmpdir(), 'ssimkit-deno-'));
  writeTree(join(folders, 'ref'), {
    'a.png': await cut(SHIPPED.ref, 0, 200, 'png'),
    'sub/b.png': await cut(SHIPPED.ref, 100, 161, 'png'),
    'sub/deeper/c.webp': await cut(SHIPPED.ref, 200, 120, 'webp'),
    'broken.png': read(SHIPPED.ref).subarray(0, 3000),
    'only-ref.png': await cut(SHIPPED.ref, 0, 50, 'png'),
  });
  writeTree(join(folders, 'img'), {
    'a.png': await cut(SHIPPED.img, 0, 200, 'png'),
    'sub/b.png': await cut(SHIPPED.img, 100, 161, 'jpeg'),
    'sub/deeper/c.webp': await cut(SHIPPED.img, 200, 120, 'webp'),
    'broken.png': await cut(SHIPPED.img, 0, 64, 'png'),
    'extra/only-img.jpg': await cut(SHIPPED.img, 0, 50, 'jpeg'),
    'notes.txt': new TextEncoder().encode('not an image, not listed'),
  });
});

afterAll(() => {
  stage?.remove();
  if (folders) rmSync(folders, { recursive: true, force: true });
});

describe('examples/deno/score.ts in Deno', () => {
  test("two files: a table and --json with Node's numbers, bit for bit", async () => {
    const node = nodeScores(api, read(SHIPPED.ref), read(SHIPPED.img));
    const json = await deno('--json', SHIPPED.ref, SHIPPED.img);
    expect(json.code, json.stderr).toBe(0);
    const { rows, unpaired } = JSON.parse(json.stdout) as { rows: Row[]; unpaired: string[] };
    expect(unpaired).toEqual([]);
    expect(rows).toHaveLength(1);
    const { file, ...scores } = rows[0]!;
    expect(file).toBe(SHIPPED.img);
    expect(sameScores(scores as Scores, node)).toEqual([]);

    const table = await deno(SHIPPED.ref, SHIPPED.img);
    expect(table.code, table.stderr).toBe(0);
    const [head, row] = table.stdout.trim().split('\n');
    expect(head!.split(/\s+/)).toEqual(['file', 'size', 'SSIM', 'MS-SSIM', 'DSSIM', 'LWSSIM']);
    expect(row!.split(/\s+/)).toEqual([SHIPPED.img, `${node.width}x${node.height}`,
      ...[node.ssim, node.msssim!, node.dssim, node.lwssim].map((v) => v.toFixed(6))]);
  });

  test('two folders: pairs by relative path, recursively; files without a counterpart listed; a broken pair reported', async () => {
    const ref = join(folders, 'ref'), img = join(folders, 'img');
    const out = await deno('--json', ref, img);
    // A pair that could not be scored: exit status 1, the others still scored.
    expect(out.code, out.stderr).toBe(1);
    const { rows, unpaired } = JSON.parse(out.stdout) as { rows: Row[]; unpaired: string[] };
    expect(rows.map((r) => r.file)).toEqual(['a.png', 'broken.png', 'sub/b.png', 'sub/deeper/c.webp']);
    expect(unpaired).toEqual([`only in ${ref}: only-ref.png`, `only in ${img}: extra/only-img.jpg`]);
    for (const r of rows) {
      const a = read(join(ref, r.file)), b = read(join(img, r.file));
      if (r.file === 'broken.png') {
        let message = '';
        try { api.decode(a); } catch (e) { message = (e as Error).message; }
        expect(message).toMatch(/^decode: /);
        expect(r).toEqual({ file: r.file, error: message });
        continue;
      }
      const { file, ...scores } = r;
      expect(sameScores(scores as Scores, nodeScores(api, a, b)), file).toEqual([]);
    }
    // 120 pixels is too small for five MS-SSIM scales; 161 is enough.
    expect(rows.find((r) => r.file === 'sub/deeper/c.webp')!.msssim).toBeNull();
    expect(typeof rows.find((r) => r.file === 'sub/b.png')!.msssim).toBe('number');

    const table = await deno(ref, img);
    expect(table.stdout).toMatch(/^broken\.png\s+error: decode: /m);
    expect(table.stdout).toMatch(/^sub\/deeper\/c\.webp\s+120x120\s+\S+\s+-\s/m);
    expect(table.stdout).toContain(`only in ${img}: extra/only-img.jpg`);
  });

  test('usage errors exit with status 2', async () => {
    expect((await deno(SHIPPED.ref)).code).toBe(2);
    expect((await deno(SHIPPED.ref, dirname(SHIPPED.ref))).code).toBe(2); // a file and a folder
    expect((await deno(SHIPPED.ref, join(folders, 'missing.png'))).code).toBe(2);
  });
});

describe('examples/deno/first.ts (the README\'s Deno example) in Deno', () => {
  test("prints Node's SSIM of the shipped pair, bit for bit", async () => {
    const r = await denoRun('first.ts', SHIPPED.ref, SHIPPED.img);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const want = api.ssim(read(SHIPPED.ref), read(SHIPPED.img)).score;
    expect(Object.is(Number(r.stdout.trim()), want), `${r.stdout.trim()} vs ${want}`).toBe(true);
  });
});
