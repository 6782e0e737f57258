import { init } from 'ssimkit';
import { score } from './score.js';

// In a Worker of a cross-origin-isolated page, init() loads the threaded
// build (a pool of navigator.hardwareConcurrency Workers, at most 8);
// otherwise the simd build, with the reason in info.fallback.
const ready = init();

self.onmessage = async ({ data: { ref, img } }) => {
  try {
    const info = await ready;
    const t0 = performance.now();
    const scores = score(new Uint8Array(ref), new Uint8Array(img));
    self.postMessage({ info, scores, ms: performance.now() - t0 });
  } catch (e) {
    self.postMessage({ error: String(e) });
  }
};
