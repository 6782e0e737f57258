// What a pool larger than the machine costs (a browser's
// navigator.hardwareConcurrency may overstate the cores: WebKitGTK says 4 on
// 2). Runs SSIM + MS-SSIM on a 1080p RGB pair with a pool of the core count
// and of `factor` times it, interleaved in fresh processes, and prints the medians.
// Usage: node bench/oversubscribe.mjs [rounds=4] [factor=2]
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const rounds = Number(process.argv[2] ?? 4);
const factor = Number(process.argv[3] ?? 2);
if (process.env.SSIMKIT_OVERSUB_CHILD) {
  const s = await import('../dist/node.js');
  await s.init({ threads: Number(process.env.SSIMKIT_OVERSUB_CHILD) });
  const W = 1920, H = 1080, a = new Uint8Array(W * H * 3), b = new Uint8Array(W * H * 3);
  for (let i = 0; i < a.length; i++) { a[i] = (i * 37) % 251; b[i] = (a[i] + (i % 13)) % 256; }
  const A = { data: a, width: W, height: H }, B = { data: b, width: W, height: H };
  s.ssim(A, B);
  const t = [];
  for (let i = 0; i < 9; i++) { const t0 = performance.now(); s.ssim(A, B); s.msssim(A, B); t.push(performance.now() - t0); }
  console.log(t.sort((x, y) => x - y)[4]);
} else {
  const cores = availableParallelism();
  const med = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
  const over = factor * cores;
  const times = { [cores]: [], [over]: [] };
  for (let r = 0; r < rounds; r++) {
    for (const n of [cores, over]) {
      const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname], { env: { ...process.env, SSIMKIT_OVERSUB_CHILD: String(n) }, encoding: 'utf8' });
      times[n].push(Number(out.trim()));
    }
  }
  const [a, b] = [med(times[cores]), med(times[over])];
  console.log(`${cores} threads: ${a.toFixed(0)} ms; ${over} threads: ${b.toFixed(0)} ms (median of ${rounds}); ratio ${(b / a).toFixed(3)}`);
}
