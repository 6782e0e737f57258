// The page's main thread: the package through the import map ('ssimkit'),
// the simd build, every case; then the same package in module Workers, one
// after the other: the default init(), init({ threads: 2 }), and the scalar
// build (init({ simd: false })). Reports by POST.

import { cases, encode, env, said, stage } from './realm.mjs';

// Import maps do not reach Workers: they import the entry by its path.
const entry = document.documentElement.dataset.entry;

const worker = (mode) => new Promise((resolve) => {
  const w = new Worker(`/browser/worker.mjs?mode=${mode}&entry=${encodeURIComponent(entry)}`, { type: 'module' });
  w.onmessage = (e) => { resolve(e.data); w.terminate(); };
  w.onerror = (e) => resolve(encode({ fatal: `${mode} worker: ${e.message || 'failed to load'}` }));
});

// A real DOM ImageData (RGBA, Uint8ClampedArray) is an image as it is.
function imageData(ssimkit) {
  const draw = (shift) => {
    const ctx = new OffscreenCanvas(96, 80).getContext('2d');
    const g = ctx.createLinearGradient(0, 0, 96, 80);
    g.addColorStop(0, '#c33'); g.addColorStop(1, '#36c');
    ctx.fillStyle = g; ctx.fillRect(0, 0, 96, 80);
    ctx.fillStyle = '#fe8'; ctx.beginPath(); ctx.arc(40 + shift, 40, 22, 0, 7); ctx.fill();
    return ctx.getImageData(0, 0, 96, 80);
  };
  const [a, b] = [draw(0), draw(3)];
  const plain = (d) => ({ data: new Uint8Array(d.data), width: d.width, height: d.height, channels: 4 });
  let error;
  try { ssimkit.ssim(a, { data: b.data, width: 95, height: 80 }); } catch (e) { error = e.name; }
  return {
    isImageData: a instanceof ImageData,
    score: ssimkit.ssim(a, b).score,
    plain: ssimkit.ssim(plain(a), plain(b)).score,
    channels: ssimkit.ssim(a, b).channels.length,
    error,
    afterError: ssimkit.ssim(a, b).score,
  };
}

let out;
try {
  stage('page: import');
  // A dynamic import, so that a wrong entry (a 404 through the import map)
  // is an error we can report rather than a hang.
  const ssimkit = await import('ssimkit');
  // Threads asked for on the main thread: refused, and init() still works after.
  let mainThreads;
  try { await ssimkit.init({ threads: 2 }); mainThreads = 'loaded'; } catch (e) { mainThreads = said(e); }
  const info = await ssimkit.init();
  stage('page: cases');
  const { results, decode } = await cases(ssimkit);
  const image = imageData(ssimkit);
  // One Worker after the other: two pools at once would share two cores.
  stage('page: worker');
  const w = await worker('cases');
  stage('page: threads-2 worker');
  const t2 = await worker('threads2');
  stage('page: scalar worker');
  const scalar = await worker('scalar');
  out = encode({ info, env: env(), mainThreads, results, decode, imageData: image, worker: w, threads2: t2, scalar });
} catch (e) {
  out = encode({ fatal: String(e?.stack ?? e) });
}
await fetch('/report', { method: 'POST', body: out });
