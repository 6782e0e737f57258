// One scenario of init()'s state and of the pool's failure path, in a process
// of its own (a build loads once per process). Runs in Node and in Deno.
// Usage: <runtime> threads-state-child.mjs <entry URL (dist/node.js or dist/deno.js)> <scenario> [arg]
// Prints one line of JSON: what each step gave ({ error: 'Name: message' } for a throw).
import { readFileSync } from 'node:fs';

const [entry, scenario, arg] = (globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2));
const s = await import(entry);
const { backend } = await import(new URL('./backend.js', entry).href);
const wasm = (build) => new Uint8Array(readFileSync(new URL(`./wasm/${build}/ssimkit_bg.wasm`, entry)));
const out = {};
const err = (e) => ({ error: `${e?.name}: ${e?.message}` });
const attempt = async (f) => { try { return await f(); } catch (e) { return err(e); } };
const brief = (i) => (i && !i.error ? { build: i.build, threads: i.threads, ...(i.fallback ? { fallback: i.fallback } : {}), ...(i.starting ? { starting: i.starting } : {}) } : i);

const W = 160, H = 120;
const img = (seed, c = 3) => {
  const d = new Uint8Array(W * H * c);
  let x = seed >>> 0;
  for (let i = 0; i < d.length; i++) { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; d[i] = ((i % 97) * 2 + (x >>> 28)) & 255; }
  return { data: d, width: W, height: H, channels: c };
};
const batch = (seed) => { const d = new Float32Array(2 * 48 * 40 * 3); let x = seed; for (let i = 0; i < d.length; i++) { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; d[i] = (x >>> 8) / 16777216; } return { data: d, shape: [2, 48, 40, 3] }; };
// Every path into the wasm: a streamed score, a map, MS-SSIM, a loss with its gradient.
const scores = () => {
  const a = img(1), b = img(2);
  const map = s.ssim(a, b, { map: true });
  const loss = s.dssimMaeLoss(batch(3), batch(4), { grad: true });
  return { ssim: s.ssim(a, b).score, map: map.score, mapSum: map.map.reduce((p, v) => p + v, 0), msssim: s.msssim(a, b, { scales: 'auto' }).score,
    lwssim: s.lwssim(a, b).score, loss: loss.loss, gradSum: loss.grad.data ? loss.grad.data.reduce((p, v) => p + v, 0) : loss.grad.reduce((p, v) => p + v, 0) };
};

if (scenario === 'twice') {
  out.first = brief(await attempt(() => s.init({ threads: 2 })));
  out.more = await attempt(() => s.init({ threads: 3 }));
  out.fewer = await attempt(() => s.init({ threads: 1 }));
  out.same = brief(await attempt(() => s.init({ threads: 2 })));
  out.none = brief(await attempt(() => s.init()));
  out.module = await attempt(() => s.init({ module: wasm('simd') }));
  out.sync = await attempt(() => s.initSync({ module: wasm('simd') }));
  out.score = s.ssim(img(1), img(2)).score;
} else if (scenario === 'twice-simd') {
  out.first = brief(await attempt(() => s.init({ threads: 1 })));
  out.more = await attempt(() => s.init({ threads: 2 }));
  out.same = brief(await attempt(() => s.init({ threads: 1 })));
  out.module = brief(await attempt(() => s.init({ module: wasm('simd') })));
  out.sync = brief(await attempt(() => s.initSync({ module: wasm('simd') })));
} else if (scenario === 'sync-during-init') {
  const p = s.init({ threads: 2 });
  out.sync = await attempt(() => s.initSync({ module: wasm('simd') }));
  out.init = brief(await attempt(() => p));
  out.later = brief(await attempt(() => s.init()));
  out.syncAfter = await attempt(() => s.initSync({ module: wasm('simd') }));
  out.used = Math.max(s.threadsUsed(), s.threadsUsed(), s.threadsUsed());
  out.score = s.ssim(img(1), img(2)).score;
} else if (scenario === 'threads-wasm') {
  out.bytes = await attempt(() => s.initSync({ module: wasm('threads') }));
  out.compiled = await attempt(() => s.initSync({ module: new WebAssembly.Module(wasm('threads')) }));
  out.init = await attempt(() => s.init({ module: wasm('threads') }));
  out.garbage = await attempt(() => s.initSync({ module: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]) }));
  out.notBytes = await attempt(() => s.initSync({ module: 'x.wasm' }));
  out.ok = brief(await attempt(() => s.initSync({ module: wasm('simd') })));
  out.score = s.ssim(img(1), img(2)).score;
} else if (scenario === 'trap') {
  out.info = brief(await s.init({ threads: 2 }));
  out.before = scores();
  const t0 = performance.now();
  out.trap = await attempt(() => backend('poolTestTrap').poolTestTrap(1, arg === 'panic'));
  out.trapMs = Math.round(performance.now() - t0);
  out.after = scores();
  out.again = scores();
  out.later = brief(await s.init());
  out.used = s.threadsUsed();
} else if (scenario === 'start') {
  const t0 = performance.now();
  out.first = brief(await attempt(() => s.init(arg ? JSON.parse(arg) : undefined)));
  out.firstMs = Math.round(performance.now() - t0);
  // The default init() may resolve with its pool still starting: a later
  // init() waits for the pool's outcome.
  out.init = out.first.error ? out.first : brief(await attempt(() => s.init()));
  out.ms = Math.round(performance.now() - t0);
  if (!out.init.error) out.score = s.ssim(img(1), img(1)).score;
} else if (scenario === 'background') {
  // The default init(), then at once (no await in between, so nothing can
  // switch the build under these calls) every path, the build they ran on
  // and the pool's use; then the same after `await init()` again.
  const first = await s.init();
  out.first = { ...brief(first), features: first.features };
  out.ranOn = backend('test').buildFeatures();
  out.now = scores();
  out.usedNow = s.threadsUsed();
  out.stillOn = backend('test').buildFeatures();
  const settled = await s.init();
  out.settled = { ...brief(settled), features: settled.features };
  out.settledOn = backend('test').buildFeatures();
  out.after = scores();
  out.usedAfter = Math.max(s.threadsUsed(), s.threadsUsed(), s.threadsUsed());
  out.again = brief(await s.init());
  // No process.exit: the pool must not keep the process alive.
}
console.log(JSON.stringify(out));
