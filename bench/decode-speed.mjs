// Decode time of a 4K (3840x2160) JPEG and PNG in Node: ssimkit's decode
// against sharp's native decode (libjpeg-turbo, libpng), median of runs.
//   node bench/decode-speed.mjs [runs]
import sharp from 'sharp';
import { decode, init } from 'ssimkit';

const runs = Number(process.argv[2] ?? 7);
const w = 3840, h = 2160;
const raw = Buffer.alloc(w * h * 3);
let s = 1;
for (let i = 0; i < raw.length; i += 3) {
  const x = (i / 3) % w, y = Math.floor(i / 3 / w);
  s = (s * 1103515245 + 12345) >>> 0;
  const n = (s >>> 28) - 8;
  raw[i] = Math.max(0, Math.min(255, 128 + 100 * Math.sin(x / 300) + n));
  raw[i + 1] = Math.max(0, Math.min(255, (y * 255) / h + n));
  raw[i + 2] = Math.max(0, Math.min(255, 128 + 90 * Math.cos((x + y) / 500) - n));
}
const img = () => sharp(raw, { raw: { width: w, height: h, channels: 3 } });
const files = {
  'JPEG baseline 4:2:0 q90': await img().jpeg({ quality: 90 }).toBuffer(),
  'JPEG progressive q90': await img().jpeg({ quality: 90, progressive: true }).toBuffer(),
  'PNG RGB': await img().png().toBuffer(),
};
await init({ threads: 1 });
sharp.concurrency(1);
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
async function time(f) {
  await f();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return median(t);
}
for (const [name, file] of Object.entries(files)) {
  const ours = await time(() => decode(file));
  const theirs = await time(() => sharp(file).raw().toBuffer());
  console.log(`${name} (${(file.length / 1e6).toFixed(1)} MB): ssimkit ${ours.toFixed(0)} ms, sharp ${theirs.toFixed(0)} ms, ratio ${(ours / theirs).toFixed(2)}`);
}
