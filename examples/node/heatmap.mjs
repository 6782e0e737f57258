import { readFileSync, writeFileSync } from 'node:fs';
import { encodePng, heatmap, init, ssim } from 'ssimkit';

await init();
const [ref, img] = process.argv.slice(2);
const r = ssim(readFileSync(ref), readFileSync(img), { map: true });
// RGBA as large as the image: dark where the images differ, light where equal.
writeFileSync('heatmap.png', encodePng(heatmap(r)));
console.log(`SSIM ${r.score.toFixed(4)}: heatmap.png (${r.width}x${r.height})`);
