// WebKit (Safari's engine) as Debian ships it: WebKitGTK's MiniBrowser,
// driven over W3C WebDriver by WebKitWebDriver (webkit2gtk-driver) through
// npm's selenium-webdriver. MiniBrowser (GTK 3) has no headless mode, so it
// draws into an Xvfb server of our own: Xvfb picks a free display itself
// (-displayfd), so parallel runs never collide, and everything started here
// is stopped by its own process id.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Builder, type WebDriver } from 'selenium-webdriver';

export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB = '/usr/bin/Xvfb';

export interface WebKit {
  driver: WebDriver;
  display: string;
  /** What the driver and Xvfb wrote to stderr (for a failure's message). */
  log(): string;
  close(): Promise<void>;
}

/** Whether WebKitWebDriver, MiniBrowser and Xvfb are installed (scripts/setup.sh). */
export function webkitInstalled(): boolean {
  return [WEBKIT_DRIVER, MINIBROWSER, XVFB].every((f) => existsSync(f));
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** Starts Xvfb on the first free display; resolves with ':N'. */
function startXvfb(logs: string[]): Promise<{ proc: ChildProcess; display: string }> {
  // The display number arrives on fd 3 once the server accepts connections.
  const proc = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  proc.stderr!.on('data', (c) => logs.push(`xvfb: ${c}`));
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); fail(new Error(`Xvfb did not start within 10 s: ${logs.join('')}`)); }, 10_000);
    (proc.stdio[3] as NodeJS.ReadableStream).on('data', (c) => {
      out += c;
      if (out.includes('\n')) { clearTimeout(timer); ok({ proc, display: `:${out.trim()}` }); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`Xvfb exited (${code}): ${logs.join('')}`)); });
  });
}

async function waitForDriver(url: string, proc: ChildProcess, logs: string[]): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < 10_000) {
    if (proc.exitCode !== null) throw new Error(`WebKitWebDriver exited (${proc.exitCode}): ${logs.join('')}`);
    try {
      if ((await fetch(`${url}/status`)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`WebKitWebDriver did not answer within 10 s: ${logs.join('')}`);
}

function stop(proc: ChildProcess | undefined, group = false): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const timer = setTimeout(ok, 5000);
    proc.on('exit', () => { clearTimeout(timer); ok(); });
    try {
      if (group) process.kill(-proc.pid!, 'SIGKILL');
      else proc.kill('SIGTERM');
    } catch { ok(); }
  });
}

/**
 * Xvfb, WebKitWebDriver and a MiniBrowser session (`--automation`: the
 * browser accepts the driver); `env` reaches the browser's processes (JSC_*
 * options, say). close() ends the session and stops the
 * driver (its process group: MiniBrowser and its web processes with it)
 * and Xvfb.
 */
export async function startWebKit(env: Record<string, string> = {}): Promise<WebKit> {
  const logs: string[] = [];
  const x = await startXvfb(logs);
  let driverProc: ChildProcess | undefined;
  try {
    const port = await freePort();
    driverProc = spawn(WEBKIT_DRIVER, [`--port=${port}`], {
      env: { ...process.env, ...env, DISPLAY: x.display },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so MiniBrowser goes with it
    });
    driverProc.stdout!.on('data', (c) => logs.push(`driver: ${c}`));
    driverProc.stderr!.on('data', (c) => logs.push(`driver: ${c}`));
    const url = `http://127.0.0.1:${port}`;
    await waitForDriver(url, driverProc, logs);
    const driver = await new Builder().usingServer(url).withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    }).build();
    const d = driverProc;
    return {
      driver, display: x.display, log: () => logs.join(''),
      async close() {
        await Promise.race([driver.quit().catch(() => {}), new Promise((ok) => setTimeout(ok, 10_000))]);
        await stop(d, true);
        await stop(x.proc);
      },
    };
  } catch (e) {
    await stop(driverProc, true);
    await stop(x.proc);
    throw e;
  }
}
