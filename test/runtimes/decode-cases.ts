// The decode cases every runtime suite runs (test/shared/cases.mjs,
// runDecodeCases): a representative set of the decode fixtures, every format
// and kind, decoded in the runtime and compared with Node's decode bit for
// bit (a digest of the samples), metrics scored from files, and truncated
// files that must fail with Node's very message.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digest } from '../shared/cases.mjs';
import { ROOT } from './package.js';

const FIXTURES = join(ROOT, 'test/fixtures/decode');
const file = (name: string) => `decode/files/${name}`;

export interface DecodeList {
  files: { id: string; file: string }[];
  scores: { id: string; fn: string; a: string; b: string | { file: string; dtype: string; width: number; height: number; channels: number }; options?: object }[];
  broken: { id: string; file: string; keep: number }[];
}

/** Fixture ids (test/fixtures/decode/cases.json) decoded in every runtime. */
export const DECODE_IDS = [
  // PNG: gray at 1 and 8 bits, gray+alpha 16-bit, palettes (with tRNS, interlaced), 16-bit, interlaced RGBA, sharp's.
  'png-gray1-97x61', 'png-gray8-97x61-adam7', 'png-ga16-61x47', 'png-pal4-97x61', 'png-pal8-trns-97x61',
  'png-pal2-trns-97x61-adam7', 'png-rgb16-61x47', 'png-rgba16-61x47-adam7', 'png-rgb8-97x61', 'png-rgba8-97x61-adam7',
  'png-gray16-trns-61x47', 'sharp-png-palette-alpha-101x67', 'sharp-png-rgb16-101x67',
  // JPEG: baseline 4:4:4 / 4:2:2 / 4:2:0, gray, progressive (color and gray), restart intervals, odd sizes, mozjpeg, EXIF.
  'jpeg-444-q90-160x120', 'jpeg-422-q50-97x61', 'jpeg-420-q90-160x120', 'jpeg-420-q90-17x9', 'jpeg-gray-q90-160x120',
  'jpeg-prog420-q85-320x240', 'jpeg-proggray-q75-97x61', 'jpeg-rstblocks-420-q90-160x120', 'jpeg-rstprog-420-q80-97x61',
  'jpeg-rstrows-422-q80-97x61', 'sharp-jpeg-mozjpeg-q75-101x67', 'jpeg-exif6-420-q85-97x61',
  // WebP: lossy (simple and VP8X), lossless, alpha both ways, animated (the first frame).
  'webp-lossy-q80-160x120', 'webp-lossy-q80-97x61-vp8x', 'webp-lossless-160x120', 'webp-lossless-alpha-128x96-syn',
  'webp-lossy-alpha-q80-97x61', 'sharp-webp-lossy-alpha-q70-101x67', 'webp-animated-2frames-97x61',
  // Refused (CMYK): the same error everywhere.
  'jpeg-cmyk-q90-97x61',
];

interface FixtureCase { id: string; file: string; format: string; expect: { width: number; height: number; channels: number; bitDepth: number } }
export function decodeFixtureCases(): FixtureCase[] {
  return JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')).cases;
}

export function decodeList(): DecodeList {
  const all = new Map(decodeFixtureCases().map((c) => [c.id, c]));
  const pixels = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')).pixels;
  const source = pixels['src-rgb8-320x240'];
  const size = (name: string) => readFileSync(join(FIXTURES, 'files', name)).length;
  return {
    files: DECODE_IDS.map((id) => {
      const c = all.get(id);
      if (!c) throw new Error(`decode fixture ${id} is not in cases.json`);
      return { id, file: `decode/${c.file}` };
    }),
    scores: [
      { id: 'ssim jpeg 4:2:0 vs lossless webp', fn: 'ssim', a: file('jpeg-420-q90-160x120.jpg'), b: file('webp-lossless-160x120.webp') },
      { id: 'ssim map lossy webp vs progressive jpeg', fn: 'ssim', a: file('webp-lossy-q80-160x120.webp'), b: file('jpeg-prog444-q90-160x120.jpg'), options: { map: true } },
      { id: 'dssim png vs jpeg', fn: 'dssim', a: file('png-rgb8-97x61.png'), b: file('jpeg-444-q50-97x61.jpg') },
      { id: 'lwssim interlaced png vs lossy webp', fn: 'lwssim', a: file('png-rgb8-97x61-adam7.png'), b: file('webp-lossy-q50-97x61.webp') },
      { id: 'ssim 16-bit png vs its interlaced RGBA twin (alpha left out: 1)', fn: 'ssim', a: file('png-rgb16-61x47.png'), b: file('png-rgba16-61x47-adam7.png') },
      { id: 'msssim progressive jpeg vs its source', fn: 'msssim', a: file('jpeg-prog420-q85-320x240.jpg'), b: { ...source, file: `decode/${source.file}` } },
    ],
    broken: [
      { id: 'truncated png', file: file('png-rgb8-97x61.png'), keep: Math.floor(size('png-rgb8-97x61.png') / 2) },
      { id: 'truncated jpeg', file: file('jpeg-420-q90-160x120.jpg'), keep: Math.floor(size('jpeg-420-q90-160x120.jpg') / 2) },
      { id: 'truncated webp', file: file('webp-lossy-q80-160x120.webp'), keep: Math.floor(size('webp-lossy-q80-160x120.webp') / 2) },
    ],
  };
}

