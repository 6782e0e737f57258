// Time of heatmap() and encodePng() on a 3840x2160 pair (simd build, one
// thread), and the PNG's size against sharp's (libpng, default settings).
import sharp from 'sharp';
import { encodePng, heatmap, init, ssim } from 'ssimkit';

await init({ threads: Number(process.env.THREADS ?? 1) });
const [w, h] = [3840, 2160];
const ref = new Uint8Array(w * h * 3);
for (let i = 0; i < ref.length; i++) ref[i] = ((i % (w * 3)) / 15 + ((i * 2654435761) >>> 27)) & 255;
const img = ref.map((v, i) => (v + ((i * 40503) >>> 12) % 9) & 255);
const r = ssim({ data: ref, width: w, height: h }, { data: img, width: w, height: h }, { map: true });
const time = (f, n = 5) => {
  f();
  const t = [];
  for (let k = 0; k < n; k++) { const t0 = performance.now(); f(); t.push(performance.now() - t0); }
  return Math.min(...t);
};
const hm = heatmap(r);
const png = encodePng(hm);
const theirs = await sharp(Buffer.from(hm.data.buffer), { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
const tSharp = [];
for (let k = 0; k < 3; k++) {
  const t0 = performance.now();
  await sharp(Buffer.from(hm.data.buffer), { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
  tSharp.push(performance.now() - t0);
}
console.log(`heatmap ${w}x${h}: ${time(() => heatmap(r)).toFixed(1)} ms`);
console.log(`encodePng of it: ${time(() => encodePng(hm)).toFixed(1)} ms, ${png.length} bytes; sharp: ${Math.min(...tSharp).toFixed(1)} ms, ${theirs.length} bytes`);
const photo = { data: ref, width: w, height: h, channels: 3 };
console.log(`encodePng of the RGB image: ${time(() => encodePng(photo), 3).toFixed(1)} ms, ${encodePng(photo).length} bytes`);
