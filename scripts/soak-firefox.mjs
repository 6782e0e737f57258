// Soak test of the threaded pool start in stock Firefox ESR: N fresh
// browser launches, each a cross-origin-isolated page whose module Worker
// awaits init() (test/runtimes/firefox-pool.mjs). Every launch must resolve
// within the bound: with a pool, or with a reported fallback to simd.
//
//   npm run soak:firefox -- [launches=50] [--threads N] [--driver puppeteer|none] [--dist DIR] [--json FILE]
//
// Prints one line per launch and a summary; exits 1 if any launch hung,
// errored or took longer than the bound.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firefoxPool } from '../test/runtimes/firefox-pool.mjs';

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const threads = flag('--threads');
const dist = resolve(flag('--dist') ?? fileURLToPath(new URL('../dist', import.meta.url)));
const json = flag('--json');
const driver = flag('--driver') ?? 'puppeteer';
const launches = Number(args[0] ?? 50);
// init() must settle within this (the pool's own start bound is 10 s); a
// launch that has not settled by HANG_MS is counted as a hang.
const BOUND_MS = 20_000, HANG_MS = 45_000;

const { launch, close } = await firefoxPool(dist, { options: threads ? { threads: Number(threads) } : undefined, hangMs: HANG_MS, driver });
const runs = [];
const t0 = Date.now();
try {
  for (let i = 1; i <= launches; i++) {
    const r = await launch();
    runs.push(r);
    const info = r.result?.info;
    const detail = r.outcome === 'hang' ? `last trace: ${JSON.stringify(r.trace?.slice(-4))}`
      : r.result?.error ? r.result.error
      : `threads ${info.threads}, used ${r.result.used}, init ${r.result.initMs} ms${info.fallback ? `, fallback: ${info.fallback}` : ''}`;
    console.log(`${String(i).padStart(3)} ${r.outcome.padEnd(8)} ${String(r.ms).padStart(6)} ms  ${detail}`);
  }
} finally {
  await close();
}
const count = (o) => runs.filter((r) => r.outcome === o).length;
const initMs = runs.filter((r) => r.result?.initMs !== undefined).map((r) => r.result.initMs).sort((a, b) => a - b);
const slow = runs.filter((r) => r.result?.initMs > BOUND_MS).length;
const summary = {
  driver, launches: runs.length, threads: count('threads'), simd: count('simd'), error: count('error'), hang: count('hang'),
  driverError: count('driver-error'), slowerThanBound: slow,
  initMs: initMs.length ? { min: initMs[0], median: initMs[initMs.length >> 1], max: initMs.at(-1) } : null,
  fallbacks: [...new Set(runs.map((r) => r.result?.info?.fallback).filter(Boolean))],
  minutes: +((Date.now() - t0) / 60_000).toFixed(1),
};
console.log(JSON.stringify(summary));
if (json) writeFileSync(json, JSON.stringify({ summary, runs }, null, 1));
process.exit(summary.hang || summary.error || summary.driverError || slow ? 1 : 0);
