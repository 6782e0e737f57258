import { decode, dssim, lwssim, msssim, ssim } from 'ssimkit';

// Each file is decoded once (PNG, JPEG or WebP, by ssimkit's WebAssembly) and
// the four metrics share its pixels. MS-SSIM needs at least 161 pixels a side.
export function score(refBytes, imgBytes) {
  const ref = decode(refBytes);
  const img = decode(imgBytes);
  return {
    ssim: ssim(ref, img).score,
    msssim: Math.min(ref.width, ref.height) >= 161 ? msssim(ref, img).score : null,
    dssim: dssim(ref, img),
    lwssim: lwssim(ref, img).score,
  };
}
