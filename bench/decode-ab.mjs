#!/usr/bin/env node
// Compares simd .wasm builds at decoding, in one process, interleaved:
//   npm run bench:decode-ab -- [--sizes 3840x2160] [--rounds 12] [name=path.wasm ...]
// (no builds named: dist/'s simd build against itself, which shows the
// noise floor). Each build is loaded through its own copy of dist's
// wasm-bindgen glue, so one process holds them all and round r decodes every
// file with every build, in alternating order: load from other processes
// hits each build alike, which separate processes (SSIMKIT_WASM=... npm run
// bench:decode, once per build) cannot promise on a shared machine.
// JPEG and WebP files only (PNG meets its targets with room). Per file and
// build: the median and fastest decode (openFile + next_u8 +
// free, what `decode` does less its argument checks), the copy out of wasm
// memory alone (a `slice()` of the same length, as the glue does), and the
// median of the per-round ratios to the first build. The glue must match the
// builds' exports (same crate/src/wasm_decode.rs).
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DECODE_FILES, writeDecodeFiles } from './decode-inputs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const value = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const sizes = value('--sizes', '1920x1080,3840x2160').split(',');
const rounds = Number(value('--rounds', '12'));
const named = argv.filter((a, i) => a.includes('=') && !argv[i - 1]?.startsWith('--'));
const dist = resolve(here, '../dist/wasm/simd');
const builds = named.length
  ? named.map((a) => a.split('='))
  : [['dist', join(dist, 'ssimkit_bg.wasm')], ['dist-again', join(dist, 'ssimkit_bg.wasm')]];

const dir = mkdtempSync(join(os.tmpdir(), 'ssimkit-decode-ab-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
await writeDecodeFiles(dir, sizes.map((s) => s.split('x').map(Number)));

const loaded = [];
for (const [i, [name, path]] of builds.entries()) {
  // A module per build: the glue keeps its instance in module state.
  const glue = join(dir, `glue-${i}.mjs`);
  copyFileSync(join(dist, 'ssimkit.js'), glue);
  const m = await import(glue);
  const exports = m.initSync({ module: readFileSync(path) });
  loaded.push({ name, m, memory: exports.memory });
}

const files = sizes.flatMap((s) => DECODE_FILES.filter(([kind]) => !kind.startsWith('png'))
  .map(([kind, , ext]) => [`${s} ${kind}`, readFileSync(`${dir}/${s}.${kind}.${ext}`)]));
const decode = ({ m }, bytes) => {
  const f = m.openFile(bytes, 2 ** 26);
  try {
    return f.next_u8(2 ** 30);
  } finally {
    f.free();
  }
};
const t = {};
for (let r = -1; r < rounds; r++) {
  process.stderr.write(`[decode-ab] round ${r + 1}/${rounds}${r < 0 ? ' (warm-up)' : ''}\n`);
  for (const [key, bytes] of files) {
    for (const b of r % 2 ? loaded : [...loaded].reverse()) {
      const t0 = performance.now();
      const out = decode(b, bytes);
      const t1 = performance.now();
      new Uint8Array(b.memory.buffer, 0, out.length).slice();
      const t2 = performance.now();
      if (r < 0) continue;
      const row = ((t[key] ??= {})[b.name] ??= { ms: [], copy: [] });
      row.ms.push(t1 - t0);
      row.copy.push(t2 - t1);
    }
  }
}
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`${rounds} interleaved rounds; ms per decode (openFile + next_u8), copy = slice() of the output alone`);
console.log(`${'file'.padEnd(28)} ${'build'.padEnd(12)} ${'median'.padStart(8)} ${'fastest'.padStart(8)} ${'copy'.padStart(6)}  vs ${builds[0][0]}`);
for (const [key, rows] of Object.entries(t)) {
  const base = rows[builds[0][0]].ms;
  for (const [name] of builds) {
    const { ms, copy } = rows[name];
    const ratio = med(ms.map((x, i) => x / base[i]));
    console.log(`${key.padEnd(28)} ${name.padEnd(12)} ${med(ms).toFixed(1).padStart(8)} ${Math.min(...ms).toFixed(1).padStart(8)} ${med(copy).toFixed(1).padStart(6)}  ${ratio.toFixed(3)}x`);
  }
}
