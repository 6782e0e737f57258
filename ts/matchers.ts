// toBeSimilarTo: a test-runner assertion for visual regression tests,
// written against the matcher protocol vitest and Jest share (`this.isNot`,
// `this.testPath`, `this.currentTestName`, `this.utils`; it returns
// `{ pass, message }`), so one function serves both. Node only: it reads
// reference files and writes the heatmap of a failure beside the test.
// The scores are the API's (api.ts); this file only routes inputs and
// options and words the verdict.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { dssim, lwssim, msssim, ssim } from './api.js';
import { isReady } from './backend.js';
import { decodeFile, fileBytes, isFile, maxPixelsOption } from './decode.js';
import { encodePng } from './encode.js';
import { heatmap } from './heatmap.js';
import { LWSSIM_KEYS_LIST, MSSSIM_KEYS_LIST, SSIM_KEYS_LIST } from './options.js';
import type { Image, ImageInput, LwssimOptions, MsssimOptions, SsimOptions } from './types.js';
import { checkImage, checkPair, describe, inRange, type Options, readImage, readOptions } from './validate.js';

const FN = 'toBeSimilarTo';

/** What the matcher compares: an image, a PNG/JPEG/WebP file's bytes, or a file's path. */
export type SimilarImage = ImageInput | string;

/**
 * Thresholds and the metrics' options. With no threshold given, `ssim: 0.99`.
 * Every other option goes to each metric that takes it (`color: 'luma'`
 * to all of them; `levels` to LWSSIM; `preset` to SSIM and DSSIM), and to
 * the SSIM behind the heatmap.
 */
export interface ToBeSimilarToOptions
  extends Omit<SsimOptions, 'map' | 'window' | 'sigma'>, Pick<MsssimOptions, 'scales'>,
  Pick<LwssimOptions, 'levels' | 'alpha' | 'beta' | 'gamma'> {
  /** Least SSIM that passes (in [-1, 1]). */
  ssim?: number;
  /** Least MS-SSIM that passes (in [0, 1]). */
  msssim?: number;
  /** Most DSSIM, (1 - SSIM) / 2, that passes (in [0, 1]). */
  dssim?: number;
  /** Least LWSSIM that passes (2 for identical images with the default weights). */
  lwssim?: number;
  /** Window of every metric: 'gaussian' (SSIM's and MS-SSIM's default) or 'box' (LWSSIM's). */
  window?: 'gaussian' | 'box';
  sigma?: number;
  /** Per-scale weights of MS-SSIM, or per-level weights of LWSSIM (not both thresholds at once). */
  weights?: number[];
  /**
   * Where a failure's heatmap goes: a .png path (relative to the test
   * file's folder), or false for none. Default
   * `<test file's folder>/__ssimkit__/<test file name>/<test name>.png`.
   */
  heatmap?: string | false;
}

/** The part of vitest's and Jest's matcher context this matcher reads. */
export interface MatcherContext {
  isNot?: boolean;
  testPath?: string;
  currentTestName?: string;
  utils?: { matcherHint?: (name: string, received?: string, expected?: string, options?: { isNot?: boolean }) => string };
}

export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

type Metric = 'ssim' | 'msssim' | 'dssim' | 'lwssim';
const METRICS: readonly Metric[] = ['ssim', 'msssim', 'dssim', 'lwssim'];
const NAMES: Record<Metric, string> = { ssim: 'SSIM', msssim: 'MS-SSIM', dssim: 'DSSIM', lwssim: 'LWSSIM' };
// The matcher asks for the map itself, and only on failure.
const SSIM_KEYS = SSIM_KEYS_LIST.filter((k) => k !== 'map');
const TAKES: Record<Metric, readonly string[]> = { ssim: SSIM_KEYS, dssim: SSIM_KEYS, msssim: MSSSIM_KEYS_LIST, lwssim: LWSSIM_KEYS_LIST };
// LWSSIM's range scales with its weights: any finite number.
const RANGES: Record<Exclude<Metric, 'lwssim'>, [number, number]> = { ssim: [-1, 1], msssim: [0, 1], dssim: [0, 1] };
const KNOWN = [...new Set([...METRICS, 'heatmap', ...SSIM_KEYS, ...MSSSIM_KEYS_LIST, ...LWSSIM_KEYS_LIST])];

const NOT_READY = `${FN}: ssimkit is not initialised: add 'ssimkit/vitest' to vitest's setupFiles `
  + "(test: { setupFiles: ['ssimkit/vitest'] }) or 'ssimkit/jest' to Jest's setupFilesAfterEnv "
  + "(setupFilesAfterEnv: ['ssimkit/jest']), or call `await init()` in a beforeAll";

