// deno run --allow-read first.ts REF IMG: the SSIM of two image files.
import { init, ssim } from 'ssimkit';

await init();
const [ref, img] = await Promise.all(Deno.args.map((f) => Deno.readFile(f)));
console.log(ssim(ref, img).score);