/** Every file a decode list reads, relative to test/fixtures. */
export function decodeListFiles(list: DecodeList): string[] {
  const scoreFiles = list.scores.flatMap((s) => [s.a, typeof s.b === 'string' ? s.b : s.b.file]);
  return [...new Set([...list.files.map((f) => f.file), ...scoreFiles, ...list.broken.map((b) => b.file)])];
}

export type DecodeResult = Record<string, unknown> & { id: string };

/**
 * Every difference between a runtime's decode results and Node's, as
 * readable lines; [] when they agree. Numbers compare as the same double
 * (Object.is), everything else by value.
 */
export function decodeDifferences(node: DecodeResult[] = [], other: DecodeResult[] = [], expectedCount: number): string[] {
  const out: string[] = [];
  if (node.length !== expectedCount) out.push(`node ran ${node.length} of ${expectedCount} decode cases`);
  if (other.length !== expectedCount) out.push(`runtime ran ${other.length} of ${expectedCount} decode cases`);
  for (let i = 0; i < Math.max(node.length, other.length); i++) {
    const a = node[i], b = other[i];
    if (!a || !b || a.id !== b.id) { out.push(`#${i}: case ${a?.id} vs ${b?.id}`); continue; }
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const [x, y] = [a[k], b[k]];
      const same = Array.isArray(x) && Array.isArray(y)
        ? x.length === y.length && x.every((v, j) => Object.is(v, y[j]))
        : Object.is(x, y);
      if (!same) out.push(`${a.id}: ${k} ${JSON.stringify(y)}, node ${JSON.stringify(x)}`);
    }
  }
  return out;
}

/** A copy with one sample digest changed: the comparison must notice. */
export function tamperedDecode(results: DecodeResult[]): DecodeResult[] {
  const copy = structuredClone(results);
  const r = copy.find((c) => typeof c.digest === 'string')!;
  r.digest = ((parseInt(r.digest as string, 16) ^ 1) >>> 0).toString(16).padStart(8, '0');
  return copy;
}

/** How many results runDecodeCases gives for a list. */
export const decodeCount = (list: DecodeList) => list.files.length + list.scores.length + list.broken.length;

/**
 * What Node's own decode must show before it can stand as the reference:
 * each file's header as the fixtures state it, the exact formats' samples
 * equal to the reference pixels (digest), every score a number, the CMYK
 * file and the truncated ones refused with a TypeError naming the function,
 * and the module decoding again after them. Lines; [] when all hold.
 */
export function nodeDecodeProblems(results: DecodeResult[]): string[] {
  const pixels = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')).pixels;
  const digestOf = (name: string) => digest(new Uint8Array(readFileSync(join(FIXTURES, pixels[name].file))));
  const out: string[] = [];
  const fixtures = new Map(decodeFixtureCases().map((c) => [c.id, c as FixtureCase & { exact: boolean; reference: string }]));
  const byId = new Map(results.map((r) => [r.id, r]));
  const list = decodeList();
  for (const { id } of list.files) {
    const r = byId.get(id), c = fixtures.get(id)!;
    if (!r) { out.push(`${id}: no result`); continue; }
    if (id.includes('cmyk')) {
      if (!/^TypeError: decode\b.*CMYK/s.test(String(r.error))) out.push(`${id}: ${r.error}`);
      continue;
    }
    if (r.error) { out.push(`${id}: ${r.error}`); continue; }
    const got = { format: r.format, width: r.width, height: r.height, channels: r.channels, bitDepth: r.bitDepth };
    const want = { format: c.format, ...c.expect };
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${id}: ${JSON.stringify(got)}, fixture ${JSON.stringify(want)}`);
    if (c.exact && !id.startsWith('webp-animated') && r.digest !== digestOf(c.reference)) out.push(`${id}: samples differ from the reference pixels`);
  }
  for (const { id } of list.scores) {
    const r = byId.get(id);
    if (typeof r?.score !== 'number' || !Number.isFinite(r.score)) out.push(`${id}: score ${JSON.stringify(r)}`);
  }
  const firstDigest = new Map(list.files.map((f) => [f.file, byId.get(f.id)?.digest]));
  for (const b of list.broken) {
    const r = byId.get(b.id);
    if (!/^TypeError: decode: /.test(String(r?.error))) out.push(`${b.id}: decode gave ${r?.error}`);
    if (!/^TypeError: ssim: /.test(String(r?.ssimError))) out.push(`${b.id}: ssim gave ${r?.ssimError}`);
    if (typeof r?.after !== 'string' || (firstDigest.has(b.file) && r.after !== firstDigest.get(b.file))) out.push(`${b.id}: no good decode after the errors`);
  }
  return out;
}
