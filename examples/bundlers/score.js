// The app every bundler test builds: score one fixed pair of generated
// images with ssimkit and report what init() loaded and the two scores.
import { init, msssim, ssim } from 'ssimkit';

const W = 256, H = 192; // 5 MS-SSIM scales need 176 pixels a side

/** A smooth RGB pattern and a copy with deterministic noise and a shift. */
function pair() {
  const ref = new Uint8Array(W * H * 3), img = new Uint8Array(W * H * 3);
  let seed = 12345;
  const noise = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24) - 128;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * W + x) * 3 + c;
        const v = (x * (c + 1) + y * (3 - c) + ((x >> 4) ^ (y >> 4)) * 23) & 255;
        ref[i] = v;
        img[i] = Math.min(255, Math.max(0, v + (noise() >> 3) + (x > W / 2 ? 9 : 0)));
      }
    }
  }
  return [{ data: ref, width: W, height: H, channels: 3 }, { data: img, width: W, height: H, channels: 3 }];
}

/** `{ info, ssim, msssim, initMs }`, or `{ error }` with the error's name and message. */
export async function score(options) {
  try {
    const info = await init(options);
    const initMs = typeof performance === 'object' ? performance.now() : undefined;
    const [a, b] = pair();
    return { info, ssim: ssim(a, b).score, msssim: msssim(a, b).score, initMs };
  } catch (e) {
    return { error: `${e && e.name}: ${e && e.message}` };
  }
}
