#!/usr/bin/env node
// CommonJS twins of the Node entry, the TF.js adapter and the test-runner
// matchers (ssimkit/matchers, ssimkit/jest: Jest's default mode loads its
// setupFilesAfterEnv as CommonJS), for `require`
// without require(esm) (Node before 20.19 / 22.12, or run with
// --no-experimental-require-module) and for Jest's default CommonJS mode.
//
// dist/cjs/ mirrors dist/: one CommonJS file per ES module reachable from
// dist/node.js and the other entries, so `ssimkit`, `ssimkit/tfjs` and
// `ssimkit/jest` require the same backend.js (one initialised state, as their ES twins share one).
// A package.json there says "commonjs", so the twins keep their `.js` names
// and their relative requires need no rewriting. `import.meta.url` becomes
// the URL of the ES twin, so every `new URL('./…', import.meta.url)` still
// reaches dist/wasm/*/ssimkit_bg.wasm and dist/thread-worker-node.js (the
// pool's worker stays an ES module: worker_threads loads it natively).
// The declarations are copied beside them, for TypeScript's `require`
// condition (node16/nodenext resolution from a CommonJS file).
//
// Usage: node scripts/build-cjs.mjs   (after tsc has written dist/)
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const out = join(dist, 'cjs');
const ENTRIES = ['node.js', 'tfjs.js', 'matchers.js', 'jest.js'];

if (!existsSync(join(dist, 'node.js'))) throw new Error('build-cjs: dist/node.js is missing: run tsc first (scripts/build.sh)');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

const toPosix = (p) => p.split(sep).join(posix.sep);

/**
 * The banner that stands for import.meta.url: the ES twin's URL when this
 * file is where the package put it (dist/cjs/<file>), else the file's own
 * URL, which is what import.meta.url says in an ES bundle: a CommonJS
 * bundle (esbuild, webpack for Node) then looks for ssimkit's files
 * beside itself, as an ES bundle does, and falls back as it does.
 */
function esmUrl(file) {
  const [twin, esm] = [`/cjs/${toPosix(file)}`, `/${toPosix(file)}`].map((p) => `p.join(${JSON.stringify(p)})`);
  return `const __ssimkit_esm_url = ((p, f, twin = ${twin}) => require("node:url").pathToFileURL(f.endsWith(twin) ? f.slice(0, -twin.length) + ${esm} : f).href)(require("node:path"), __filename);`;
}

/** CommonJS of one ES module (its path relative to dist/). */
function convert(file) {
  const src = readFileSync(join(dist, file), 'utf8');
  const r = transformSync(src, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcefile: `dist/${toPosix(file)}`,
    // import() of a relative module becomes require(): Jest's CommonJS
    // runtime has no dynamic import without --experimental-vm-modules.
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': '__ssimkit_esm_url' },
    banner: esmUrl(file),
    logLevel: 'silent',
  });
  // Any other use of import.meta would be an empty object in CommonJS.
  if (r.warnings.some((w) => w.id === 'empty-import-meta')) throw new Error(`build-cjs: dist/${file} uses import.meta beyond import.meta.url`);
  return r.code;
}

/** Relative modules a converted file requires (esbuild writes them as require("./…")). */
function requires(code) {
  return [...code.matchAll(/\brequire\("(\.{1,2}\/[^"]+)"\)/g)].map((m) => m[1]);
}

const done = new Set();
const queue = [...ENTRIES];
while (queue.length) {
  const file = queue.shift();
  if (done.has(file)) continue;
  done.add(file);
  const code = convert(file);
  mkdirSync(dirname(join(out, file)), { recursive: true });
  writeFileSync(join(out, file), code);
  for (const spec of requires(code)) {
    const dep = posix.normalize(posix.join(posix.dirname(toPosix(file)), spec));
    if (dep.startsWith('..')) throw new Error(`build-cjs: dist/${file} requires ${spec}, outside dist/`);
    if (!dep.endsWith('.js')) throw new Error(`build-cjs: dist/${file} requires ${spec}, not a .js module`);
    if (!existsSync(join(dist, dep))) throw new Error(`build-cjs: dist/${file} requires ${spec}, which is not in dist/`);
    queue.push(dep);
  }
}

// The declarations of the entries' types and all they import, for the
// `require` condition's `types` (TypeScript reads them as CommonJS because
// of the package.json above). Only those reached: the inlined wasm's own
// declaration is a long string TypeScript never needs twice.
const TYPE_ENTRIES = ['index.d.ts', 'node.d.ts', 'tfjs.d.ts', 'matchers.d.ts', 'jest.d.ts'];
const typed = new Set();
const typeQueue = [...TYPE_ENTRIES];
while (typeQueue.length) {
  const file = typeQueue.shift();
  if (typed.has(file)) continue;
  typed.add(file);
  const text = readFileSync(join(dist, file), 'utf8');
  mkdirSync(dirname(join(out, file)), { recursive: true });
  writeFileSync(join(out, file), text);
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
    const dep = posix.normalize(posix.join(posix.dirname(toPosix(file)), `${m[1]}.d.ts`));
    if (!existsSync(join(dist, dep))) throw new Error(`build-cjs: dist/${file} imports ${m[1]}.js, whose declaration is not in dist/`);
    typeQueue.push(dep);
  }
}

console.log(`[build] commonjs: ${done.size} modules and ${typed.size} declarations in dist/cjs (${[...done].sort().join(', ')})`);
