#!/usr/bin/env node
// The `ssimkit` command: scores two image files, or every pair of same-named
// files in two folders, with the package's own API (imported by its name so
// an install runs exactly what users import). Output as a table, JSON or
// CSV; --threshold turns it into a CI gate (exit 1 below it).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { init } from 'ssimkit';
import { progressBar } from './progress.js';
import { FileError, msssimMinSide, scorePair, UsageError } from './score.js';
import { runParallel } from './workers.js';

const METRICS = ['ssim', 'msssim', 'dssim', 'lwssim'];
const LABEL = { ssim: 'SSIM', msssim: 'MS-SSIM', dssim: 'DSSIM', lwssim: 'LWSSIM' };
const IMAGE_EXT = /\.(png|jpe?g|webp)$/i;

const HELP = `Usage: ssimkit [options] REF IMG
       ssimkit [options] REF_DIR IMG_DIR

Scores IMG against the reference REF (PNG, JPEG or WebP files), or every
pair of images with the same relative path in two folders (recursively).

Examples:
  ssimkit ref.png out.jpg
  ssimkit ref.png out.jpg --metric ssim,dssim --json
  ssimkit expected/ actual/ --csv > scores.csv
  ssimkit expected/ actual/ --threshold 0.98               # exit 1 if an SSIM < 0.98
  ssimkit ref.png out.png --metric dssim --threshold 0.01  # exit 1 if DSSIM > 0.01
  ssimkit ref.png out.png --preset skimage --color luma
  ssimkit ref.png out.jpg --map heatmap.png                # where they differ
  ssimkit expected/ actual/ --map-dir heatmaps/ --jobs 4

Output:
  --metric LIST         ssim,msssim,dssim,lwssim (default: all four)
  --json                one JSON document on stdout (an array for folders)
  --csv                 CSV with a header row
  --threshold X         exit 1 if any pair scores below X with --metric's first
                        metric (above X for dssim); an unavailable score fails
Options of the API (each metric takes those it has):
  --preset NAME         matlab | skimage                  (ssim, dssim)
  --window NAME         gaussian | box                    (all)
  --size N              odd window side                   (ssim, dssim, msssim)
  --sigma X             Gaussian sigma                    (all)
  --border NAME         valid | same                      (ssim, dssim, lwssim)
  --covariance NAME     population | sample               (ssim, dssim)
  --scales N|auto       MS-SSIM scales, 1 to 5            (msssim)
  --levels LIST         LWSSIM window sides, e.g. 3,5,7   (lwssim)
  --color NAME          rgb | luma                        (all)
  --include-alpha       compare the alpha channel too     (all)
  --data-range L        the data range L                  (all)
  --k1 X, --k2 X        the constants K1, K2              (all)
  --max-pixels N        largest file to decode, in pixels
Heatmaps (of the SSIM map, SSIM's options; PNG as large as the image):
  --map FILE.png        for two files
  --map-dir DIR         for two folders: DIR/<relative path>, as .png
  --map-min X           the SSIM drawn darkest (default 0)
                        Colours: dark purple (SSIM <= --map-min) through red
                        and orange to light yellow (SSIM 1, identical), even
                        steps of lightness; the frame a 'valid' map does not
                        reach (size/2 px) is transparent.
Folders:
  -j, --jobs N          pairs scored at once, each on its own thread
                        (default: the CPU count, at most 8)
Other:
  -h, --help            this help
  -v, --version         the version

Exit status: 0 scored (and passed --threshold), 1 below the threshold,
2 usage or file errors (a one-line message on stderr; in a folder run the
other pairs are still scored and printed, and a pair whose sizes differ is
such an error). Files found in only one folder
are listed on stderr and do not change the status.`;

const fail = (message) => {
  throw new UsageError(message);
};

