#!/usr/bin/env node
// Builds the demo page (site/) into site/dist/: esbuild bundles the page
// and its Worker, each importing ssimkit by its package name (esbuild and
// Node resolve that name to this repository itself: a package may import
// itself through its "exports", so dist/ is what gets bundled, as from
// node_modules). Beside the bundle go the page, its CSS, the sample pair,
// and the two files ssimkit's threaded build needs (docs/bundlers.md,
// esbuild): esbuild does not copy them, and without them the Worker runs
// the simd build on one thread and says so in InitInfo.fallback.
// `node scripts/build-site.mjs`; needs `npm run build` first (dist/).

import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SITE_DIST = join(root, 'site/dist');
export const SAMPLES = ['chelsea.png', 'chelsea-jpeg-q20.png'].map((f) => join(root, 'examples/images', f));

/** The package's own file behind an export, e.g. 'ssimkit/threads.wasm'. */
const exported = (specifier) => fileURLToPath(import.meta.resolve(specifier));

/** Builds site/dist/ and returns its files with their sizes in bytes. */
export async function buildSite({ minify = true } = {}) {
  if (!existsSync(join(root, 'dist/index.js'))) {
    throw new Error('build-site: dist/ is missing: build ssimkit first (npm run build)');
  }
  rmSync(SITE_DIST, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { page: 'site/src/page.ts', worker: 'site/src/worker.ts' },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outdir: SITE_DIST,
    minify,
    sourcemap: true,
    logLevel: 'warning',
  });
  const copies = {
    'index.html': join(root, 'site/index.html'),
    'style.css': join(root, 'site/style.css'),
    // The URLs the bundled Worker asks for: new URL('./wasm/threads/…', import.meta.url).
    'wasm/threads/ssimkit_bg.wasm': exported('ssimkit/threads.wasm'),
    'thread-worker.js': exported('ssimkit/thread-worker.js'),
  };
  for (const sample of SAMPLES) copies[`samples/${sample.split('/').pop()}`] = sample;
  for (const [to, from] of Object.entries(copies)) {
    mkdirSync(dirname(join(SITE_DIST, to)), { recursive: true });
    copyFileSync(from, join(SITE_DIST, to));
  }
  return listFiles(SITE_DIST);
}

function listFiles(dir, prefix = '') {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? listFiles(path, `${prefix}${f}/`) : [{ file: `${prefix}${f}`, bytes: statSync(path).size }];
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const files = await buildSite();
    for (const { file, bytes } of files) console.log(`${file.padEnd(32)} ${bytes.toLocaleString('en').padStart(10)} B`);
    console.log(`built ${SITE_DIST}`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
