// The `ssimkit` command as a user gets it: the bin of the packed install
// (node_modules/.bin/ssimkit, what `npx ssimkit` runs), on files and folders
// made here; its --json numbers must be the API's to the bit (JSON numbers
// round-trip doubles), and the same bin run by Deno must agree.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SHIPPED } from './runtimes/examples.js';
import { BIN, importPackage, type Pkg, ROOT, testPackage } from './runtimes/harness.js';

const exec = promisify(execFile);
let api: any;
let pkg: Pkg;
let root: string;
let ref: string;
let img: string;

interface Run { code: number; stdout: string; stderr: string }

async function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { cwd: pkg.project, env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The installed bin, as `npx ssimkit` would run it. */
const cli = (...args: string[]) => run(join(pkg.project, 'node_modules/.bin/ssimkit'), args);

const at = (...p: string[]) => join(root, ...p);

function writeTree(base: string, files: Record<string, Uint8Array>) {
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(base, rel)), { recursive: true });
    writeFileSync(join(base, rel), bytes);
  }
}

const cut = async (file: string, left: number, side: number, as: 'png' | 'webp' | 'jpeg') =>
  new Uint8Array(await sharp(file).extract({ left, top: 0, width: side, height: side }).toFormat(as).toBuffer());

/** What the API gives for a pair of files, the row the CLI should print. */
function apiRow(refPath: string, imgPath: string, metrics = ['ssim', 'msssim', 'dssim', 'lwssim'], opts: any = {}) {
  const r = new Uint8Array(readFileSync(refPath));
  const i = new Uint8Array(readFileSync(imgPath));
  const d = api.decode(r);
  const row: Record<string, unknown> = { ref: refPath, img: imgPath, width: d.width, height: d.height };
  for (const m of metrics) {
    if (m === 'ssim') row.ssim = api.ssim(r, i, opts.ssim).score;
    if (m === 'dssim') row.dssim = api.dssim(r, i, opts.ssim);
    if (m === 'lwssim') row.lwssim = api.lwssim(r, i, opts.lwssim).score;
    if (m === 'msssim') row.msssim = Math.min(d.width, d.height) >= 161 ? api.msssim(r, i, opts.msssim).score : null;
  }
  return row;
}