function parse(argv) {
  const flags = {
    metric: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' },
    threshold: { type: 'string' }, preset: { type: 'string' }, window: { type: 'string' },
    size: { type: 'string' }, sigma: { type: 'string' }, color: { type: 'string' },
    border: { type: 'string' }, k1: { type: 'string' }, k2: { type: 'string' },
    covariance: { type: 'string' }, 'include-alpha': { type: 'boolean' },
    'data-range': { type: 'string' }, scales: { type: 'string' }, levels: { type: 'string' },
    'max-pixels': { type: 'string' }, map: { type: 'string' }, 'map-dir': { type: 'string' },
    'map-min': { type: 'string' }, jobs: { type: 'string', short: 'j' },
    help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' },
  };
  try {
    return parseArgs({ args: argv, options: flags, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs's messages run over several lines; the status line is one.
    return fail(`${String(e.message).split('\n')[0]} (see --help)`);
  }
}

/** A flag's number; the API checks its domain. */
function num(values, flag) {
  const v = values[flag];
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || Number.isNaN(x)) fail(`--${flag} needs a number, got '${v}'`);
  return x;
}

/** The options each metric takes, from the flags given. */
function metricOptions(values) {
  const common = { k1: num(values, 'k1'), k2: num(values, 'k2'), dataRange: num(values, 'data-range'), color: values.color };
  if (values['include-alpha']) common.includeAlpha = true;
  const window = values.window;
  const sigma = num(values, 'sigma');
  const size = num(values, 'size');
  const scales = values.scales === 'auto' ? 'auto' : num(values, 'scales');
  const levels = values.levels?.split(',').map((s) => {
    const x = Number(s);
    if (s.trim() === '' || Number.isNaN(x)) fail(`--levels needs numbers separated by commas, got '${values.levels}'`);
    return x;
  });
  const ssimLike = { ...common, preset: values.preset, window, size, sigma, border: values.border, covariance: values.covariance };
  const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    ssim: clean(ssimLike),
    dssim: clean(ssimLike),
    msssim: clean({ ...common, window, size, sigma, scales }),
    lwssim: clean({ ...common, window, sigma, border: values.border, levels }),
  };
}

function chosenMetrics(values) {
  if (values.metric === undefined) return METRICS;
  const list = values.metric.split(',').map((s) => s.trim().toLowerCase());
  for (const m of list) if (!METRICS.includes(m)) fail(`--metric: unknown metric '${m}' (ssim, msssim, dssim, lwssim)`);
  if (new Set(list).size !== list.length) fail(`--metric lists a metric twice: '${values.metric}'`);
  return list;
}

/** Every image file under dir, as paths relative to it, sorted. */
function listImages(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && IMAGE_EXT.test(e.name)) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

function kind(path) {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch (e) {
    return fail(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file or folder' : e.message}`);
  }
}

const fmt = (v) => (v === null ? 'n/a' : v.toFixed(6));

function csvField(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function toCsv(rows, metrics) {
  const cols = ['ref', 'img', 'width', 'height', ...metrics];
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvField(r[c])).join(','))].join('\n') + '\n';
}

function table(head, lines) {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), ...lines.map(line)].join('\n') + '\n';
}

/** Whether a pair passes the gate on its first metric. */
function passes(row, metric, threshold) {
  const v = row[metric];
  if (v === null || v === undefined) return false;
  return metric === 'dssim' ? v <= threshold : v >= threshold;
}

/** Where each pair's heatmap goes under dir: its relative path with the
 *  extension made .png; a name two pairs would share (a.jpg and a.png)
 *  keeps its extension too (a.jpg.png). */
function mapPaths(dir, rels) {
  const plain = rels.map((rel) => rel.slice(0, rel.length - extname(rel).length));
  const count = new Map();
  for (const p of plain) count.set(p, (count.get(p) ?? 0) + 1);
  return rels.map((rel, k) => join(dir, `${count.get(plain[k]) > 1 ? rel : plain[k]}.png`));
}

/**
 * Every pair's outcome, in order: on `jobs` workers in parallel (each with
 * its own module on one thread), or, for one job, here, each call on the
 * thread pool. A bar on stderr when it is a terminal.
 */
async function scoreAll(pairs, job, jobs) {
  const bar = process.stderr.isTTY ? progressBar(process.stderr, pairs.length) : undefined;
  const outcomes = new Array(pairs.length);
  let done = 0;
  // The count done and the pair that finished last (in parallel, the order varies).
  bar?.update(0, '');
  const record = (k, outcome) => {
    outcomes[k] = outcome;
    bar?.update(++done, pairs[k].label);
  };
  try {
    if (jobs > 1 && pairs.length > 1) {
      await runParallel(pairs, job, jobs, record);
    } else {
      await init();
      for (const [k, p] of pairs.entries()) {
        try {
          record(k, scorePair(p.ref, p.img, { ...job, mapPath: p.mapPath }));
        } catch (e) {
          if (!(e instanceof FileError)) throw e;
          record(k, { error: e });
        }
      }
    }
  } finally {
    bar?.done();
  }
  return outcomes;
}

