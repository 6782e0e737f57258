// Paths start at this file's folder; PNG, JPEG and WebP are decoded by ssimkit.
test('the JPEG at quality 20 keeps the photo\'s structure', () => {
  expect('../images/chelsea-jpeg-q20.png').toBeSimilarTo('../images/chelsea.png', { ssim: 0.8, msssim: 0.95 });
});

test('but it is no copy: its DSSIM is above 0.01', () => {
  expect('../images/chelsea-jpeg-q20.png').not.toBeSimilarTo('../images/chelsea.png', { dssim: 0.01 });
});
