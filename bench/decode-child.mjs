#!/usr/bin/env node
// Decoding speed, in one process started by bench/run.mjs (or
// bench/decode-speed.mjs):
//   node bench/decode-child.mjs --dir D --sizes 1920x1080,3840x2160 [--rounds R]
// Every file of bench/decode-inputs.mjs is decoded by ssimkit (simd build,
// 1 thread) and by each peer a user would pick in Node for that format, in
// interleaved rounds (round r decodes every file with every decoder once, so
// a burst of load on this shared machine hits every row alike); a row's time
// is the median over rounds, after one warm-up round. The warm-up's pixels
// are compared with ssimkit's. Prints one JSON line on stdout.
// SSIMKIT_WASM=path makes ssimkit load another .wasm (to compare builds).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import jsquashJpeg, { init as jsquashJpegInit } from '@jsquash/jpeg/decode.js';
import jsquashPng, { init as jsquashPngInit } from '@jsquash/png/decode.js';
import jsquashWebp, { init as jsquashWebpInit } from '@jsquash/webp/decode.js';
import { decode as fastPngDecode } from 'fast-png';
import jpegJs from 'jpeg-js';
import sharp from 'sharp';
import * as kit from 'ssimkit';
import { DECODE_FILES } from './decode-inputs.mjs';
import { mid } from './util.mjs';

const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const dir = arg('dir');
const sizes = arg('sizes').split(',');
const rounds = Number(arg('rounds', '5'));
const log = (s) => process.stderr.write(`${s}\n`);

// ---- decoders ---------------------------------------------------------------
const info = await kit.init(process.env.SSIMKIT_WASM ? { module: readFileSync(process.env.SSIMKIT_WASM), threads: 1 } : { threads: 1 });
sharp.concurrency(1);
// The @jsquash packages fetch their .wasm by URL, which Node cannot do: each
// is handed its module, as their READMEs say for Node.
const require = createRequire(import.meta.url);
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));
const wasmModule = (name, file) => new WebAssembly.Module(readFileSync(join(pkgDir(name), file)));
await jsquashJpegInit(wasmModule('@jsquash/jpeg', 'codec/dec/mozjpeg_dec.wasm'));
await jsquashPngInit(wasmModule('@jsquash/png', 'codec/pkg/squoosh_png_bg.wasm'));
await jsquashWebpInit(wasmModule('@jsquash/webp', 'codec/dec/webp_dec.wasm'));
const view = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);

/** [name, kind (wasm / pure JS / native), formats, what it is given and returns, decode(buffer) -> { data, width, height, channels }] */
const DECODERS = [
  ['ssimkit', 'wasm', ['jpeg', 'png', 'webp'], `decode(bytes): channels as stored (build '${info.build}', ${info.threads} thread)`,
    (b) => kit.decode(b)],
  ['sharp', 'native', ['jpeg', 'png', 'webp'], 'sharp(buf).raw().toBuffer(), sharp.concurrency(1): channels as stored',
    async (b) => {
      const { data, info: i } = await sharp(b).raw().toBuffer({ resolveWithObject: true });
      return { data, width: i.width, height: i.height, channels: i.channels };
    }],
  ['@jsquash/jpeg', 'wasm', ['jpeg'], 'decode(ArrayBuffer) -> ImageData (RGBA), mozjpeg in wasm',
    async (b) => ({ ...(await jsquashJpeg(view(b))), channels: 4 })],
  ['@jsquash/png', 'wasm', ['png'], 'decode(ArrayBuffer) -> ImageData (RGBA), Rust png crate in wasm',
    async (b) => ({ ...(await jsquashPng(view(b))), channels: 4 })],
  ['@jsquash/webp', 'wasm', ['webp'], 'decode(ArrayBuffer) -> ImageData (RGBA), libwebp in wasm',
    async (b) => ({ ...(await jsquashWebp(view(b))), channels: 4 })],
  ['jpeg-js', 'pure JS', ['jpeg'], 'decode(buf, { useTArray: true, formatAsRGBA: false }): RGB',
    (b) => ({ ...jpegJs.decode(b, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 2048 }), channels: 3 })],
  ['fast-png', 'pure JS', ['png'], 'decode(buf): channels as stored',
    (b) => fastPngDecode(b)],
];

/** Max and mean |a - b| over the channels both have (RGB, and alpha when both carry it). */
function compare(a, b) {
  if (a.width !== b.width || a.height !== b.height) return { error: `size ${b.width}x${b.height} vs ${a.width}x${a.height}` };
  const ca = a.channels, cb = b.channels;
  const common = Math.min(ca, cb) === 4 ? 4 : Math.min(ca, cb, 3);
  let max = 0, sum = 0;
  const n = a.width * a.height;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < common; k++) {
      const d = Math.abs(a.data[i * ca + k] - b.data[i * cb + k]);
      sum += d;
      if (d > max) max = d;
    }
  }
  return { maxAbsDiff: max, meanAbsDiff: sum / (n * common), channelsCompared: common };
}

// ---- rounds -----------------------------------------------------------------
const jobs = [];
for (const size of sizes) {
  for (const [kind, label, ext, family] of DECODE_FILES) {
    const file = readFileSync(`${dir}/${size}.${kind}.${ext}`);
    for (const [name, type, formats, , f] of DECODERS) if (formats.includes(family)) jobs.push({ size, kind, label, file, name, type, f, times: [] });
  }
}
const rows = [];
for (let r = 0; r <= rounds; r++) {
  log(`[bench]   decode round ${r}/${rounds}${r === 0 ? ' (warm-up, pixel check)' : ''}`);
  const reference = {};
  for (const job of jobs) {
    let out;
    const t0 = performance.now();
    try {
      out = await job.f(job.file);
    } catch (e) {
      job.error = String(e?.message ?? e);
      continue;
    }
    const ms = performance.now() - t0;
    if (r > 0) {
      job.times.push(ms);
      continue;
    }
    // Warm-up: ssimkit comes first for each file, the peers are compared with it.
    const key = `${job.size}.${job.kind}`;
    if (job.name === 'ssimkit') {
      reference[key] = out;
      job.check = { channels: out.channels };
    } else if (reference[key]) {
      job.check = { channels: out.channels, ...compare(reference[key], out) };
    }
  }
}
for (const j of jobs) {
  rows.push({ size: j.size, file: j.kind, label: j.label, fileBytes: j.file.length, impl: j.name, type: j.type,
    ms: j.times.length ? mid(j.times) : null, n: j.times.length, times: j.times, error: j.error, check: j.check });
}
console.log(JSON.stringify({
  info: { build: info.build, threads: info.threads, wasm: process.env.SSIMKIT_WASM ?? 'dist/' },
  decoders: DECODERS.map(([name, type, formats, how]) => ({ name, type, formats, how })),
  rounds, rows,
}));
