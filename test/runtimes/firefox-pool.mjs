// Starts ssimkit's threaded pool in stock Firefox ESR, again and again: a
// cross-origin-isolated page (COOP same-origin, COEP require-corp) starts a
// module Worker, which imports the browser entry and awaits init() (the
// threaded build, its pool on nested module Workers). One "launch" is a
// fresh Firefox process (headless; opening the page itself, or driven by
// puppeteer-core over WebDriver BiDi).
// Shared by test/runtimes/firefox.test.ts (a few launches in `npm test`) and
// scripts/soak-firefox.mjs (many). Plain JavaScript: Node runs it as it is.
//
// Every worker (the caller and the pool's nested workers) can post trace
// events on a BroadcastChannel that the page records: it reaches the page
// even while the calling worker is blocked, so a launch that never finishes
// still says how far it got.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { serveIsolated } from './isolated-server.mjs';

export const FIREFOX = '/usr/bin/firefox-esr';

/**
 * Opens `url` in a fresh Firefox ESR, headless, and resolves once it is
 * navigating; the page reports to its server by POST. `driver`: 'none'
 * (firefox-esr opens the page itself, no automation in the browser: its own
 * profile and process group, so close() ends the content processes too) or
 * 'puppeteer' (puppeteer-core over WebDriver BiDi, Firefox's Remote Agent
 * on). Resolves with { close() }.
 */
export async function openFirefox(url, driver = 'none') {
  if (driver === 'none') {
    const profile = mkdtempSync(join(tmpdir(), 'ssimkit-ff-'));
    const ff = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, url], { stdio: 'ignore', detached: true });
    return {
      async close() {
        try { process.kill(-ff.pid, 'SIGKILL'); } catch { /* gone already */ }
        await new Promise((ok) => setTimeout(ok, 300));
        rmSync(profile, { recursive: true, force: true });
      },
    };
  }
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi',
    // Each launch its own profile (puppeteer's temporary one), no updates or telemetry.
    extraPrefsFirefox: { 'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false },
  });
  // A hung page must not hold the browser: close, then kill what is left.
  const close = async () => {
    const proc = browser.process();
    await Promise.race([browser.close().catch(() => {}), new Promise((ok) => setTimeout(ok, 10_000))]);
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  };
  try {
    const page = await browser.newPage();
    await page.goto(url);
  } catch (e) {
    await close();
    throw e;
  }
  return { close };
}

// The calling worker: init(options), then a small score and threadsUsed().
const workerScript = (options, entry) => `
const trace = new BroadcastChannel('ssimkit-trace');
const t0 = performance.now();
const say = (stage, extra) => trace.postMessage({ who: 'caller', stage, t: Math.round(performance.now() - t0), ...extra });
try {
  const ssimkit = await import('${entry}');
  say('imported');
  const first = await ssimkit.init(${JSON.stringify(options ?? null)} ?? undefined);
  say('init resolved', { info: first });
  // The default init() resolves with its pool still starting: the second
  // resolves once the pool runs or has fallen back (what is judged here).
  const info = await ssimkit.init();
  const initMs = Math.round(performance.now() - t0);
  say('pool settled', { info });
  const n = 64 * 48 * 3;
  const a = { data: new Uint8Array(n).map((_, i) => (i * 7) & 255), width: 64, height: 48 };
  const b = { data: new Uint8Array(n).map((_, i) => (i * 7 + (i % 5)) & 255), width: 64, height: 48 };
  const score = ssimkit.ssim(a, b).score;
  const used = Math.max(ssimkit.threadsUsed(), ssimkit.threadsUsed(), ssimkit.threadsUsed());
  postMessage({ info, initMs, score, used, hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated });
} catch (e) {
  postMessage({ error: String(e && e.name) + ': ' + String(e && e.message), stack: String(e && e.stack) });
}`;

// The page reports by POST to the server, so that a launch needs nothing
// from the driver after navigation (and can run with no driver at all).
const PAGE = `<!doctype html><meta charset="utf-8"><title>ssimkit pool</title><link rel="icon" href="data:,">
<script type="module">
const id = new URL(location.href).searchParams.get('id');
const trace = [];
const report = (body) => fetch('/report?id=' + id, { method: 'POST', body: JSON.stringify(body) });
const stages = () => trace.map((t) => (t.sab ? { ...t, sab: Array.from(new Int32Array(t.sab)).map((v, i) => (v ? i + ':' + v : '')).filter(Boolean) } : t));
new BroadcastChannel('ssimkit-trace').onmessage = (e) => trace.push(e.data);
// A trace every 2 s, so that a launch that never finishes still says how far it got.
setInterval(() => report({ trace: stages() }), 2000);
const w = new Worker('/caller.mjs', { type: 'module' });
w.onmessage = (e) => report({ result: e.data, trace: stages() });
w.onerror = (e) => report({ result: { error: 'worker: ' + (e.message || 'failed to load') }, trace: stages() });
</script>`;

/**
 * Starts a server for `dist` and returns `launch()`: one fresh Firefox, one
 * page, one init(options) in its Worker. A launch resolves (never rejects)
 * with { outcome, ms, result, trace }: outcome 'threads' (a pool), 'simd'
 * (the pool settled on the simd build; result.info.fallback says why),
 * 'error' (init or a call threw) or 'hang' (nothing within hangMs).
 * `driver`: 'puppeteer' (puppeteer-core over WebDriver BiDi, Firefox's
 * Remote Agent on) or 'none' (firefox-esr --headless opens the page itself:
 * no automation in the browser at all).
 */
export async function firefoxPool(dist, { options, hangMs = 60_000, driver = 'puppeteer', entry = '/pkg/dist/index.js' } = {}) {
  const reports = new Map();
  const { origin, close } = await serveIsolated({
    routes: { '/pkg/dist/': dist },
    docs: { '/': ['text/html', PAGE], '/caller.mjs': ['text/javascript', workerScript(options, entry)] },
    onPost: (path, params, body) => {
      const id = params.get('id');
      if (path === '/report') reports.set(id, { ...reports.get(id), ...JSON.parse(body) });
    },
  });
  let launches = 0;
  async function launch() {
    const id = String(++launches);
    const t0 = Date.now();
    let ff;
    try {
      ff = await openFirefox(`${origin}/?id=${id}`, driver);
    } catch (e) {
      return { outcome: 'driver-error', ms: Date.now() - t0, error: String(e?.stack ?? e) };
    }
    const opened = Date.now();
    try {
      while (!reports.get(id)?.result && Date.now() - opened < hangMs) await new Promise((ok) => setTimeout(ok, 50));
      const { result, trace } = reports.get(id) ?? {};
      const outcome = result === undefined ? 'hang' : result.error ? 'error' : result.info.build;
      return { outcome, ms: Date.now() - opened, launchMs: opened - t0, result, trace };
    } finally {
      await ff.close();
    }
  }
  return { launch, origin, close };
}
