import { readFileSync } from 'node:fs';
import { decode } from 'ssimkit';
import { expect, test } from 'vitest';

// Paths start at this file's folder; PNG, JPEG and WebP are decoded by ssimkit.
test('the JPEG at quality 20 keeps the photo\'s structure', () => {
  expect('../images/chelsea-jpeg-q20.png').toBeSimilarTo('../images/chelsea.png', { ssim: 0.8, msssim: 0.95 });
});

test('but it is no copy: it fails a 0.99 SSIM bar', () => {
  expect('../images/chelsea-jpeg-q20.png').not.toBeSimilarTo('../images/chelsea.png', { ssim: 0.99 });
});

test('decoded pixels and file bytes work as well', () => {
  const rendered = decode(readFileSync(new URL('../images/chelsea.png', import.meta.url)));
  expect(rendered).toBeSimilarTo('../images/chelsea.png');
});
