#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --sizes 512x512,1920x1080] [-- --rounds 3] [-- --no-native] [-- --native-threads] [-- --no-peers] [-- --python]`
//
// One command, one run, the same inputs for every row: ssimkit (one child
// process per configuration and size, since init() loads once per process),
// the same Rust kernels built natively (crate/examples/native_bench.rs), and
// the npm peers (ssim.js, @blazediff/ssim, image-ssim), and with --python the
// Python peers in bench/.venv (bench/python/). Prints the tables and
// the targets (MET / MISSED; a missed target never fails the run) and writes
// bench/results.json. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { DECODE_DESCRIPTION, writeDecodeFiles } from './decode-inputs.mjs';
import { decodeReport } from './decode-table.mjs';
import { boundNs, describeKernel } from './bound.mjs';
import { DESCRIPTION, writePairs } from './inputs.mjs';
import { writeLossBatch } from './python/batch.mjs';
import { annotate, batchLines, fmtDiff, pythonOptions, pythonTargets } from './python/merge.mjs';
import { ensureVenv, VENV } from './python/setup.mjs';
import { mid } from './util.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const value = (f) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined);

const quick = flag('--quick');
let py;
try {
  py = pythonOptions(argv);
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(2);
}
const sizes = value('--sizes')
  ? value('--sizes').split(',').map((s) => s.split('x').map(Number))
  : quick ? [[512, 512]] : [[512, 512], [1920, 1080], [3840, 2160]];
const INIT_PROCESSES = 7;
const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
const threadCounts = [...new Set([1, Math.min(2, cpus), cpus])];
// What a plain init() starts (ts/threads.ts DEFAULT_THREADS_CAP).
const defaultThreads = Math.min(cpus, 8);
const started = performance.now();
const log = (s) => process.stderr.write(`${s}\n`);
const sizeName = ([w, h]) => `${w}x${h}`;
// Decoding (bench/decode-child.mjs): 1080p and 4K files; --quick: 1080p, fewer rounds.
const decodeSizes = value('--decode-sizes') ?? (quick ? '1920x1080' : '1920x1080,3840x2160');
const decodeRounds = value('--decode-rounds') ?? (quick ? '3' : '7');
const REF = sizes.some(([w, h]) => w === 1920 && h === 1080) ? '1920x1080' : sizeName(sizes[sizes.length - 1]);
const BIG = '3840x2160';

// Timing policy per row (bench/util.mjs `measure`): warm-up, then runs filling
// the budget, at least minRuns. Peers at 4K take a single run (ssim.js 'fast'
// alone takes ~15 s there); the table prints n for every row.
const policy = (who, size) => {
  if (who === 'peer' && size === BIG) return { budgetMs: 1500, minRuns: 1, maxRuns: 3 };
  if (who === 'peer') return { budgetMs: 1500, minRuns: 3, maxRuns: 7 };
  return { budgetMs: 1500, minRuns: 3, maxRuns: 15 };
};
const policyArgs = (p) => ['--budget-ms', String(p.budgetMs), '--min-runs', String(p.minRuns), '--max-runs', String(p.maxRuns)];

/** Runs a command; returns the JSON of its last stdout line, or { error }. */
function runJson(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, ...opts });
  if (r.error) return { error: String(r.error.message) };
  const line = r.stdout.trim().split('\n').filter(Boolean).pop();
  if (r.status !== 0 || !line) return { error: `${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}` };
  try {
    return JSON.parse(line);
  } catch {
    return { error: `unparsable output: ${line.slice(0, 200)}` };
  }
}

