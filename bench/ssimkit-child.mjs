#!/usr/bin/env node
// One ssimkit configuration in its own process (init() loads once per
// process), started by bench/run.mjs. Prints one JSON line on stdout.
//
//   node bench/ssimkit-child.mjs --threads N --mode init [--default]
//     time of `await init()` in this fresh process; with --default the plain
//     init() (N must be what it picks), and when its pool has settled
//   node bench/ssimkit-child.mjs --threads N --mode cases --dir D --size WxH [--only a,b] [--budget-ms B --min-runs M --max-runs X]
//     every case (or those --only names) at one size; wasm memory and RSS after each case
//   node bench/ssimkit-child.mjs --threads N --mode batch --batch PREFIX --batch-shape n,h,w,c [--grad-out FILE] [policy]
//     ssimLoss without and with grad on the loss batch of `npm run bench -- --python`
//
// `{ threads: N }` is passed to init() only if the installed API accepts it:
// an API without the option answers "unknown option 'threads'", and then
// N = 1 runs the plain init() (the single-threaded build) while N > 1 is
// reported as unavailable.
import { readFileSync, writeFileSync } from 'node:fs';
import { readPair, rgbFloat } from './inputs.mjs';
import { measure } from './util.mjs';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? dflt : args[i + 1];
};
const threads = Number(arg('threads', '1'));
const mode = arg('mode', 'cases');
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const importStart = performance.now();
const kit = await import('ssimkit');
const importMs = performance.now() - importStart;

let info, threadsOption, settledMs, resolvedMs;
const initStart = performance.now();
try {
  if (args.includes('--default')) {
    // The plain init() a user writes: it resolves while its pool may still
    // be starting (info.starting); a second init() resolves once it runs.
    info = await kit.init();
    resolvedMs = performance.now() - initStart;
    if (mode === 'init') {
      const settled = await kit.init();
      settledMs = performance.now() - initStart;
      if (settled.threads !== info.threads || settled.build !== info.build) info = { ...settled, startedAs: info };
    }
  } else {
    info = await kit.init({ threads });
  }
  threadsOption = true;
} catch (e) {
  if (!/unknown option 'threads'/.test(String(e?.message))) throw e;
  threadsOption = false;
  if (threads !== 1) {
    out({ threads, available: false, reason: `init() does not accept { threads } yet (${e.message})` });
    process.exit(0);
  }
  info = await kit.init();
}
const initMs = resolvedMs ?? performance.now() - initStart;
const base = { threads, available: true, threadsOption, info, importMs, initMs, settledMs };
if (threadsOption && info.threads !== threads) {
  // The option exists but the host gave another count (e.g. no threads build): say so.
  out({ ...base, available: false, reason: `init({ threads: ${threads} }) gave ${info.threads} thread(s) (build '${info.build}')` });
  process.exit(0);
}
if (mode === 'init') {
  out(base);
  process.exit(0);
}

const memBytes = typeof kit.wasmMemoryBytes === 'function' ? () => kit.wasmMemoryBytes() : () => null;
const policy = {
  budgetMs: Number(arg('budget-ms', '1500')),
  minRuns: Number(arg('min-runs', '3')),
  maxRuns: Number(arg('max-runs', '15')),
};
if (mode === 'batch') {
  // --batch PREFIX --batch-shape n,h,w,c [--grad-out FILE]: ssimLoss on the float32 NHWC batch that
  // bench/python/batch.mjs wrote (the one torch reads too); the gradient is written once for peers.py.
  const shape = arg('batch-shape', '8,256,256,3').split(',').map(Number);
  const read = (k) => {
    const b = readFileSync(`${arg('batch')}.${k}.f32`);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  };
  const bp = { data: read('pred'), shape }, bt = { data: read('target'), shape };
  if (arg('grad-out')) writeFileSync(arg('grad-out'), kit.ssimLoss(bp, bt, { grad: true }).grad);
  const rows = [];
  for (const [name, f] of [['ssimLoss-batch', () => kit.ssimLoss(bp, bt).loss], ['ssimLoss-batch+grad', () => kit.ssimLoss(bp, bt, { grad: true }).loss]]) {
    const r = measure(f, policy);
    rows.push({ size: shape.join('x'), case: name, ms: r.ms, n: r.n, value: r.value });
    process.stderr.write(`  ssimkit ${threads}t ${shape.join('x')} ${name}: ${r.ms.toFixed(2)} ms (n=${r.n})\n`);
  }
  out({ ...base, rows });
  process.exit(0);
}
const [w, h] = arg('size').split('x').map(Number);
const { ref, dist } = readPair(arg('dir'), w, h);
const A = { data: ref, width: w, height: h }, B = { data: dist, width: w, height: h };
// Losses: prediction = the distorted image, target = the reference, float RGB in [0, 1].
const pred = { data: rgbFloat(dist), shape: [1, h, w, 3] }, target = { data: rgbFloat(ref), shape: [1, h, w, 3] };

const cases = [
  ['ssim', () => kit.ssim(A, B).score],
  ['ssim-luma', () => kit.ssim(A, B, { color: 'luma' }).score],
  ['msssim', () => kit.msssim(A, B).score],
  ['msssim-luma', () => kit.msssim(A, B, { color: 'luma' }).score],
  ['lwssim', () => kit.lwssim(A, B).score],
];
for (const name of ['ssimLoss', 'msssimLoss', 'dssimMaeLoss', 'lwssimLoss']) {
  cases.push([name, () => kit[name](pred, target).loss]);
  cases.push([`${name}+grad`, () => kit[name](pred, target, { grad: true }).loss]);
}

const only = arg('only')?.split(',');
const rows = [];
for (const [name, f] of cases) {
  if (only && !only.includes(name)) continue;
  const r = measure(f, policy);
  const row = { size: `${w}x${h}`, case: name, ms: r.ms, n: r.n, value: r.value, wasmBytes: memBytes(), rss: process.memoryUsage().rss };
  rows.push(row);
  process.stderr.write(`  ssimkit ${threads}t ${row.size} ${name}: ${r.ms.toFixed(2)} ms (n=${r.n})\n`);
}
out({ ...base, rows, maxRss: peakRss(rows) });

// The process's peak RSS: Linux's VmHWM (ru_maxrss would carry the parent's
// peak across exec), else the largest RSS seen after a case.
function peakRss(rows) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return Math.max(...rows.map((r) => r.rss));
}
