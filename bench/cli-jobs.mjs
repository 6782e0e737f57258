// The command on two folders, pairs one at a time on the thread pool
// (--jobs 1) against pairs in parallel on worker threads (--jobs N): wall
// time of the whole run, medians of interleaved rounds (a noisy machine:
// compare the ratio). Usage: node bench/cli-jobs.mjs [pairs] [side] [rounds]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const [pairs = 24, side = 512, rounds = 5] = process.argv.slice(2).map(Number);
const src = new URL('../examples/images/chelsea.png', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ssimkit-cli-jobs-'));
for (const [k, sub] of [['a', 0], ['b', 1]]) {
  mkdirSync(join(dir, k));
  for (let i = 0; i < pairs; i++) {
    let img = sharp(src).resize(side, side, { fit: 'fill' }).rotate(i * 15, { background: '#808080' }).resize(side, side, { fit: 'fill' });
    const bytes = sub ? await img.jpeg({ quality: 30 + i }).toBuffer() : await img.png().toBuffer();
    writeFileSync(join(dir, k, `img${String(i).padStart(3, '0')}.${sub ? 'jpg' : 'png'}`), bytes);
  }
}
// The folders pair by relative path: name the JPEGs as the PNGs' counterparts.
for (let i = 0; i < pairs; i++) execFileSync('mv', [join(dir, 'b', `img${String(i).padStart(3, '0')}.jpg`), join(dir, 'b', `img${String(i).padStart(3, '0')}.png`)]);
const bin = new URL('../bin/ssimkit.js', import.meta.url).pathname;
const jobs = Math.min(8, availableParallelism());
const time = (j) => {
  const t0 = performance.now();
  execFileSync(process.execPath, [bin, join(dir, 'a'), join(dir, 'b'), '--json', '--jobs', String(j)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - t0;
};
const t = { 1: [], [jobs]: [] };
for (let r = 0; r < rounds; r++) for (const j of [1, jobs]) t[j].push(time(j));
const median = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];
console.log(`${pairs} pairs of ${side}x${side} RGB (PNG against JPEG), all four metrics, ${rounds} rounds`);
console.log(`--jobs 1 (pool in each call): ${median(t[1]).toFixed(0)} ms   --jobs ${jobs} (pairs in parallel): ${median(t[jobs]).toFixed(0)} ms   ratio ${(median(t[1]) / median(t[jobs])).toFixed(2)}x`);
rmSync(dir, { recursive: true });
