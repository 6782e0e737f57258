// The decoding benchmark's files, made once per run with sharp from the
// same photograph the metric rows use (bench/inputs.mjs `makePair`: chelsea
// upscaled and mirror-tiled, so the pixels have a photo's detail, not a
// synthetic pattern's). Written as `WxH.<kind>.<ext>` into the run's
// directory; every decoder reads the same bytes.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { makePair } from './inputs.mjs';

/** [kind, label, extension, format family, how sharp encodes it] */
export const DECODE_FILES = [
  ['jpeg-baseline', 'JPEG baseline 4:2:0 q90', 'jpg', 'jpeg',
    (img) => img.removeAlpha().jpeg({ quality: 90, chromaSubsampling: '4:2:0', progressive: false })],
  ['jpeg-progressive', 'JPEG progressive 4:2:0 q90', 'jpg', 'jpeg',
    (img) => img.removeAlpha().jpeg({ quality: 90, chromaSubsampling: '4:2:0', progressive: true })],
  ['png-rgb', 'PNG RGB 8-bit', 'png', 'png', (img) => img.removeAlpha().png()],
  ['png-rgba', 'PNG RGBA 8-bit', 'png', 'png', (img) => img.png()],
  ['webp-lossy', 'WebP lossy q90', 'webp', 'webp', (img) => img.removeAlpha().webp({ quality: 90 })],
];

export const DECODE_DESCRIPTION =
  "bench/inputs.mjs's reference photo at each size, encoded by sharp " +
  `${sharp.versions.sharp} (libvips ${sharp.versions.vips}): JPEG q90 4:2:0 baseline and progressive, PNG RGB and RGBA ` +
  '(alpha = a mirrored copy of the green channel, so it is not constant), WebP lossy q90';

/** Writes every size's files; returns { 'WxH.kind': { bytes, sha256_16 } }. */
export async function writeDecodeFiles(dir, sizes) {
  const files = {};
  for (const [w, h] of sizes) {
    const { ref } = makePair(w, h);
    const rgba = Buffer.from(ref);
    // A varying alpha: PNG's alpha channel then costs what a real one does.
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) rgba[(y * w + x) * 4 + 3] = ref[(y * w + (w - 1 - x)) * 4 + 1];
    }
    for (const [kind, , ext, , encode] of DECODE_FILES) {
      const buf = await encode(sharp(rgba, { raw: { width: w, height: h, channels: 4 } })).toBuffer();
      writeFileSync(`${dir}/${w}x${h}.${kind}.${ext}`, buf);
      files[`${w}x${h}.${kind}`] = { bytes: buf.length, sha256_16: createHash('sha256').update(buf).digest('hex').slice(0, 16) };
    }
  }
  return files;
}