interface Plan {
  thresholds: [Metric, number][];
  /** Options per metric computed, and for the heatmap's SSIM. */
  per: Map<Metric, Options>;
  heatmap: string | false | undefined;
  maxPixels: number;
}

function plan(options: unknown): Plan {
  const o = readOptions(FN, options, KNOWN);
  const thresholds: [Metric, number][] = [];
  for (const m of METRICS) {
    if (o[m] === undefined) continue;
    if (typeof o[m] !== 'number') throw new TypeError(`${FN}: ${m} (a threshold) must be a number, got ${describe(o[m])}`);
    if (m === 'lwssim' && !Number.isFinite(o[m])) throw new RangeError(`${FN}: lwssim must be a finite number, got ${o[m]}`);
    thresholds.push([m, m === 'lwssim' ? o[m] as number : inRange(FN, m, o[m], RANGES[m as Exclude<Metric, 'lwssim'>])]);
  }
  if (thresholds.length === 0) thresholds.push(['ssim', 0.99]);
  const h = o.heatmap;
  if (h !== undefined && h !== false && (typeof h !== 'string' || h === '')) {
    throw new TypeError(`${FN}: heatmap must be a file path (a non-empty string) or false, got ${describe(h)}`);
  }
  const computed = thresholds.map(([m]) => m);
  // The heatmap's SSIM takes SSIM's options too.
  const users = h === false ? computed : [...new Set<Metric>([...computed, 'ssim'])];
  if (o.weights !== undefined && computed.includes('msssim') && computed.includes('lwssim')) {
    throw new RangeError(`${FN}: weights would apply to both MS-SSIM's scales and LWSSIM's levels; give one of the msssim and lwssim thresholds per assertion`);
  }
  const per = new Map<Metric, Options>(users.map((m) => [m, Object.create(null) as Options]));
  for (const k of Object.keys(o)) {
    if ((METRICS as readonly string[]).includes(k) || k === 'heatmap') continue;
    const takers = users.filter((m) => TAKES[m].includes(k));
    if (takers.length === 0) {
      const owners = METRICS.filter((m) => TAKES[m].includes(k)).map((m) => `${m === 'dssim' ? 'a' : 'an'} ${m} threshold`);
      throw new TypeError(`${FN}: option '${k}' applies to no metric this assertion computes; it needs ${owners.join(' or ')}`);
    }
    for (const m of takers) per.get(m)![k] = o[k];
  }
  return { thresholds, per, heatmap: h as Plan['heatmap'], maxPixels: maxPixelsOption(FN, o) };
}

/** The test file's folder: where relative paths start (the working directory outside a runner). */
function base(ctx: MatcherContext): string {
  return typeof ctx.testPath === 'string' && ctx.testPath !== '' ? dirname(ctx.testPath) : process.cwd();
}

/** One argument as a checked image: a path is read, bytes are decoded. */
function load(name: string, v: unknown, ctx: MatcherContext, maxPixels: number): Required<Image> {
  let bytes: Uint8Array | undefined;
  let label = name;
  if (typeof v === 'string') {
    if (v === '') throw new TypeError(`${FN}: ${name} is an empty string, not a file path`);
    const path = isAbsolute(v) ? v : resolve(base(ctx), v);
    try {
      bytes = readFileSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException)?.code;
      const where = isAbsolute(v) ? '' : ` (relative paths start at the test file's folder, ${base(ctx)})`;
      if (code === 'ENOENT') throw new Error(`${FN}: the ${name} file ${path} does not exist${where}`, { cause: e });
      throw new Error(`${FN}: the ${name} file ${path} cannot be read (${code ?? e})`, { cause: e });
    }
    label = `${name} (${path})`;
  } else if (isFile(v)) {
    bytes = fileBytes(FN, name, v);
  } else if (typeof v !== 'object' || v === null) {
    throw new TypeError(`${FN}: ${name} must be an image { data, width, height, channels? }, a PNG, JPEG or WebP file's bytes, or a file path, got ${describe(v)}`);
  }
  const raw = bytes === undefined ? readImage(FN, name, v) : decodeFile(FN, label, bytes, maxPixels);
  const c = checkImage(FN, name, raw);
  return { data: c.data, width: c.width, height: c.height, channels: c.channels };
}

/** Runs an API call; its argument errors keep their class and name this matcher first. */
function call<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TypeError) throw new TypeError(`${FN}: ${e.message}`, { cause: e });
    if (e instanceof RangeError) throw new RangeError(`${FN}: ${e.message}`, { cause: e });
    throw e;
  }
}

