// One init configuration per process (init() loads once per process): runs
// the fixture cases and a few larger images and batches (many row chunks,
// so the pool really splits them) with `init(options)`, and prints one line
// of JSON. Exits by itself: the pool's workers must not keep Node alive.
// Usage: node test/threads-child.mjs '<init options as JSON>'
import { readFileSync } from 'node:fs';
import * as ssimkit from 'ssimkit';
import { digest, runCases } from './shared/cases.mjs';
import { encode } from './runtimes/wire.mjs';

const options = JSON.parse(process.argv[2] ?? 'null') ?? undefined;
const fixtures = new URL('./fixtures/', import.meta.url);

const t0 = performance.now();
const info = await ssimkit.init(options);
const initMs = performance.now() - t0;

const results = await runCases(ssimkit, JSON.parse(readFileSync(new URL('cases.json', fixtures), 'utf8')),
  async (file) => readFileSync(new URL(file, fixtures)));

// Larger inputs than the fixtures: deterministic noise over gradients.
function pixels(Ctor, n, seed, scale) {
  const out = new Ctor(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Ctor === Float32Array ? ((i % 977) / 977 + (s >>> 24) / 2560) * scale : ((i % 251) + (s >>> 27)) % 256 * scale;
  }
  return out;
}
const W = 640, H = 480;
const img = (Ctor, seed, scale = 1, c = 3) => ({ data: pixels(Ctor, W * H * c, seed, scale), width: W, height: H, channels: c });
const summary = (r) => ({ score: r.score, channels: r.channels, ...(r.map ? { mapDigest: digest(r.map) } : {}) });
const large = {
  ssimMap: summary(ssimkit.ssim(img(Uint8Array, 1), img(Uint8Array, 2), { map: true })),
  ssimSame: summary(ssimkit.ssim(img(Uint16Array, 3, 257, 4), img(Uint16Array, 4, 257, 4), { border: 'same', map: true, includeAlpha: true })),
  msssim: summary(ssimkit.msssim(img(Uint8Array, 5), img(Uint8Array, 6))),
  lwssim: summary(ssimkit.lwssim(img(Float32Array, 7, 1, 1), img(Float32Array, 8, 1, 1))),
};
const batch = (seed) => ({ data: pixels(Float32Array, 2 * 200 * 184 * 3, seed, 1), shape: [2, 200, 184, 3] });
for (const name of ['ssimLoss', 'msssimLoss', 'dssimMaeLoss', 'lwssimLoss']) {
  const r = ssimkit[name](batch(9), batch(10), name === 'msssimLoss' ? { grad: true, perSample: true, size: 5, scales: 'auto' } : { grad: true, perSample: true });
  large[name] = { loss: r.loss, perSample: r.perSample, gradDigest: digest(r.grad) };
}

const used = [ssimkit.threadsUsed(), ssimkit.threadsUsed(), ssimkit.threadsUsed()];
console.log(encode({ info, initMs, used, results, large }));
