// Run by require.test.ts inside a CommonJS consumer project:
//   node [--no-experimental-require-module] require-scores.cjs REF IMG OUT.json
// Scores the pair through `require('ssimkit')`, takes a loss and its
// gradient through `require('ssimkit/tfjs')` (on the state init() set up)
// and writes what it found as JSON (TF.js prints to stdout).
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const ssimkit = require('ssimkit');
const adapter = require('ssimkit/tfjs');

const digest = (f32) => createHash('sha256').update(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)).digest('hex');

async function main() {
  const [refPath, imgPath, outPath] = process.argv.slice(2);
  await ssimkit.init();
  // The pool starts behind the first init(); a second one resolves once it runs.
  const info = await ssimkit.init();
  const [a, b] = [refPath, imgPath].map((f) => ssimkit.decode(readFileSync(f)));
  const out = {
    info,
    node: process.version,
    resolved: { main: require.resolve('ssimkit'), tfjs: require.resolve('ssimkit/tfjs') },
    // Modules named backend.js loaded from ssimkit: one means one state.
    backends: Object.keys(require.cache).filter((k) => /[\\/]ssimkit[\\/].*[\\/]backend\.js$/.test(k)),
    // The best of three small parallel jobs: a busy machine may starve a thread once.
    threadsUsed: Math.max(ssimkit.threadsUsed(), ssimkit.threadsUsed(), ssimkit.threadsUsed()),
    ssim: ssimkit.ssim(a, b),
    msssim: ssimkit.msssim(a, b).score,
    dssim: ssimkit.dssim(a, b),
    lwssim: ssimkit.lwssim(a, b).score,
  };
  // Without require(esm), the ES build itself cannot be required: proof
  // that the flag bites and that the twins above are what loaded.
  try {
    require(join(__dirname, 'node_modules/ssimkit/dist/node.js'));
    out.esmRequire = 'loaded';
  } catch (e) {
    out.esmRequire = e.code;
  }
  const tf = require('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const shape = [1, a.height, a.width, a.channels];
  const target = tf.tensor(Float32Array.from(a.data, (v) => v / 255), shape, 'float32');
  const pred = tf.tensor(Float32Array.from(b.data, (v) => v / 255), shape, 'float32');
  const loss = adapter.dssimMaeLoss();
  out.tfjsLoss = loss(target, pred).dataSync()[0];
  out.tfjsGrad = digest(tf.grad((p) => loss(target, p))(pred).dataSync());
  writeFileSync(outPath, JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