async function main(argv) {
  const { values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (positionals.length !== 2) fail(`expected two files or two folders, got ${positionals.length} argument(s) (see --help)`);
  if (values.json && values.csv) fail('--json and --csv cannot be combined');
  const metrics = chosenMetrics(values);
  const threshold = num(values, 'threshold');
  const opts = metricOptions(values);
  const maxPixels = num(values, 'max-pixels');
  // Checked here so that a bad value is one usage error, not one per file.
  if (maxPixels !== undefined && !(Number.isInteger(maxPixels) && maxPixels >= 1 && maxPixels <= 2 ** 26)) {
    fail(`--max-pixels must be an integer from 1 to ${2 ** 26}, got ${values['max-pixels']}`);
  }
  const mapMin = num(values, 'map-min') ?? 0;
  if (!(mapMin < 1)) fail(`--map-min must be below 1, got ${values['map-min']}`);
  const jobs = num(values, 'jobs') ?? Math.min(8, availableParallelism());
  if (!(Number.isInteger(jobs) && jobs >= 1 && jobs <= 64)) fail(`--jobs must be an integer from 1 to 64, got ${values.jobs}`);
  const [refArg, imgArg] = positionals;
  const kinds = [kind(refArg), kind(imgArg)];
  if (kinds[0] !== kinds[1]) fail(`${refArg} is a ${kinds[0] === 'dir' ? 'folder' : 'file'} but ${imgArg} is not: give two files or two folders`);
  if (kinds[0] === 'file' && values['map-dir'] !== undefined) fail('--map-dir is for two folders; for two files use --map FILE.png');
  if (kinds[0] === 'dir' && values.map !== undefined) fail('--map is for two files; for two folders use --map-dir DIR');
  const job = { metrics, opts, maxPixels, mapMin };
  const gate = metrics[0];
  let failed = [];
  let status;

  if (kinds[0] === 'file') {
    await init();
    const { row, notes } = scorePair(refArg, imgArg, { ...job, mapPath: values.map });
    if (values.json) process.stdout.write(`${JSON.stringify(row)}\n`);
    else if (values.csv) process.stdout.write(toCsv([row], metrics));
    else {
      const lines = [['reference', refArg], ['image', imgArg], ['size', `${row.width}x${row.height}`],
        ...metrics.map((m) => [LABEL[m], notes[m] ?? fmt(row[m])])];
      if (values.map !== undefined) lines.push(['heatmap', values.map]);
      process.stdout.write(lines.map(([k, v]) => `${k.padEnd(10)} ${v}`).join('\n') + '\n');
    }
    if (threshold !== undefined && !passes(row, gate, threshold)) failed = [row];
  } else {
    const refs = listImages(refArg);
    const imgs = listImages(imgArg);
    const imgSet = new Set(imgs);
    const refSet = new Set(refs);
    // Listed once the pairs are scored: a bad option ends the run with its one line.
    const unpaired = [...refs.filter((r) => !imgSet.has(r)).map((r) => `only in ${refArg}: ${r}`),
      ...imgs.filter((i) => !refSet.has(i)).map((i) => `only in ${imgArg}: ${i}`)];
    const rels = refs.filter((r) => imgSet.has(r));
    if (rels.length === 0) fail(`no images with the same relative path in ${refArg} and ${imgArg}`);
    const maps = values['map-dir'] === undefined ? [] : mapPaths(values['map-dir'], rels);
    const pairs = rels.map((rel, k) => ({ ref: join(refArg, rel), img: join(imgArg, rel), mapPath: maps[k], label: rel.split(sep).join('/') }));
    const outcomes = await scoreAll(pairs, job, jobs);
    for (const m of unpaired) process.stderr.write(`ssimkit: ${m}\n`);
    const rows = [];
    const scored = [];
    for (const [k, o] of outcomes.entries()) {
      if (o.error) {
        process.stderr.write(`ssimkit: ${o.error.message}\n`);
        status = 2;
      } else {
        rows.push(o.row);
        scored.push(rels[k]);
      }
    }
    if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
    else if (values.csv) process.stdout.write(toCsv(rows, metrics));
    else {
      const head = ['file', 'size', ...metrics.map((m) => LABEL[m])];
      const lines = rows.map((r, k) => [scored[k].split(sep).join('/'), `${r.width}x${r.height}`, ...metrics.map((m) => (r[m] === null ? 'n/a' : fmt(r[m])))]);
      process.stdout.write(table(head, lines));
      if (rows.some((r) => r.msssim === null)) process.stdout.write(`MS-SSIM n/a: image smaller than ${msssimMinSide(opts.msssim)} px\n`);
      if (values['map-dir'] !== undefined) process.stdout.write(`heatmaps: ${values['map-dir']}\n`);
    }
    if (threshold !== undefined) failed = rows.filter((r) => !passes(r, gate, threshold));
  }

  for (const r of failed) {
    const v = r[gate];
    const why = v === null ? 'unavailable' : `${v} ${gate === 'dssim' ? '>' : '<'} ${threshold}`;
    process.stderr.write(`ssimkit: ${r.img}: ${LABEL[gate]} ${why}\n`);
  }
  return status ?? (failed.length > 0 ? 1 : 0);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  const message = e instanceof UsageError ? e.message : `${e?.message ?? e}`;
  process.stderr.write(`ssimkit: ${message.split('\n')[0]}\n`);
  process.exitCode = 2;
}
