import { readFileSync } from 'node:fs'; import { init, ssim } from 'ssimkit';
await init();
console.log(ssim(readFileSync(process.argv[2]), readFileSync(process.argv[3])).score);
