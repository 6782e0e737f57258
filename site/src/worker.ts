// ssimkit in a dedicated Worker: in a cross-origin-isolated page init()
// runs the threaded build here (a page's main thread may not block), and
// the page stays responsive while a large pair is scored. Each request is
// the two files' encoded bytes, so the page scores exactly what Node's
// decode() gives; every failure is answered, and the next request runs.

import { decode, type DecodedImage, dssim, heatmap, init, type InitInfo, lwssim, msssim, type Result, ssim } from 'ssimkit';
import type { FromWorker, Rgba, Scored, ScoreRequest } from './protocol.js';

function post(message: FromWorker, transfer: Transferable[] = []) {
  self.postMessage(message, { transfer });
}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, performance.now() - t0];
}

/** Moves a view's pixels only when it owns its whole buffer: anything else is copied first. */
function movable(data: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  const whole = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return whole ? data as Uint8ClampedArray<ArrayBuffer> : data.slice();
}

/** The decoded reference for display: gray, gray+alpha, RGB or RGBA, 8 or 16 bits, as RGBA8. */
function toRgba(image: DecodedImage): Rgba {
  const { data, width, height, channels } = image;
  const shift = image.bitDepth === 16 ? 8 : 0;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0, i = 0; p < out.length; p += 4, i += channels) {
    const v = (c: number) => data[i + c]! >> shift;
    const gray = channels < 3;
    out[p] = v(0);
    out[p + 1] = gray ? v(0) : v(1);
    out[p + 2] = gray ? v(0) : v(2);
    out[p + 3] = channels === 2 ? v(1) : channels === 4 ? v(3) : 255;
  }
  return { data: out, width, height };
}

function decodeFile(bytes: ArrayBuffer, role: string, name: string): [DecodedImage, number] {
  try {
    return timed(() => decode(new Uint8Array(bytes)));
  } catch (e) {
    throw new Error(`${role} (${name}): ${describe(e)}`);
  }
}

// MS-SSIM's five scales need an image of some size; smaller pairs show
// "n/a" with ssimkit's own explanation, every other error is the pair's.
function msssimOrNull(ref: DecodedImage, img: DecodedImage): [Result | null, string | undefined] {
  try {
    return [msssim(ref, img), undefined];
  } catch (e) {
    if (e instanceof RangeError && /too small/.test(e.message)) return [null, e.message];
    throw e;
  }
}

function score({ id, ref: refBytes, img: imgBytes, refName, imgName }: ScoreRequest): Scored {
  const [ref, refMs] = decodeFile(refBytes, 'Reference', refName);
  const [img, imgMs] = decodeFile(imgBytes, 'Distorted', imgName);
  const [s, ssimMs] = timed(() => ssim(ref, img, { map: true }));
  const [[m, note], msssimMs] = timed(() => msssimOrNull(ref, img));
  const [d, dssimMs] = timed(() => dssim(ref, img));
  const [l, lwssimMs] = timed(() => lwssim(ref, img));
  const [map, heatmapMs] = timed(() => heatmap(s));
  const scores: Scored['scores'] = {
    ssim: { score: s.score, channels: s.channels, ms: ssimMs },
    msssim: m ? { score: m.score, channels: m.channels, ms: msssimMs } : { score: null, ms: msssimMs, note },
    dssim: { score: d, ms: dssimMs },
    lwssim: { score: l.score, channels: l.channels, ms: lwssimMs },
  };
  return {
    kind: 'scored', id, width: ref.width, height: ref.height, scores, decodeMs: refMs + imgMs, heatmapMs,
    image: toRgba(ref),
    heatmap: { data: movable(map.data), width: map.width, height: map.height },
  };
}

/** The heatmap's colours from 0 to 1, drawn by heatmap() itself from a map made by hand. */
function legend(): Rgba {
  const ramp = Float32Array.from({ length: 256 }, (_, i) => i / 255);
  const { data, width, height } = heatmap({ score: 0, channels: [], map: ramp, mapWidth: 256, mapHeight: 1 });
  return { data: movable(data), width, height };
}

const started = performance.now();
// The first init() resolves while the pool may still be starting (calls
// meanwhile run on the simd build); the second resolves once it runs or
// has failed, so the status line names what really scores.
const ready: Promise<InitInfo | undefined> = init().then(() => init()).then(
  (info) => {
    const l = legend();
    post({ kind: 'ready', info, ms: performance.now() - started, legend: l }, [l.data.buffer]);
    return info;
  },
  (e: unknown) => {
    post({ kind: 'init-failed', error: describe(e) });
    return undefined;
  },
);

self.onmessage = async ({ data }: MessageEvent<ScoreRequest>) => {
  if (!(await ready)) {
    post({ kind: 'failed', id: data.id, error: 'ssimkit did not start in this browser (see the status line)' });
    return;
  }
  try {
    const r = score(data);
    post(r, [r.image.data.buffer, r.heatmap.data.buffer]);
  } catch (e) {
    post({ kind: 'failed', id: data.id, error: describe(e) });
  }
};
