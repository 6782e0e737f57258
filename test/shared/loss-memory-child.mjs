// Child process of test/loss-memory.test.ts: a fresh module takes one loss
// and its gradient on a [1, h, w, c] batch and reports its wasm memory.
// argv: threads loss width height channels
import { dssimMaeLoss, init, lwssimLoss, msssimLoss, ssimLoss, wasmMemoryBytes } from 'ssimkit';
import { lastMemoryNeed } from '../../dist/backend.js';

const [threads, loss, w, h, c] = process.argv.slice(2).map((v, i) => (i === 1 ? v : Number(v)));
const info = await init({ threads });
const target = new Float32Array(w * h * c), pred = new Float32Array(w * h * c);
for (let i = 0; i < target.length; i++) {
  const q = Math.floor(i / c), x = q % w, y = Math.floor(q / w);
  target[i] = 0.5 + 0.3 * Math.sin(x * 0.05 + (i % c)) * Math.cos(y * 0.03);
  pred[i] = Math.min(1, Math.max(0, target[i] + 0.1 * (((i * 7919) % 101) / 101 - 0.5)));
}
const shape = [1, h, w, c];
const p = { data: pred, shape }, t = { data: target, shape };
const before = wasmMemoryBytes();
const t0 = performance.now();
const run = {
  ssimLoss: () => ssimLoss(p, t, { dataRange: 1, grad: true }),
  msssimLoss: () => msssimLoss(p, t, { dataRange: 1, grad: true }),
  dssimMaeLoss: () => dssimMaeLoss(p, t, { dataRange: 1, grad: true }),
  'dssimMaeLoss, MS-SSIM and Gaussian L1': () => dssimMaeLoss(p, t, { dataRange: 1, grad: true, structure: 'msssim', l1: 'gaussian' }),
  lwssimLoss: () => lwssimLoss(p, t, { dataRange: 1, grad: true }),
}[loss];
const r = run();
const ms = Math.round(performance.now() - t0);
let finite = true, nonzero = 0;
for (const g of r.grad) {
  if (!Number.isFinite(g)) finite = false;
  if (g !== 0) nonzero++;
}
process.stdout.write(JSON.stringify({ build: info.build, loss: r.loss, gradLength: r.grad.length, finite, nonzero, before, after: wasmMemoryBytes(), need: lastMemoryNeed(), ms }));
