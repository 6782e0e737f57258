// examples/cloudflare-worker, built as `wrangler deploy` builds it (the
// installed wrangler's --dry-run, in a staged copy of the project whose
// `ssimkit` is the packed package) and run in workerd through miniflare.
// Memory of the 4K JPEG pair: wasm memory as the worker reports it, and the
// isolate's V8 heap read over workerd's inspector (Chrome DevTools protocol).

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { endpointCases, type Fetch, MAX_PIXELS } from './endpoint-cases.js';
import { stageExample } from './examples.js';
import { BIN, importPackage, testPackage } from './harness.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
let mf: Miniflare | undefined;
let fetch: Fetch;
let api: any;
let built: string[];
let vars: Record<string, unknown>;
let inspector: Inspector;

/** A Chrome DevTools protocol session on workerd's inspector. */
class Inspector {
  #ws: WebSocket;
  #id = 0;
  #waiting = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      this.#waiting.get(m.id)?.(m);
      this.#waiting.delete(m.id);
    });
  }
  static async open(port: number): Promise<Inspector> {
    const targets = await (await globalThis.fetch(`http://127.0.0.1:${port}/json/list`)).json() as { title: string; webSocketDebuggerUrl: string }[];
    const target = targets.find((t) => /user/.test(t.title) || /user/.test(t.webSocketDebuggerUrl)) ?? targets[0]!;
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    return new Inspector(ws);
  }
  send<T>(method: string, params: object = {}): Promise<T> {
    const id = ++this.#id;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.#waiting.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result as T))));
  }
  close() {
    this.#ws.close();
  }
}

interface HeapUsage { usedSize: number; totalSize: number; embedderHeapUsedSize?: number; backingStorageSize?: number }

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});

beforeAll(async () => {
  const pkg = testPackage();
  api = await importPackage(pkg);
  await api.init();
  const stage = stageExample(pkg, 'cloudflare-worker');
  const out = mkdtempSync(join(tmpdir(), 'ssimkit-worker-'));
  try {
    await run(join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', out], {
      cwd: stage.dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: join(out, 'logs'), NO_COLOR: '1', CI: '1' },
      timeout: 60_000,
    });
    built = readdirSync(out);
    const { unstable_getMiniflareWorkerOptions: options } = await import('wrangler');
    const { workerOptions } = options(join(stage.dir, 'wrangler.toml'));
    vars = (workerOptions.bindings ?? {}) as Record<string, unknown>;
    const inspectorPort = await freePort();
    mf = new Miniflare({
      modules: true,
      modulesRoot: out,
      scriptPath: join(out, 'index.js'),
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: workerOptions.compatibilityDate,
      bindings: vars as Record<string, string>,
      inspectorPort,
    });
    await mf.ready;
    fetch = (init) => mf!.dispatchFetch('http://worker/', init);
    inspector = await Inspector.open(inspectorPort);
  } finally {
    rmSync(out, { recursive: true, force: true });
    stage.remove();
  }
});

afterAll(async () => {
  inspector?.close();
  await mf?.dispose();
});

describe('examples/cloudflare-worker in workerd', () => {
  test('wrangler built one module and the .wasm beside it; maxPixels from wrangler.toml is 4K', () => {
    expect(built.filter((f) => f.endsWith('.wasm'))).toHaveLength(1);
    expect(built).toContain('index.js');
    expect(vars).toEqual({ MAX_PIXELS: String(MAX_PIXELS) });
  });

  let before: HeapUsage, after: HeapUsage, wasm: number, k4bytes: number, sent: number, took: number;
  endpointCases(() => ({ fetch, api }), {
    before: async (files) => {
      k4bytes = files.ref.length + files.img.length;
      before = await inspector.send<HeapUsage>('Runtime.getHeapUsage');
      sent = performance.now();
    },
    // Read right after the answer (workerd does not answer
    // HeapProfiler.collectGarbage): what the request left on the heap, its
    // decoded pixels included unless V8 collected them already.
    after: async (answer) => {
      took = performance.now() - sent;
      after = await inspector.send<HeapUsage>('Runtime.getHeapUsage');
      wasm = Number(answer.headers.get('ssimkit-wasm-memory-bytes'));
    },
  });

  test('memory of the 4K JPEG pair, against the 128 MB isolate limit', () => {
    // The isolate holds its V8 heap, the ArrayBuffers' backing stores (the
    // decoded pixels, the uploaded files) and the wasm memory, which
    // getHeapUsage does not count (nor does wasm memory ever shrink).
    const total = (h: HeapUsage) => h.usedSize + (h.backingStorageSize ?? 0);
    const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
    const line = (h: HeapUsage) => `JS heap ${mib(h.usedSize)} (of ${mib(h.totalSize)}) + ArrayBuffers ${mib(h.backingStorageSize ?? NaN)}`;
    const isolate = total(after) + wasm;
    console.log(`workerd, 4K JPEG pair (${mib(k4bytes)} of files, answered in ${(took / 1000).toFixed(1)} s): wasm memory ${mib(wasm)}; ` +
      `before the request ${line(before)}; after it ${line(after)}; isolate total ${mib(isolate)} (${(isolate / 1e6).toFixed(1)} MB of 128 MB)`);
    // Both decoded images still counted: nothing was collected during the
    // request, so the ArrayBuffers read here bound their peak from above.
    expect(after.backingStorageSize).toBeGreaterThanOrEqual(2 * 3840 * 2160 * 3);
    expect(wasm).toBeGreaterThan(0);
    expect(isolate).toBeLessThanOrEqual(128e6);
  });
});
