// Type-checked by typescript.test.ts with skipLibCheck off (TF.js's own
// declarations do not pass strict checks, so consumer.ts needs it on): every
// declaration file of ssimkit's main entry must check cleanly.
import { decode, init, type InitInfo, lwssim, msssim, ssim, ssimLoss } from 'ssimkit';

export async function score(ref: Uint8Array, img: Uint8Array): Promise<number> {
  const info: InitInfo = await init({ threads: 1 });
  const a = decode(ref), b = decode(img);
  const loss = ssimLoss({ data: new Float32Array(16 * 16), shape: [1, 16, 16, 1] }, { data: new Float32Array(16 * 16), shape: [1, 16, 16, 1] }, { grad: true });
  // @ts-expect-error msssim's scales are a number or 'auto'
  msssim(a, b, { scales: 'all' });
  return ssim(a, b).score + msssim(a, b, { scales: 'auto' }).score + lwssim(a, b).score + info.threads + loss.loss + (loss.grad?.length ?? 0);
}