beforeAll(async () => {
  pkg = testPackage();
  api = await importPackage(pkg);
  await api.init();
  root = mkdtempSync(join(tmpdir(), 'ssimkit-cli-'));
  ref = at('ref.png');
  img = at('img.jpg');
  writeTree(root, {
    'ref.png': await cut(SHIPPED.ref, 0, 200, 'png'),
    'img.jpg': await cut(SHIPPED.img, 0, 200, 'jpeg'),
    'small-ref.png': await cut(SHIPPED.ref, 10, 100, 'png'),
    'small-img.webp': await cut(SHIPPED.img, 10, 100, 'webp'),
    'broken.png': new Uint8Array(readFileSync(SHIPPED.ref)).subarray(0, 3000),
  });
  writeTree(at('R'), {
    'a.png': await cut(SHIPPED.ref, 0, 180, 'png'),
    'sub/b.png': await cut(SHIPPED.ref, 100, 161, 'png'),
    'sub/deeper/c.webp': await cut(SHIPPED.ref, 200, 120, 'webp'),
    'only-ref.png': await cut(SHIPPED.ref, 0, 50, 'png'),
  });
  writeTree(at('I'), {
    'a.png': await cut(SHIPPED.img, 0, 180, 'png'),
    'sub/b.png': await cut(SHIPPED.img, 100, 161, 'jpeg'),
    'sub/deeper/c.webp': await cut(SHIPPED.img, 200, 120, 'webp'),
    'extra/only-img.jpg': await cut(SHIPPED.img, 0, 50, 'jpeg'),
    'notes.txt': new TextEncoder().encode('not an image'),
  });
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('two files', () => {
  test('--json is the API to the bit', async () => {
    const r = await cli(ref, img, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toStrictEqual(apiRow(ref, img));
  });

  test('--metric picks and orders; options reach each metric', async () => {
    const r = await cli(ref, img, '--json', '--metric', 'lwssim,ssim', '--window', 'box', '--color', 'luma', '--k1', '0.02');
    expect(r.code).toBe(0);
    const o = { window: 'box', color: 'luma', k1: 0.02 };
    const want = apiRow(ref, img, ['lwssim', 'ssim'], { ssim: o, lwssim: o });
    expect(JSON.parse(r.stdout)).toStrictEqual(want);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['ref', 'img', 'width', 'height', 'lwssim', 'ssim']);
    // and the options changed something: not the default call's number
    expect(want.ssim).not.toBe(api.ssim(readFileSync(ref), readFileSync(img)).score);
  });

  test('--preset, --size, --border, --covariance, --sigma reach SSIM', async () => {
    const r = await cli(ref, img, '--json', '--metric', 'ssim,dssim', '--preset', 'skimage', '--border', 'same', '--sigma', '1.2');
    const o = { preset: 'skimage', border: 'same', sigma: 1.2 };
    expect(JSON.parse(r.stdout)).toStrictEqual(apiRow(ref, img, ['ssim', 'dssim'], { ssim: o }));
    const s = await cli(ref, img, '--json', '--metric', 'ssim', '--size', '7', '--covariance', 'sample');
    expect(JSON.parse(s.stdout)).toStrictEqual(apiRow(ref, img, ['ssim'], { ssim: { size: 7, covariance: 'sample' } }));
  });

  test('the table names every metric; MS-SSIM too small is n/a, not an error', async () => {
    const big = await cli(ref, img);
    expect(big.code).toBe(0);
    const row = apiRow(ref, img);
    for (const [label, key] of [['SSIM', 'ssim'], ['MS-SSIM', 'msssim'], ['DSSIM', 'dssim'], ['LWSSIM', 'lwssim']] as const) {
      expect(big.stdout).toMatch(new RegExp(`^${label} +${(row[key] as number).toFixed(6)}$`, 'm'));
    }
    const small = await cli(at('small-ref.png'), at('small-img.webp'));
    expect(small.code).toBe(0);
    expect(small.stdout).toMatch(/^MS-SSIM +n\/a \(image smaller than 161 px\)$/m);
    const json = await cli(at('small-ref.png'), at('small-img.webp'), '--json');
    expect(JSON.parse(json.stdout)).toStrictEqual(apiRow(at('small-ref.png'), at('small-img.webp')));
    expect(JSON.parse(json.stdout).msssim).toBeNull();
  });

  test('--csv: a header and one row, numbers that parse back to the API', async () => {
    const r = await cli(ref, img, '--csv');
    expect(r.code).toBe(0);
    const [head, line, ...rest] = r.stdout.trimEnd().split('\n');
    expect(rest).toEqual([]);
    expect(head).toBe('ref,img,width,height,ssim,msssim,dssim,lwssim');
    const cells = line!.split(',');
    const want = apiRow(ref, img);
    expect(cells.slice(0, 2)).toEqual([ref, img]);
    expect(cells.slice(2).map(Number)).toEqual([want.width, want.height, want.ssim, want.msssim, want.dssim, want.lwssim]);
  });

  test('--threshold gates on the first metric: 0 above, 1 below, DSSIM the other way', async () => {
    const s = apiRow(ref, img).ssim as number;
    const d = apiRow(ref, img).dssim as number;
    expect((await cli(ref, img, '--threshold', String(s))).code).toBe(0);
    const below = await cli(ref, img, '--threshold', String(s + 1e-9));
    expect(below.code).toBe(1);
    expect(below.stderr).toMatch(/SSIM/);
    expect((await cli(ref, img, '--metric', 'dssim', '--threshold', String(d))).code).toBe(0);
    expect((await cli(ref, img, '--metric', 'dssim', '--threshold', String(d - 1e-9))).code).toBe(1);
    expect((await cli(ref, img, '--metric', 'dssim,ssim', '--threshold', '0.999')).code).toBe(0);
  });

  test('usage and file errors: status 2, one line on stderr, nothing on stdout', async () => {
    const cases = [
      [ref, at('missing.png')],
      [at('broken.png'), img],
      [ref],
      [ref, img, '--metric', 'psnr'],
      [ref, img, '--threshold', 'high'],
      [ref, img, '--size', '8'],
      [ref, img, '--no-such-flag'],
      [ref, at('R')],
      [ref, img, '--map-dir', at('maps')],
      [at('R'), at('I'), '--map', at('map.png')],
      [ref, img, '--map', at('map.png'), '--map-min', '1'],
      [at('R'), at('I'), '--jobs', '0'],
      // a bad option in a folder run: one line, whether pairs run in parallel or not
      [at('R'), at('I'), '--size', '8', '--jobs', '2'],
      [at('R'), at('I'), '--size', '8', '--jobs', '1'],
      [ref, at('small-img.webp')],
      [ref, img, '--json', '--csv'],
    ];
    for (const args of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^ssimkit: [^\n]+\n$/);
    }
    expect((await cli(ref, at('missing.png'))).stderr).toContain('missing.png');
    expect((await cli(ref, at('small-img.webp'))).stderr).toContain('images differ in size');
    // A heatmap that cannot be written is a file error, after the scores were computed.
    writeFileSync(at('not-a-dir'), 'x');
    const w = await cli(ref, img, '--map', at('not-a-dir', 'map.png'));
    expect([w.code, w.stdout]).toEqual([2, '']);
    expect(w.stderr).toMatch(/^ssimkit: cannot write [^\n]*not-a-dir[^\n]*\n$/);
    expect((await cli(ref, img, '--size', '8')).stderr).toContain('ssim: size');
  });

  test('--map writes the SSIM map\'s heatmap as large as the image: the API\'s heatmap to the bit', async () => {
    const out = at('maps-files', 'deep', 'ref-vs-img.png');
    const r = await cli(ref, img, '--map', out, '--metric', 'dssim');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^heatmap +.*ref-vs-img\.png$/m);
    const want = api.heatmap(api.ssim(readFileSync(ref), readFileSync(img), { map: true }));
    const got = api.decode(readFileSync(out));
    expect([got.width, got.height, got.channels]).toEqual([200, 200, 4]);
    expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
    // SSIM's options and --map-min reach it: a 'same' border fills the frame.
    const same = at('maps-files', 'same.png');
    expect((await cli(ref, img, '--map', same, '--border', 'same', '--size', '7', '--map-min', '0.5')).code).toBe(0);
    const wantSame = api.heatmap(api.ssim(readFileSync(ref), readFileSync(img), { map: true, border: 'same', size: 7 }), { min: 0.5 });
    expect(Buffer.from(api.decode(readFileSync(same)).data).equals(Buffer.from(wantSame.data))).toBe(true);
    expect(Buffer.from(wantSame.data).equals(Buffer.from(want.data))).toBe(false);
  });

  test('--help shows examples; --version is package.json\'s', async () => {
    const h = await cli('--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Examples:\n {2}ssimkit ref\.png out\.jpg\n/);
    const v = await cli('--version');
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')).version);
  });
});

/** The pairs of the R and I folders (unpaired files aside). */
const pairs = ['a.png', 'sub/b.png', 'sub/deeper/c.webp'];

describe('two folders', () => {
  test('--json: every pair by relative path, the API to the bit; unpaired files on stderr', async () => {
    const r = await cli(at('R'), at('I'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toStrictEqual(pairs.map((p) => apiRow(join(at('R'), p), join(at('I'), p))));
    expect(r.stderr).toContain('only-ref.png');
    expect(r.stderr).toContain(join('extra', 'only-img.jpg'));
    expect(r.stderr).not.toContain('notes.txt');
    // not a terminal: no progress bar
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
  });

  test('--csv and the table list the same pairs', async () => {
    const c = await cli(at('R'), at('I'), '--csv', '--metric', 'msssim');
    const lines = c.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('ref,img,width,height,msssim');
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual(pairs.map((p) => {
      const v = apiRow(join(at('R'), p), join(at('I'), p), ['msssim']).msssim;
      return v === null ? '' : String(v);
    }));
    const t = await cli(at('R'), at('I'));
    for (const p of pairs) expect(t.stdout).toMatch(new RegExp(`^${p.replaceAll('.', '\\.')} `, 'm'));
  });

  test('--threshold: 1 when any pair is below, 0 when none is', async () => {
    const scores = pairs.map((p) => apiRow(join(at('R'), p), join(at('I'), p), ['ssim']).ssim as number);
    const lowest = Math.min(...scores);
    expect((await cli(at('R'), at('I'), '--threshold', String(lowest))).code).toBe(0);
    const r = await cli(at('R'), at('I'), '--threshold', String(lowest + 1e-9));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(pairs[scores.indexOf(lowest)]!.split('/').pop());
  });

  test('on a terminal, stderr shows a progress bar (util-linux script(1) gives it a pty)', async () => {
    const bin = join(pkg.project, 'node_modules/.bin/ssimkit');
    const r = await run('script', ['-qec', `${bin} ${at('R')} ${at('I')} --json`, '/dev/null']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\r[------------------------] 0/3 ');
    // the count done and the pair that finished last (in parallel, any of them)
    expect(r.stdout).toMatch(/\r\[#{16}-{8}\] 2\/3 (a\.png|sub\/b\.png|sub\/deeper\/c\.webp)/);
    expect(r.stdout).toMatch(/\r\[#{24}\] 3\/3 /);
  });

  test('a broken file in a folder is a file error (2); the other pairs are still scored', async () => {
    const bad = mkdtempSync(join(root, 'bad-'));
    writeTree(bad, { 'R/x.png': readFileSync(at('broken.png')), 'I/x.png': readFileSync(ref), 'R/y.png': readFileSync(ref), 'I/y.jpg': readFileSync(img), 'I/y.png': readFileSync(img) });
    const r = await cli(join(bad, 'R'), join(bad, 'I'), '--json', '--metric', 'ssim');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ssimkit: only in .*y\.jpg\nssimkit: .*x\.png: decode: [^\n]+\n$/);
    expect(JSON.parse(r.stdout)).toStrictEqual([apiRow(join(bad, 'R/y.png'), join(bad, 'I/y.png'), ['ssim'])]);
    // a bad option fails once, before any file
    const o = await cli(join(bad, 'R'), join(bad, 'I'), '--max-pixels', '0');
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/^ssimkit: --max-pixels[^\n]+\n$/);
  });

  test('pairs in parallel (--jobs 3) print what one at a time (--jobs 1) prints, in the same order', async () => {
    const one = await cli(at('R'), at('I'), '--json', '--jobs', '1');
    const three = await cli(at('R'), at('I'), '--json', '--jobs', '3');
    expect([one.code, three.code]).toEqual([0, 0]);
    expect(three.stdout).toBe(one.stdout);
    expect(three.stderr).toBe(one.stderr);
    const t1 = await cli(at('R'), at('I'), '-j', '1');
    expect((await cli(at('R'), at('I'), '-j', '2')).stdout).toBe(t1.stdout);
  });

  test('a pair whose sizes differ is a file error (2); the others are still scored', async () => {
    const mixed = mkdtempSync(join(root, 'mixed-'));
    writeTree(mixed, { 'R/x.png': readFileSync(ref), 'I/x.png': readFileSync(at('small-ref.png')), 'R/y.png': readFileSync(ref), 'I/y.png': readFileSync(img) });
    const r = await cli(join(mixed, 'R'), join(mixed, 'I'), '--json', '--metric', 'ssim');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ssimkit: [^\n]*x\.png vs [^\n]*x\.png: ssim: images differ in size[^\n]*\n$/);
    expect(JSON.parse(r.stdout)).toStrictEqual([apiRow(join(mixed, 'R/y.png'), join(mixed, 'I/y.png'), ['ssim'])]);
  });

  test('--map-dir writes one heatmap per pair at its relative path, as .png; names two pairs share keep their extension', async () => {
    const maps = at('maps-dir');
    const r = await cli(at('R'), at('I'), '--map-dir', maps, '--metric', 'ssim');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`heatmaps: ${maps}`);
    for (const p of pairs) {
      const file = join(maps, p.replace(/\.[^.]+$/, '.png'));
      const want = api.heatmap(api.ssim(readFileSync(join(at('R'), p)), readFileSync(join(at('I'), p)), { map: true }));
      const got = api.decode(readFileSync(file));
      expect([got.width, got.height]).toEqual([want.width, want.height]);
      expect(Buffer.from(got.data).equals(Buffer.from(want.data)), p).toBe(true);
    }
    const twins = mkdtempSync(join(root, 'twins-'));
    writeTree(twins, { 'R/t.png': readFileSync(ref), 'I/t.png': readFileSync(img), 'R/t.jpg': readFileSync(img), 'I/t.jpg': readFileSync(img) });
    expect((await cli(join(twins, 'R'), join(twins, 'I'), '--map-dir', join(twins, 'M'))).code).toBe(0);
    expect(readdirSync(join(twins, 'M')).sort()).toEqual(['t.jpg.png', 't.png.png']);
  });
});

test('`deno run -A npm:ssimkit` runs the same bin and prints the same numbers', async () => {
  const r = await run(join(BIN, 'deno'), [
    // In the project, npm:ssimkit is its node_modules' install; nothing fetched.
    'run', '--no-prompt', '--node-modules-dir=manual', '--cached-only', '-A', 'npm:ssimkit', ref, img, '--json',
  ], { DENO_DIR: join(root, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toStrictEqual(apiRow(ref, img));
  // Folders run their pairs on worker threads, which Deno's node:worker_threads runs too.
  const f = await run(join(BIN, 'deno'), [
    'run', '--no-prompt', '--node-modules-dir=manual', '--cached-only', '-A', 'npm:ssimkit', at('R'), at('I'), '--json', '--jobs', '2',
    '--map-dir', at('deno-maps'),
  ], { DENO_DIR: join(root, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' });
  expect(f.code).toBe(0);
  expect(JSON.parse(f.stdout)).toStrictEqual(pairs.map((p) => apiRow(join(at('R'), p), join(at('I'), p))));
  const heat = api.heatmap(api.ssim(readFileSync(at('R', 'a.png')), readFileSync(at('I', 'a.png')), { map: true }));
  expect(Buffer.from(api.decode(readFileSync(at('deno-maps', 'a.png'))).data).equals(Buffer.from(heat.data))).toBe(true);
}, 120_000);

test('a global install (`npm i -g`) puts `ssimkit` on the PATH, and it scores from any folder', async () => {
  const prefix = mkdtempSync(join(root, 'global-'));
  const tarball = readdirSync(pkg.project).find((f) => /^ssimkit-.*\.tgz$/.test(f));
  expect(tarball).toBeDefined();
  await exec('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(pkg.project, tarball!)]);
  const { stdout } = await exec('ssimkit', [ref, img, '--json'], {
    cwd: root, env: { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` },
  });
  expect(JSON.parse(stdout)).toStrictEqual(apiRow(ref, img));
}, 120_000);

test('the README\'s command-line examples are --help\'s', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- cli-examples -->\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  const help = (await cli('--help')).stdout;
  const examples = /\nExamples:\n([\s\S]*?)\n\n/.exec(help)?.[1];
  expect(examples).toBeDefined();
  expect(block).toBe(examples!.split('\n').map((l) => l.replace(/^ {2}/, '')).join('\n') + '\n');
});