function score(m: Metric, ref: Image, img: Image, o: Options): number {
  switch (m) {
    case 'ssim': return call(() => ssim(ref, img, o)).score;
    case 'msssim': return call(() => msssim(ref, img, o)).score;
    case 'dssim': return call(() => dssim(ref, img, o));
    case 'lwssim': return call(() => lwssim(ref, img, o)).score;
  }
}

/** Six decimals, unless they round a value onto its threshold. */
function show(v: number, t: number): string {
  const s = v.toFixed(6);
  return Number(s) === t && v !== t ? String(v) : s;
}

/** A name usable as a file name on every OS. */
function safe(s: string): string {
  return s.replace(/[^\w.@=+, -]+/g, '-').replace(/\s+/g, ' ').replace(/^[\s.-]+|[\s.-]+$/g, '').slice(0, 120) || 'unnamed';
}

function heatmapPath(ctx: MatcherContext, given: string | undefined): string {
  if (given !== undefined) return isAbsolute(given) ? given : resolve(base(ctx), given);
  const file = typeof ctx.testPath === 'string' && ctx.testPath !== '' ? [safe(basename(ctx.testPath))] : [];
  return join(base(ctx), '__ssimkit__', ...file, `${safe(ctx.currentTestName ?? 'toBeSimilarTo')}.png`);
}

/** Writes the SSIM heatmap; says where, or why not (a failure is reported either way). */
function writeHeatmap(ctx: MatcherContext, ref: Image, img: Image, o: Options, given: string | undefined): string {
  const path = heatmapPath(ctx, given);
  try {
    const png = encodePng(heatmap(ssim(ref, img, { ...o, map: true })));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, png);
    return `Heatmap (SSIM map, dark where the images differ): ${path}`;
  } catch (e) {
    return `No heatmap written to ${path}: ${(e as Error)?.message ?? e}`;
  }
}

/**
 * Passes when `received` is at least as similar to `reference` as every
 * threshold asks (SSIM, MS-SSIM, LWSSIM at least theirs, DSSIM at most
 * its own; `ssim: 0.99` when none is given). Images or paths of differing
 * sizes do not pass. On failure (not under `.not`) the SSIM heatmap is
 * written as a PNG, by default to `__ssimkit__/<test file>/<test name>.png`
 * beside the test file, and the message names it. A reference file that
 * does not exist is an Error (under `.not` too); a bad argument or option
 * is the API's TypeError or RangeError.
 */
export function toBeSimilarTo(this: MatcherContext | undefined, received: unknown, reference: unknown, options?: ToBeSimilarToOptions): MatcherResult {
  const ctx: MatcherContext = this ?? {};
  if (!isReady()) throw new Error(NOT_READY);
  const p = plan(options);
  const ref = load('reference', reference, ctx, p.maxPixels);
  const img = load('received', received, ctx, p.maxPixels);
  const isNot = ctx.isNot === true;
  const hint = ctx.utils?.matcherHint?.(FN, 'received', 'reference', { isNot })
    ?? `expect(received)${isNot ? '.not' : ''}.${FN}(reference)`;

  if (ref.width !== img.width || ref.height !== img.height) {
    return {
      pass: false,
      message: () => `${hint}\n\nThe images differ in size: received is ${img.width}x${img.height}, reference ${ref.width}x${ref.height}`,
    };
  }
  // Floats against integers (the scale is the caller's to say), named as the matcher names them.
  checkPair(FN, ref, img, ['reference', 'received']);
  const rows = p.thresholds.map(([m, t]) => {
    const v = score(m, ref, img, p.per.get(m)!);
    const ok = m === 'dssim' ? v <= t : v >= t;
    const cmp = m === 'dssim' ? (ok ? '<=' : '>') : (ok ? '>=' : '<');
    return { ok, line: `  ${NAMES[m]} ${show(v, t)} ${cmp} ${t} (${m === 'dssim' ? 'maximum' : 'minimum'})${ok ? '' : ': fails'}` };
  });
  const pass = rows.every((r) => r.ok);
  // Only a failure of the plain form gets a heatmap: under .not, a pass is the failure and there is nothing to show.
  const where = !pass && !isNot && p.heatmap !== false
    ? writeHeatmap(ctx, ref, img, p.per.get('ssim')!, p.heatmap === undefined ? undefined : p.heatmap)
    : undefined;
  const verdict = pass ? 'received is as similar to reference as the thresholds ask, expected it not to be:' : 'received is not as similar to reference as the thresholds ask:';
  return {
    pass,
    message: () => [hint, '', verdict, ...rows.map((r) => r.line), ...(where ? [where] : [])].join('\n'),
  };
}