// ---- build if needed ------------------------------------------------------
// Another build in this tree (scripts/build.sh removes dist/ first) is
// waited for, not raced.
function buildRunning() {
  if (!existsSync('/proc')) return false;
  return readdirSync('/proc').some((pid) => {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return cmd.includes('scripts/build.sh') && cwd === root;
    } catch {
      return false;
    }
  });
}
for (let waited = 0; !existsSync(join(root, 'dist/node.js')) && buildRunning() && waited < 600; waited += 2) {
  if (waited === 0) log('[bench] dist/ is missing and a build is running in this tree: waiting for it');
  spawnSync('sleep', ['2']);
}
if (!existsSync(join(root, 'dist/node.js'))) {
  log('[bench] dist/ is missing: bash scripts/build.sh');
  const b = spawnSync('bash', ['scripts/build.sh'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (b.status !== 0) {
    log('[bench] the build failed');
    process.exit(1);
  }
}

// The wasm rows come from dist/, the native rows from crate/src as it is now:
// say so when the sources changed after the build.
function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}
const wasmFiles = existsSync(join(root, 'dist/wasm'))
  ? readdirSync(join(root, 'dist/wasm')).flatMap((d) => (existsSync(join(root, 'dist/wasm', d, 'ssimkit_bg.wasm')) ? [join(root, 'dist/wasm', d, 'ssimkit_bg.wasm')] : []))
  : [];
const builtAt = Math.min(...wasmFiles.map((f) => statSync(f).mtimeMs));
const srcAt = Math.max(newest(join(root, 'crate/src')), statSync(join(root, 'crate/Cargo.toml')).mtimeMs);
const stale = wasmFiles.length > 0 && srcAt > builtAt;
const wasmMtimesAtStart = wasmFiles.map((f) => statSync(f).mtimeMs).join();
const git = (...a) => spawnSync('git', a, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
const commit = git('rev-parse', '--short', 'HEAD');
const dirty = git('status', '--porcelain', '--', 'crate', 'ts', 'scripts') !== '';

// ---- inputs ---------------------------------------------------------------
const dir = mkdtempSync(join(os.tmpdir(), 'ssimkit-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
log(`[bench] inputs ${sizes.map(sizeName).join(', ')} -> ${dir}`);
const digests = writePairs(dir, sizes);

// ---- ssimkit, one configuration per process --------------------------------
// Rounds: every configuration's cases run once a round, configurations
// interleaved, and each row is the median of its rounds, so a load that comes
// and goes on a noisy host hits 1 and 2 threads alike (the thread-scaling
// ratios compare rows of the same rounds).
const ROUNDS = Number(value('--rounds') ?? (quick ? 1 : 3));
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) {
  log(`--rounds must be a positive integer, got ${value('--rounds')}`);
  process.exit(2);
}
const kit = [];
const child = join(here, 'ssimkit-child.mjs');
for (const threads of threadCounts) {
  log(`[bench] ssimkit, ${threads} thread(s): init() in ${INIT_PROCESSES} fresh processes`);
  const inits = [];
  let cfg = null;
  for (let i = 0; i < INIT_PROCESSES; i++) {
    // The host's default count is timed as users call it: plain init(), whose pool starts behind it.
    const r = runJson(process.execPath, [child, '--threads', String(threads), '--mode', 'init', ...(threads === defaultThreads && threads > 1 ? ['--default'] : [])]);
    if (r.error || !r.available) {
      cfg = { threads, available: false, reason: r.error ?? r.reason };
      break;
    }
    inits.push(r);
  }
  if (!cfg) {
    cfg = { threads, available: true, threadsOption: inits[0].threadsOption, info: inits[0].info,
      init: { medianMs: mid(inits.map((r) => r.initMs)), runsMs: inits.map((r) => r.initMs), importMedianMs: mid(inits.map((r) => r.importMs)),
        settledMedianMs: inits[0].settledMs === undefined ? undefined : mid(inits.map((r) => r.settledMs)) },
      rows: [], memory: [], rounds: [] };
  } else {
    log(`[bench]   unavailable: ${cfg.reason}`);
  }
  kit.push(cfg);
}
for (let round = 0; round < ROUNDS; round++) {
  for (const cfg of kit.filter((c) => c.available)) {
    log(`[bench] ssimkit, ${cfg.threads} thread(s), round ${round + 1} of ${ROUNDS}`);
    for (const s of sizes) {
      const size = sizeName(s);
      const r = runJson(process.execPath, [child, '--threads', String(cfg.threads), '--mode', 'cases', '--dir', dir, '--size', size, ...policyArgs(policy('kit', size))]);
      if (r.error || !r.available) {
        cfg.errors = [...(cfg.errors ?? []), `${size}, round ${round + 1}: ${r.error ?? r.reason}`];
        continue;
      }
      cfg.rounds.push(r.rows);
      if (round > 0) continue;
      const ssimRow = r.rows.find((x) => x.case === 'ssim');
      cfg.memory.push({ size, wasmAfterSsim: ssimRow?.wasmBytes ?? null, wasmMax: Math.max(...r.rows.map((x) => x.wasmBytes ?? 0)) || null,
        rssAfterSsim: ssimRow?.rss ?? null, maxRss: r.maxRss });
    }
  }
}
for (const cfg of kit.filter((c) => c.available)) {
  cfg.rows = mergeRounds(cfg.rounds);
  delete cfg.rounds;
}

/** One row per (size, case): the median of its rounds' medians, every round's ms kept. */
function mergeRounds(rounds) {
  const byKey = new Map();
  for (const row of rounds.flat()) {
    const key = `${row.size} ${row.case}`;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(row);
  }
  return [...byKey.values()].map((rs) => ({ ...rs[0], ms: mid(rs.map((r) => r.ms)), n: rs.reduce((a, r) => a + r.n, 0), roundsMs: rs.map((r) => r.ms),
    wasmBytes: Math.max(...rs.map((r) => r.wasmBytes ?? 0)) || rs[0].wasmBytes, rss: Math.max(...rs.map((r) => r.rss ?? 0)) || rs[0].rss }));
}
const kit1 = kit.find((c) => c.threads === 1);

// ---- native ---------------------------------------------------------------
const native = [];
let nativeNote = null;
let peak = null;
if (flag('--no-native')) {
  nativeNote = 'skipped (--no-native)';
} else {
  const cargoArgs = ['--release', '--quiet', '--manifest-path', 'crate/Cargo.toml', '--example', 'native_bench'];
  log('[bench] native: cargo build --release --example native_bench (not timed)');
  const b = spawnSync('cargo', ['build', ...cargoArgs], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const version = spawnSync('rustc', ['--version'], { cwd: root, encoding: 'utf8' }).stdout?.trim();
  if (b.error || b.status !== 0) {
    nativeNote = `cargo build failed (${b.error?.message ?? `exit ${b.status}`})`;
  } else {
    // Native with more threads only on request (it adds minutes here).
    for (const threads of flag('--native-threads') ? threadCounts : [1]) {
      log(`[bench] native, ${threads} thread(s)`);
      const r = runJson('cargo', ['run', ...cargoArgs, '--', '--dir', dir, '--sizes', sizes.map(sizeName).join(','), '--threads', String(threads),
        ...policyArgs(policy('native', ''))]);
      native.push(r.error ? { threads, available: false, reason: r.error } : { threads, available: true, rustc: version, ...r });
    }
    if (!flag('--native-threads')) nativeNote = 'single-threaded only (--native-threads adds a rayon pool of each thread count)';
    // The denominator of the arithmetic bound (bench/bound.mjs), measured after the rows on the same core.
    log('[bench] native: peak lane operations per ns (crate/examples/peak_flops.rs)');
    const pf = runJson('cargo', ['run', '--release', '--quiet', '--manifest-path', 'crate/Cargo.toml', '--example', 'peak_flops']);
    peak = pf.error ? { error: pf.error } : { f64: pf.f64LaneOpsPerNs, f32: pf.f32LaneOpsPerNs };
  }
}
const native1 = native.find((c) => c.threads === 1 && c.available);

// ---- peers ----------------------------------------------------------------
const peers = [];
if (!flag('--no-peers')) {
  for (const s of sizes) {
    const size = sizeName(s);
    log(`[bench] peers at ${size}`);
    const r = runJson(process.execPath, [join(here, 'peers-child.mjs'), '--dir', dir, '--size', size, ...policyArgs(policy('peer', size))]);
    if (r.error) log(`[bench]   peers failed: ${r.error}`);
    else peers.push(...r.rows);
  }
}

// ---- Python peers (--python) ----------------------------------------------
// bench/.venv from PyPI (bench/python/setup.mjs), then peers.py per size and
// on the loss batch, which ssimkit measures here too (--mode batch).
const BATCH_SHAPE = [8, 256, 256, 3];
// The loss batch runs with or without --python: the thread-scaling target of
// loss + gradient is read on it ("batches split across items and rows").
const lossBatch = { kit: [], errors: [] };
if (!flag('--no-batch')) {
  const [rw, rh] = REF.split('x').map(Number);
  try {
    lossBatch.batch = writeLossBatch(dir, rw, rh, BATCH_SHAPE[0], BATCH_SHAPE[1]);
  } catch (e) {
    lossBatch.errors.push(`loss batch: ${e.message}`);
  }
}
const kitGrad = join(dir, 'batch.kitgrad.f32');
if (lossBatch.batch) {
  // Interleaved rounds as above; the gradient is written once, for the peers' check.
  const perThreads = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of kit) {
      if (!c.available) continue;
      log(`[bench] ssimkit ${c.threads}t on the loss batch [${BATCH_SHAPE.join(',')}], round ${round + 1} of ${ROUNDS}`);
      const r = runJson(process.execPath, [join(here, 'ssimkit-child.mjs'), '--threads', String(c.threads), '--mode', 'batch', '--batch', lossBatch.batch.prefix,
        '--batch-shape', BATCH_SHAPE.join(','), ...(c.threads === 1 && round === 0 ? ['--grad-out', kitGrad] : []), ...policyArgs(policy('kit', ''))]);
      if (r.error || !r.available) {
        if (!perThreads.has(c.threads)) perThreads.set(c.threads, { reason: r.error ?? r.reason });
        continue;
      }
      const got = perThreads.get(c.threads);
      perThreads.set(c.threads, { rounds: [...(got?.rounds ?? []), r.rows] });
    }
  }
  for (const c of kit) {
    const got = c.available ? perThreads.get(c.threads) : { reason: c.reason };
    lossBatch.kit.push(got?.rounds ? { threads: c.threads, rows: mergeRounds(got.rounds) } : { threads: c.threads, reason: got?.reason });
  }
}
let python = null;
if (py.enabled) {
  python = { rows: [], kitBatch: lossBatch.kit, batch: lossBatch.batch, errors: [...lossBatch.errors] };
  try {
    python.venv = ensureVenv({ venv: py.venv ? resolve(py.venv) : VENV, recreate: py.recreate, log });
  } catch (e) {
    python.unavailable = e.message;
    log(`[bench] python peers unavailable: ${e.message}`);
  }
  if (python.venv) {
    // One thread everywhere; OPENBLAS_CORETYPE/L2_SIZE (set on some hosts for old OpenBLAS builds) would slow a current numpy.
    const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const peersPy = join(here, 'python', 'peers.py');
    const jobs = sizes.map((s) => [`at ${sizeName(s)}`, ['--dir', dir, '--sizes', sizeName(s), ...policyArgs(policy('peer', sizeName(s)))]]);
    if (python.batch) jobs.push([`on the loss batch`, ['--batch', python.batch.prefix, '--batch-shape', BATCH_SHAPE.join(','), '--kit-grad', kitGrad, ...policyArgs(policy('peer', ''))]]);
    for (const [what, args] of jobs) {
      log(`[bench] python peers ${what}`);
      const r = runJson(python.venv.python, [peersPy, '--stubs', python.venv.stubs, ...args], { env });
      if (r.error) {
        python.errors.push(`${what}: ${r.error}`);
        log(`[bench]   python peers failed: ${r.error}`);
        continue;
      }
      python.versions = r.versions;
      python.threads = r.threads;
      python.rows.push(...r.rows);
    }
  }
}

// ---- decoding -------------------------------------------------------------
let decoding = null;
let decodeFiles = null;
if (!flag('--no-decode')) {
  log(`[bench] decoding at ${decodeSizes}: files made with sharp`);
  decodeFiles = await writeDecodeFiles(dir, decodeSizes.split(',').map((s) => s.split('x').map(Number)));
  decoding = runJson(process.execPath, [join(here, 'decode-child.mjs'), '--dir', dir, '--sizes', decodeSizes, '--rounds', decodeRounds]);
  if (decoding.error) log(`[bench]   decoding failed: ${decoding.error}`);
}

// ---- .wasm sizes ----------------------------------------------------------
const wasm = [];
const wasmRoot = join(root, 'dist/wasm');
for (const d of existsSync(wasmRoot) ? readdirSync(wasmRoot) : []) {
  if (!statSync(join(wasmRoot, d)).isDirectory()) continue;
  for (const f of readdirSync(join(wasmRoot, d)).filter((f) => f.endsWith('.wasm'))) {
    const bytes = readFileSync(join(wasmRoot, d, f));
    const br = brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
    wasm.push({ file: relative(root, join(wasmRoot, d, f)), bytes: bytes.length, brotli: br.length });
  }
}

const wasmMtimes = () => wasmFiles.map((f) => (existsSync(f) ? statSync(f).mtimeMs : -1)).join();
const rebuilt = wasmMtimes() !== wasmMtimesAtStart;

// ---- tables ---------------------------------------------------------------
const CASES = [
  ['ssim', 'SSIM (RGB)'], ['ssim-luma', 'SSIM (luma)'], ['msssim', 'MS-SSIM (RGB)'], ['msssim-luma', 'MS-SSIM (luma)'], ['lwssim', 'LWSSIM (RGB)'],
  ['ssimLoss', 'ssimLoss'], ['ssimLoss+grad', 'ssimLoss +grad'], ['msssimLoss', 'msssimLoss'], ['msssimLoss+grad', 'msssimLoss +grad'],
  ['dssimMaeLoss', 'dssimMaeLoss'], ['dssimMaeLoss+grad', 'dssimMaeLoss +grad'], ['lwssimLoss', 'lwssimLoss'], ['lwssimLoss+grad', 'lwssimLoss +grad'],
];
const LOSSES = ['ssimLoss', 'msssimLoss', 'dssimMaeLoss', 'lwssimLoss'];
const find = (rows, size, kase) => rows?.find((r) => r.size === size && r.case === kase);
const kitRow = (threads, size, kase) => find(kit.find((c) => c.threads === threads && c.available)?.rows, size, kase);
const nativeRow = (threads, size, kase) => find(native.find((c) => c.threads === threads && c.available)?.rows, size, kase);
const peerRow = (impl, size) => peers.find((r) => r.impl === impl && r.size === size);
const kitBatchRow = (threads, size, kase) => find(lossBatch.kit.find((c) => c.threads === threads)?.rows, size, kase);
if (python) python.rows = annotate(python.rows, (t, size, kase) => kitRow(t, size, kase) ?? kitBatchRow(t, size, kase));
const fmtMs = (ms) => (ms == null ? '—' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtX = (x) => (x == null || !Number.isFinite(x) ? '—' : x >= 100 ? `${x.toFixed(0)}x` : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`);
const MB = (b) => (b == null ? '—' : `${(b / 2 ** 20).toFixed(1)} MiB`);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const out = [];
const p = (s = '') => out.push(s);

const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
p(`ssimkit benchmark — ${new Date().toISOString()} — Node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus} CPU(s) (${cpuModel})${quick ? ' — QUICK (512x512 only)' : ''}`);
p(`source: commit ${commit}${dirty ? ' with uncommitted changes in crate/, ts/ or scripts/' : ''}; dist/ built ${new Date(builtAt).toISOString()}`);
if (stale) p(`WARNING: crate/src changed after dist/ was built (${new Date(srcAt).toISOString()}): the wasm rows and the native rows may come from different sources; run npm run build first.`);
if (rebuilt) p('WARNING: dist/ was rebuilt while this run was under way: rows may come from different builds; run it again.');
p(`inputs: ${DESCRIPTION}.`);
p(`        identical bytes for every row (sha256/16: ${Object.entries(digests).map(([k, v]) => `${k} ${v}`).join(', ')})`);
for (const c of kit) {
  p(c.available
    ? `ssimkit ${c.threads}t: build '${c.info.build}' [${c.info.features.join(',')}], info.threads ${c.info.threads}, ${c.threadsOption ? `init({ threads: ${c.threads} })` : 'init() (no threads option in this API)'}${c.errors ? `; errors: ${c.errors.join('; ')}` : ''}`
    : `ssimkit ${c.threads}t: UNAVAILABLE — ${c.reason}`);
}
for (const c of native) p(c.available ? `native ${c.threads}t: ${c.rustc ?? 'rustc'}, ${c.arch}, rayon pool of ${c.threads}` : `native ${c.threads}t: UNAVAILABLE — ${c.reason}`);
if (nativeNote) p(`native: ${nativeNote}`);
p();
p('Times: median ms of n runs (after one warm-up; rows slower than 2 s count the warm-up as a sample; peers at 4K may run only once).');
p("'x kit1t' = this row's time / ssimkit 1-thread's on the same case (for peers: how many times slower than ssimkit RGB);");
p("'x luma' (peers) = the same against ssimkit's luma row, which compares one plane as the peers do.");
for (const s of sizes) {
  const size = sizeName(s);
  p();
  p(`${size}`);
  p(`  ${pad('case', 19)}${pad('implementation', 27)}${lpad('ms', 9)}${lpad('n', 4)}${lpad('x kit1t', 9)}${lpad('x luma', 9)}  score`);
  for (const [kase, label] of CASES) {
    const base = kitRow(1, size, kase);
    let first = true;
    const head = () => {
      const h = first ? label : '';
      first = false;
      return h;
    };
    const line = (impl, r, luma, tail = '') => p(`  ${pad(head(), 19)}${pad(impl, 27)}${lpad(fmtMs(r?.ms), 9)}${lpad(r?.n ?? '', 4)}${lpad(r && base ? fmtX(r.ms / base.ms) : '—', 9)}${lpad(luma ?? '', 9)}  ${r?.value == null ? '' : r.value.toFixed(6)}${tail}`);
    for (const c of kit) {
      if (!c.available) p(`  ${pad(head(), 19)}${pad(`ssimkit wasm ${c.threads}t`, 27)}${lpad('unavailable', 9)}`);
      else line(`ssimkit wasm ${c.threads}t`, kitRow(c.threads, size, kase));
    }
    for (const c of native) if (c.available && find(c.rows, size, kase)) line(`native ${c.threads}t`, nativeRow(c.threads, size, kase));
    const peerCase = kase === 'ssim' ? 'ssim' : kase === 'msssim' ? 'msssim' : null;
    if (peerCase) {
      const luma = kitRow(1, size, `${peerCase}-luma`);
      for (const r of peers.filter((x) => x.size === size && x.case === peerCase)) line(r.impl, r, luma ? fmtX(r.ms / luma.ms) : '—');
      // Python peers compare R, G, B as ssimkit does: no 'x luma'; |d| = |value - ssimkit 1t's|.
      for (const r of python?.rows.filter((x) => x.size === size && x.case === peerCase) ?? []) line(`${r.impl} (py)`, r, '', `  |d| ${fmtDiff(r.absDiff)}`);
      if (python?.unavailable) p(`  ${pad(head(), 19)}${pad('python peers', 27)}${lpad('unavailable', 9)}  ${python.unavailable}`);
    }
  }
}
if (peers.length) {
  p();
  p('What each peer computes (ssimkit compares R, G, B separately at full resolution, Gaussian 11/1.5, valid windows, float64 statistics):');
  for (const r of peers.filter((x) => x.size === sizeName(sizes[0]))) p(`  ${pad(r.impl, 26)}${r.computes}`);
}
if (python?.rows.length) {
  p();
  p(`Python peers (${relative(root, resolve(python.venv.python, '..', '..'))}; ${Object.entries(python.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}; threads: torch ${python.threads?.torch}, cv2 ${python.threads?.cv2}; the same RGBA bytes, as a uint8 RGB array made outside the timings):`);
  for (const impl of new Set(python.rows.map((r) => r.impl))) p(`  ${pad(`${impl} (py)`, 38)}${python.rows.find((r) => r.impl === impl).computes}`);
}

p();
p('Losses: loss alone vs loss + gradient (1 x h x w x 3 float batch in [0, 1]; prediction = distorted, target = reference)');
p(`  ${pad('size', 11)}${pad('loss', 14)}${pad('implementation', 18)}${lpad('loss ms', 9)}${lpad('+grad ms', 10)}${lpad('ratio', 8)}`);
for (const s of sizes) {
  const size = sizeName(s);
  for (const l of LOSSES) {
    const rows = [...kit.filter((c) => c.available).map((c) => [`ssimkit wasm ${c.threads}t`, kitRow(c.threads, size, l), kitRow(c.threads, size, `${l}+grad`)]),
      ...native.filter((c) => c.available).map((c) => [`native ${c.threads}t`, nativeRow(c.threads, size, l), nativeRow(c.threads, size, `${l}+grad`)])];
    for (const [impl, a, b] of rows) p(`  ${pad(size, 11)}${pad(l, 14)}${pad(impl, 18)}${lpad(fmtMs(a?.ms), 9)}${lpad(fmtMs(b?.ms), 10)}${lpad(a && b ? fmtX(b.ms / a.ms) : '—', 8)}`);
  }
}

if (lossBatch.batch || python) {
  p();
  if (lossBatch.batch) {
    p(`Loss batch: ${lossBatch.batch.description} (sha256/16 ${lossBatch.batch.sha256_16})`);
    for (const l of batchLines(python?.rows ?? [], lossBatch.kit, BATCH_SHAPE)) p(l);
  }
  for (const e of lossBatch.errors) p(`  loss batch: error — ${e}`);
  if (python?.unavailable) p(`  python peers: unavailable — ${python.unavailable}`);
  for (const e of python?.errors.filter((e) => !lossBatch.errors.includes(e)) ?? []) p(`  python peers: error — ${e}`);
}

// SSIM's native kernel against its arithmetic bound (bench/bound.mjs).
const SSIM_KERNEL = native1?.kernels?.ssim ?? { n: 11, signals: 4, centred: false, filter: 'f64', row: 'f64' };
let nsPerSample = null;
{
  const r = nativeRow(1, REF, 'ssim');
  const [w, h] = REF.split('x').map(Number);
  const [ow, oh] = [w - SSIM_KERNEL.n + 1, h - SSIM_KERNEL.n + 1];
  p();
  p(`Native SSIM kernel against its arithmetic bound, ${REF} RGB, 1 thread (${describeKernel(SSIM_KERNEL)}):`);
  if (!r || !peak || peak.error) p(`  not measured: ${!r ? nativeNote ?? 'no native row' : peak?.error ?? 'no peak measurement'}`);
  else {
    const b = boundNs(SSIM_KERNEL, peak, ow);
    nsPerSample = { ns: (r.ms * 1e6) / (ow * oh * 3), bound: b.ns };
    p(`  measured ${nsPerSample.ns.toFixed(2)} ns per output sample (${fmtMs(r.ms)} ms / ${ow}x${oh}x3); bound ${b.ns.toFixed(2)} ns = ${b.parts.map((x) => `${x.ops.toFixed(1)} ${x.precision}`).join(' + ')} lane ops`);
    p(`  over the peaks measured in this run: ${peak.f64.toFixed(1)} f64 and ${peak.f32.toFixed(1)} f32 lane ops per ns (crate/examples/peak_flops.rs); measured / bound = ${fmtX(nsPerSample.ns / b.ns)}`);
  }
}

p();
p('Memory per ssimkit configuration (fresh process per size; wasm memory never shrinks, so "after SSIM" is the SSIM peak and "max" is the peak over every case):');
p(`  ${pad('config', 9)}${pad('size', 11)}${lpad('wasm after SSIM', 16)}${lpad('wasm max', 12)}${lpad('RSS after SSIM', 16)}${lpad('max RSS', 12)}`);
for (const c of kit.filter((c) => c.available)) {
  for (const m of c.memory) p(`  ${pad(`${c.threads}t`, 9)}${pad(m.size, 11)}${lpad(MB(m.wasmAfterSsim), 16)}${lpad(MB(m.wasmMax), 12)}${lpad(MB(m.rssAfterSsim), 16)}${lpad(MB(m.maxRss), 12)}`);
}
p('  (for scale: the two RGBA inputs are 2*w*h*4 bytes, 63.3 MiB at 4K, in the JS heap; they count in wasm memory only if the API copies them in whole)');

if (decoding) {
  p();
  p(`Decoding inputs: ${DECODE_DESCRIPTION}`);
  p(`  (sha256/16: ${Object.entries(decodeFiles).map(([k, v]) => `${k} ${v.sha256_16}`).join(', ')})`);
  const report = decodeReport(decoding);
  for (const l of report.lines) p(l);
  decoding.targets = report.targets;
}

p();
p(`init(): median of ${INIT_PROCESSES} fresh node processes (await init() only; import of the package measured apart)`);
for (const c of kit) {
  p(c.available
    ? `  ${pad(`${c.threads}t`, 5)} init ${lpad(fmtMs(c.init.medianMs), 6)} ms   (runs: ${c.init.runsMs.map((x) => x.toFixed(1)).join(', ')}; import ${fmtMs(c.init.importMedianMs)} ms)` +
      (c.init.settledMedianMs === undefined ? `  init({ threads: ${c.threads} })` : `  plain init(); its pool running after ${fmtMs(c.init.settledMedianMs)} ms`)
    : `  ${pad(`${c.threads}t`, 5)} unavailable`);
}
p();
p('.wasm files (dist/wasm/*/): raw and brotli (node:zlib, quality 11)');
for (const w of wasm) p(`  ${pad(w.file, 36)}${lpad(w.bytes, 9)} B  ${lpad((w.brotli / 1024).toFixed(1), 7)} KiB brotli  (${(w.bytes / 1024).toFixed(1)} KiB raw)`);

// ---- targets --------------------------------------------------------------
const targets = [];
const target = (name, measured, goal, ok, note = '') => targets.push({ name, measured, goal, status: ok == null ? 'N/A' : ok ? 'MET' : 'MISSED', note });
const ratio = (a, b) => (a && b ? a.ms / b.ms : null);
for (const c of kit) {
  const peer = peerRow("ssim.js 'fast' full-res", REF), mine = c.available ? kitRow(c.threads, REF, 'ssim') : null;
  const x = ratio(peer, mine);
  target(`SSIM ${REF} RGB: ssim.js 'fast' full-res / ssimkit ${c.threads}t`, x == null ? 'n/a' : fmtX(x), '>= 150x', x == null ? null : x >= 150,
    c.available ? (peer ? '' : 'peers not run') : 'configuration unavailable');
}
for (const c of kit) {
  const peer = peerRow('@blazediff/ssim msssim', REF), mine = c.available ? kitRow(c.threads, REF, 'msssim') : null;
  const x = ratio(peer, mine);
  target(`MS-SSIM ${REF}: @blazediff/ssim msssim / ssimkit ${c.threads}t (RGB)`, x == null ? 'n/a' : fmtX(x), '>= 100x', x == null ? null : x >= 100,
    c.available ? (peer ? '' : 'peers not run') : 'configuration unavailable');
}
{
  const x = ratio(kitRow(1, REF, 'ssim'), nativeRow(1, REF, 'ssim'));
  let worst = null;
  for (const [kase] of CASES) {
    const y = ratio(kitRow(1, REF, kase), nativeRow(1, REF, kase));
    if (y != null && (!worst || y > worst[1])) worst = [kase, y];
  }
  target(`single-thread wasm / native, SSIM ${REF}`, x == null ? 'n/a' : fmtX(x), '<= 1.6x', x == null ? null : x <= 1.6,
    x == null ? (nativeNote ?? 'native unavailable') : worst ? `worst case ${worst[0]} ${fmtX(worst[1])}` : '');
}
{
  const two = kit.find((c) => c.threads === 2);
  const x = two?.available ? ratio(kitRow(1, REF, 'ssim'), kitRow(2, REF, 'ssim')) : null;
  target(`2 threads vs 1 thread (speed-up), SSIM ${REF}`, x == null ? 'unavailable' : fmtX(x), '>= 1.7x', x == null ? null : x >= 1.7,
    two ? (two.available ? '' : two.reason) : `this host has ${cpus} CPU`);
}
for (const l of LOSSES) {
  const x = ratio(kitRow(1, REF, `${l}+grad`), kitRow(1, REF, l));
  target(`${l} +grad / loss, ${REF}, 1t`, x == null ? 'n/a' : fmtX(x), '<= 3x', x == null ? null : x <= 3);
}
{
  const x = ratio(kitRow(1, REF, 'lwssim'), kitRow(1, REF, 'ssim'));
  target(`LWSSIM / SSIM, ${REF}, 1t`, x == null ? 'n/a' : fmtX(x), '<= 1.5x', x == null ? null : x <= 1.5);
}
// Issue 12's own targets (besides the Python peers').
{
  const peer = peerRow("ssim.js 'fast' full-res", REF), mine = kitRow(1, REF, 'ssim-luma');
  const x = ratio(peer, mine);
  target(`SSIM ${REF} luma: ssim.js 'fast' full-res / ssimkit 1t luma (issue 12)`, x == null ? 'n/a' : fmtX(x), '>= 50x', x == null ? null : x >= 50,
    peer ? '' : 'peers not run');
}
target(`native SSIM ns per output sample / arithmetic bound, ${REF} (issue 12)`, nsPerSample ? fmtX(nsPerSample.ns / nsPerSample.bound) : 'n/a', '<= 1.5x',
  nsPerSample ? nsPerSample.ns / nsPerSample.bound <= 1.5 : null, nsPerSample ? `${nsPerSample.ns.toFixed(2)} ns vs ${nsPerSample.bound.toFixed(2)} ns` : 'native or peak not measured');
{
  const two = kit.find((c) => c.threads === 2);
  const why = two ? (two.available ? '' : two.reason) : `this host has ${cpus} CPU`;
  const batch = BATCH_SHAPE.join('x');
  for (const [label, get] of [['SSIM', (t) => kitRow(t, REF, 'ssim')], ['MS-SSIM', (t) => kitRow(t, REF, 'msssim')], ['LWSSIM', (t) => kitRow(t, REF, 'lwssim')],
    [`ssimLoss+grad [${BATCH_SHAPE.join(',')}]`, (t) => kitBatchRow(t, batch, 'ssimLoss-batch+grad')]]) {
    const x = two?.available ? ratio(get(1), get(2)) : null;
    target(`2 threads vs 1 thread, ${label}${label.startsWith('ssimLoss') ? '' : ` ${REF}`} (issue 12)`, x == null ? 'n/a' : fmtX(x), '>= 1.8x', x == null ? null : x >= 1.8, why);
  }
}
{
  const x = ratio(kitRow(1, REF, 'lwssimLoss+grad'), kitRow(1, REF, 'lwssimLoss'));
  target(`lwssimLoss +grad / loss, ${REF}, 1t (issue 12)`, x == null ? 'n/a' : fmtX(x), '<= 2.5x', x == null ? null : x <= 2.5);
}
if (python) targets.push(...pythonTargets(python.rows, (t, size, kase) => kitRow(t, size, kase) ?? kitBatchRow(t, size, kase), REF, BATCH_SHAPE, python.unavailable ?? null));
for (const t of decoding?.targets ?? []) targets.push(t);
for (const w of wasm) target(`.wasm brotli ${w.file}`, `${(w.brotli / 1024).toFixed(1)} KiB`, '<= 150 KiB', w.brotli <= 150 * 1024);
// Issue 9 (decoders inside): 250 KB per build, read as 250,000 bytes.
for (const w of wasm) target(`.wasm brotli ${w.file} (issue 9)`, `${(w.brotli / 1000).toFixed(1)} KB`, '<= 250 KB', w.brotli <= 250_000);
for (const c of kit) {
  target(`init() in a fresh process, ${c.threads}t (median of ${INIT_PROCESSES})`, c.available ? `${fmtMs(c.init.medianMs)} ms` : 'unavailable', '<= 30 ms',
    c.available ? c.init.medianMs <= 30 : null, c.available ? '' : c.reason);
}
for (const c of kit) {
  const m = c.memory?.find((x) => x.size === BIG);
  target(`4K RGBA SSIM peak wasm memory, ${c.threads}t`, m?.wasmAfterSsim != null ? MB(m.wasmAfterSsim) : 'not measured', '<= 64 MiB',
    m?.wasmAfterSsim != null ? m.wasmAfterSsim <= 64 * 2 ** 20 : null,
    !c.available ? c.reason : m ? '' : `${BIG} not in this run${quick ? ' (--quick)' : ''}`);
}
p();
p(`Targets (ratios at ${REF}${REF !== '1920x1080' ? ', the largest size of this run, not the 1080p of the goals' : ''}; a missed target does not fail the run)`);
p(`  ${pad('target', 76)}${lpad('measured', 14)}  ${pad('goal', 11)}${pad('status', 8)}note`);
for (const t of targets) p(`  ${pad(t.name, 76)}${lpad(t.measured, 14)}  ${pad(t.goal, 11)}${pad(t.status, 8)}${t.note}`);
const seconds = (performance.now() - started) / 1000;
p();
p(`total ${seconds.toFixed(0)} s`);

console.log(out.join('\n'));
writeFileSync(join(here, 'results.json'), `${JSON.stringify({
  date: new Date().toISOString(), commit, dirty, distBuilt: new Date(builtAt).toISOString(), distStale: stale, distRebuiltDuringRun: rebuilt, node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus, cpuModel, quick,
  sizes: sizes.map(sizeName), inputs: { description: DESCRIPTION, sha256_16: digests },
  ssimkit: kit, native, nativeNote, peak, nsPerSample, lossBatch, peers, ...(python ? { python } : {}), decoding, decodeFiles, wasm, targets, seconds, table: out.join('\n'),
}, null, 2)}\n`);
log(`[bench] wrote bench/results.json (${seconds.toFixed(0)} s)`);
