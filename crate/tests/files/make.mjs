// Makes the small real files the decode tests, the mutation proptest
// (../decode_mutations.rs) and the fuzz seed corpus read: one of each kind
// ssimkit decodes, from one 23x17 synthetic image, by sharp (libpng,
// libjpeg-turbo, libwebp). Run from the repository root:
//   node crate/tests/files/make.mjs
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';

const w = 23, h = 17;
const rgba = Buffer.alloc(w * h * 4);
for (let y = 0; y < h; y++) {
  for (let x = 0; x < w; x++) {
    const i = 4 * (y * w + x);
    rgba[i] = (x * 11) & 255;
    rgba[i + 1] = (y * 15) & 255;
    rgba[i + 2] = ((x + y) * 7) & 255;
    rgba[i + 3] = 255 - ((x * y) & 127);
  }
}
const out = new URL('./', import.meta.url);
const files = {
  'rgb.png': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).removeAlpha().png(),
  'rgba.png': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png(),
  'gray.png': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).removeAlpha().toColourspace('b-w').png(),
  'rgb16.png': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).removeAlpha().toColourspace('rgb16').png(),
  'palette.png': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png({ palette: true, colours: 16 }),
  'interlaced.png': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png({ progressive: true }),
  'baseline420.jpg': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).removeAlpha().jpeg({ quality: 80 }),
  'progressive444.jpg': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).removeAlpha().jpeg({ progressive: true, chromaSubsampling: '4:4:4' }),
  'gray.jpg': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).removeAlpha().toColourspace('b-w').jpeg(),
  'lossy.webp': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).removeAlpha().webp({ quality: 80 }),
  'lossless.webp': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).removeAlpha().webp({ lossless: true }),
  'alpha.webp': () => sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).webp({ quality: 80 }),
};
for (const [name, make] of Object.entries(files)) {
  const buf = await make().toBuffer();
  writeFileSync(new URL(name, out), buf);
  console.log(name, buf.length);
}

// Restart markers (DRI): sharp has no option for them, so libjpeg-turbo's
// cjpeg writes one (Debian's libjpeg-turbo-progs), from the same pixels.
import { execFileSync } from 'node:child_process';
const ppm = Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).removeAlpha().raw().toBuffer()]);
writeFileSync(new URL('restart.jpg', out), execFileSync('cjpeg', ['-restart', '1B', '-quality', '85'], { input: ppm }));
// libjpeg-turbo's own decode of it (djpeg), the reference the Rust test compares to.
writeFileSync(new URL('restart.ppm', out), execFileSync('djpeg', ['-ppm', new URL('restart.jpg', out).pathname]));
