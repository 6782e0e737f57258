// Scores image files (PNG, JPEG, WebP) with ssimkit in Deno:
//   deno run --allow-read score.ts REF IMG          one pair
//   deno run --allow-read score.ts REF_DIR IMG_DIR  each pair of files with the
//                                                   same relative path (recursive)
// Prints a table (--json: the numbers unrounded). Exit status 1 when a pair
// could not be scored, 2 for a usage error.
import { decode, dssim, init, lwssim, msssim, ssim } from 'ssimkit';

const IMAGE = /\.(png|jpe?g|webp)$/i;
// Five MS-SSIM scales halve a side four times and the coarsest must still
// hold the 11-pixel window: sides below 161 have no default MS-SSIM.
const MSSSIM_MIN_SIDE = 161;

interface Row {
  file: string;
  width?: number;
  height?: number;
  ssim?: number;
  msssim?: number | null;
  dssim?: number;
  lwssim?: number;
  error?: string;
}

/** Image files under `dir`, as sorted paths relative to it. */
async function listImages(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(prefix ? `${dir}/${prefix}` : dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listImages(dir, rel));
    else if (e.isFile && IMAGE.test(e.name)) out.push(rel);
  }
  return out.sort();
}

async function scorePair(file: string, refPath: string, imgPath: string): Promise<Row> {
  try {
    // Decoded once each; the four metrics share the pixels.
    const ref = decode(await Deno.readFile(refPath));
    const img = decode(await Deno.readFile(imgPath));
    return {
      file,
      width: ref.width,
      height: ref.height,
      ssim: ssim(ref, img).score,
      msssim: Math.min(ref.width, ref.height) < MSSSIM_MIN_SIDE ? null : msssim(ref, img).score,
      dssim: dssim(ref, img),
      lwssim: lwssim(ref, img).score,
    };
  } catch (e) {
    return { file, error: e instanceof Error ? e.message : String(e) };
  }
}

function table(rows: Row[]): string {
  const num = (v: number | null | undefined) => (v == null ? '-' : v.toFixed(6));
  const lines = [['file', 'size', 'SSIM', 'MS-SSIM', 'DSSIM', 'LWSSIM']];
  for (const r of rows) {
    lines.push(r.error !== undefined
      ? [r.file, `error: ${r.error}`]
      : [r.file, `${r.width}x${r.height}`, num(r.ssim), num(r.msssim), num(r.dssim), num(r.lwssim)]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.filter((l) => l.length > 2).map((l) => l[i].length)));
  return lines.map((l) => (l.length > 2 ? l.map((c, i) => c.padEnd(widths[i])).join('  ') : l.join('  ')).trimEnd()).join('\n');
}

const args = Deno.args.filter((a) => a !== '--json');
const asJson = args.length !== Deno.args.length;
if (args.length !== 2) {
  console.error('usage: deno run --allow-read score.ts [--json] REF IMG | REF_DIR IMG_DIR');
  Deno.exit(2);
}
const [refArg, imgArg] = args;
let refStat: Deno.FileInfo, imgStat: Deno.FileInfo;
try {
  [refStat, imgStat] = [await Deno.stat(refArg), await Deno.stat(imgArg)];
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  Deno.exit(2);
}
if (refStat.isDirectory !== imgStat.isDirectory) {
  console.error('give two files or two folders');
  Deno.exit(2);
}

await init();
const rows: Row[] = [];
const unpaired: string[] = [];
if (refStat.isDirectory) {
  const refs = await listImages(refArg);
  const imgs = await listImages(imgArg);
  const inImg = new Set(imgs);
  for (const f of refs) {
    if (inImg.has(f)) rows.push(await scorePair(f, `${refArg}/${f}`, `${imgArg}/${f}`));
    else unpaired.push(`only in ${refArg}: ${f}`);
  }
  const inRef = new Set(refs);
  for (const f of imgs) if (!inRef.has(f)) unpaired.push(`only in ${imgArg}: ${f}`);
} else {
  rows.push(await scorePair(imgArg, refArg, imgArg));
}

if (asJson) console.log(JSON.stringify({ rows, unpaired }));
else console.log([table(rows), ...unpaired].join('\n'));
if (rows.some((r) => r.error !== undefined)) Deno.exit(1);
