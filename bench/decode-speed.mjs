#!/usr/bin/env node
// The decoding rows of `npm run bench` alone (bench/decode-child.mjs):
//   npm run bench:decode [-- --sizes 3840x2160] [-- --rounds 7]
// SSIMKIT_WASM=path makes ssimkit load another simd build (to compare build
// options on the same files in the same process as the peers).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DECODE_DESCRIPTION, writeDecodeFiles } from './decode-inputs.mjs';
import { decodeReport, targetLines } from './decode-table.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const value = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const sizes = value('--sizes', '1920x1080,3840x2160');
const dir = mkdtempSync(join(os.tmpdir(), 'ssimkit-decode-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const files = await writeDecodeFiles(dir, sizes.split(',').map((s) => s.split('x').map(Number)));
const r = spawnSync(process.execPath, [join(here, 'decode-child.mjs'), '--dir', dir, '--sizes', sizes, '--rounds', value('--rounds', '5')],
  { cwd: resolve(here, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
const line = r.stdout.trim().split('\n').pop();
if (r.status !== 0 || !line) {
  console.error(`decode-child exited with ${r.status ?? r.signal}`);
  process.exit(1);
}
const { lines, targets } = decodeReport(JSON.parse(line));
console.log([`inputs: ${DECODE_DESCRIPTION}`, `        ${Object.entries(files).map(([k, v]) => `${k} ${v.sha256_16}`).join(', ')}`, ...lines, '', 'Targets', ...targetLines(targets)].join('\n'));
