// Stock Firefox ESR (Debian's firefox-esr, headless). First the shared
// browser cases (browser-cases.ts): the packed package on a
// cross-origin-isolated page, the simd build on the main thread, the
// threaded build in a module Worker, Node's bits everywhere. Then the pool
// start again and again: each launch is a fresh browser whose isolated page
// runs init() in a module Worker, the pool on nested module Workers
// (test/runtimes/firefox-pool.mjs). Every launch must settle within a bound,
// with a pool that really runs or with the simd build and the reason
// (InitInfo.fallback), and score as Node does.
//
// Firefox runs with no automation attached (it opens the page itself; the
// page reports by POST): under puppeteer-core's WebDriver BiDi session
// Firefox's own nested `new Worker()` sometimes blocks the calling worker
// for good, before ssimkit can do anything (measured, see
// scripts/soak-firefox.mjs, `npm run soak:firefox`, which runs both ways).
// SSIMKIT_FIREFOX_DRIVER=puppeteer runs the cases under puppeteer instead;
// SSIMKIT_FIREFOX_LAUNCHES sets the launch count (default 8, ~6 s each).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { browserSuite } from './browser-cases.js';
import { FIREFOX, firefoxPool, openFirefox } from './firefox-pool.mjs';
import { resolveExport, scratch, testPackage } from './harness.js';

const LAUNCHES = Number(process.env.SSIMKIT_FIREFOX_LAUNCHES ?? 8);
const DRIVER = process.env.SSIMKIT_FIREFOX_DRIVER ?? 'none';
/** init() must settle within this: the pool's 10 s start deadline, plus loading. */
const BOUND_MS = 20_000;

type Launch = { outcome: string; ms: number; result?: { info: { build: string; threads: number; fallback?: string }; initMs: number; score: number; used: number; crossOriginIsolated: boolean; hardwareConcurrency: number; error?: string }; trace?: unknown };
const runs: Launch[] = [];
let nodeScore: number;

browserSuite({ name: 'firefox', threads: true, open: (url) => openFirefox(url, DRIVER) });

describe('firefox launches', () => {
  beforeAll(async () => {
    const pkg = testPackage();
    // Node's score of the page's two images (the same generator).
    const s = scratch(pkg);
    try {
      const api = await import(/* @vite-ignore */ pathToFileURL(join(pkg.dir, 'dist/node.js')).href);
      await api.init(); // the build nodeReference loaded, or its own: the same bits
      const n = 64 * 48 * 3;
      const a = { data: new Uint8Array(n).map((_, i) => (i * 7) & 255), width: 64, height: 48 };
      const b = { data: new Uint8Array(n).map((_, i) => (i * 7 + (i % 5)) & 255), width: 64, height: 48 };
      nodeScore = api.ssim(a, b).score;
    } finally {
      s.remove();
    }
    const entry = `/pkg/${resolveExport(pkg.manifest, ['browser', 'import']).replace(/^\.\//, '')}`;
    const ff = await firefoxPool(join(pkg.dir, 'dist'), { driver: 'none', hangMs: 40_000, entry });
    try {
      for (let i = 0; i < LAUNCHES; i++) runs.push(await ff.launch());
    } finally {
      await ff.close();
    }
  }, LAUNCHES * 60_000 + 60_000);

  test('firefox-esr is installed (scripts/setup.sh)', () => {
    expect(existsSync(FIREFOX)).toBe(true);
  });

  test(`${LAUNCHES} launches: every threaded init() settles within ${BOUND_MS / 1000} s, with a pool or a reported fallback`, () => {
    const line = (r: Launch, i: number) => `#${i + 1} ${r.outcome} ${r.ms} ms ${JSON.stringify(r.result ?? r.trace)}`;
    expect(runs).toHaveLength(LAUNCHES);
    for (const [i, r] of runs.entries()) {
      expect(['threads', 'simd'], line(r, i)).toContain(r.outcome);
      expect(r.result!.initMs, line(r, i)).toBeLessThan(BOUND_MS);
      expect(r.result!.crossOriginIsolated).toBe(true);
      if (r.outcome === 'simd') expect(r.result!.info.fallback, line(r, i)).toMatch(/^the thread pool could not start: /);
      else {
        expect(r.result!.info.threads, line(r, i)).toBeGreaterThan(1);
        expect(r.result!.info.threads, line(r, i)).toBeLessThanOrEqual(Math.min(r.result!.hardwareConcurrency, 8));
      }
    }
  });

  test("the pools really run on their threads, and every launch gives Node's score, bit for bit", () => {
    const pools = runs.filter((r) => r.outcome === 'threads');
    expect(pools.length).toBeGreaterThan(0);
    expect(Math.max(...pools.map((r) => r.result!.used))).toBeGreaterThan(1);
    for (const r of runs) expect(r.result?.score).toBe(nodeScore);
  });
});
