// Loading a build. Entries per runtime (node.ts, deno.ts, index.ts for
// browsers, workerd.ts, edge-light.ts) differ only in how they find a
// build's .wasm and, where threads can run, how they start workers; the
// rest is here. Two builds: 'simd' (single-threaded SIMD128, every host)
// and 'threads' (SIMD128 + atomics on a shared memory, rayon's pool on
// workers: Node, Deno, Web Workers of cross-origin-isolated pages).

import { type Backend, setBackend } from './backend.js';
import { compileSource, DEFAULT_THREADS_CAP, hostHasSharedMemory, MAX_THREADS, startThreads, type ThreadSupport } from './threads.js';
import type { InitInfo, InitOptions, WasmSource } from './types.js';
import { checkKeys, positiveInt } from './validate.js';
import * as simd from './wasm/simd/ssimkit.js';

export type BuildName = InitInfo['build'];

/** How a runtime finds the default module of a build. */
export interface Runtime {
  name: InitInfo['runtime'];
  locate(build: BuildName): WasmSource | Promise<WasmSource>;
  /** Absent where threads never run (workerd, Vercel Edge). */
  threads?: ThreadSupport;
}

// A module using one SIMD128 instruction (i32x4.splat): validating it tells
// whether this host runs SIMD without compiling the real module.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11]);

export function hostHasSimd(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

function info(runtime: InitInfo['runtime'], build: BuildName, b: Backend, threads: number): InitInfo {
  const features = b.buildFeatures().split(',').filter(Boolean);
  return { build, simd: features.includes('simd128'), threads, runtime, features };
}

function checkOptions(fn: string, options: unknown, allowed: readonly string[]): InitOptions {
  const o = checkKeys(fn, options, allowed) as InitOptions;
  if (o.threads !== undefined) {
    const n = positiveInt(fn, 'threads', o.threads);
    if (n > MAX_THREADS) throw new RangeError(`${fn}: threads must be at most ${MAX_THREADS}, got ${n}`);
    if (n > 1 && o.module !== undefined) {
      throw new TypeError(`${fn}: options module and threads > 1 cannot be combined (a supplied module is the single-threaded simd build)`);
    }
  }
  return o;
}

function requireSimd(fn: string): void {
  if (!hostHasSimd()) {
    throw new Error(`${fn}: this host's WebAssembly has no SIMD128 (needed by ssimkit; every current browser, Node >= 16, Deno and edge runtime have it)`);
  }
}

/** Why this context cannot run the threaded build, or undefined. */
function threadsUnavailable(rt: Runtime): string | undefined {
  if (!rt.threads) return `${rt.name} has no threads`;
  const why = rt.threads.unavailable();
  if (why) return why;
  if (!hostHasSharedMemory()) return 'this host has no shared WebAssembly memory (SharedArrayBuffer)';
  return undefined;
}

export function makeInit(rt: Runtime) {
  let loaded: Promise<InitInfo> | undefined;
  let ready: InitInfo | undefined;

  async function load(o: InitOptions): Promise<InitInfo> {
    requireSimd('init');
    const why = o.module === undefined ? threadsUnavailable(rt) : 'a module was supplied';
    let n: number;
    if (o.threads !== undefined) {
      n = o.threads;
      if (n > 1 && why) throw new Error(`init: threads: ${n} cannot be used here: ${why}`);
    } else {
      n = why ? 1 : Math.min(rt.threads!.parallelism(), DEFAULT_THREADS_CAP);
    }
    if (n > 1) {
      try {
        const { glue, size } = await startThreads(rt.threads!, await rt.locate('threads'), n);
        const b = glue as unknown as Backend;
        setBackend(b);
        return info(rt.name, 'threads', b, size);
      } catch (e) {
        // Asked for: the failure is the answer. Chosen by default: the
        // single-threaded build still gives the same numbers.
        if (o.threads !== undefined) throw new Error(`init: could not start ${n} threads: ${(e as Error)?.message ?? e}`, { cause: e });
      }
    }
    // Compiled here and instantiated with initSync: the glue's async loader
    // probes the global `Response`, which costs Node ~30 ms (undici loads).
    // A Module from another realm (an edge VM's host) fails the glue's
    // instanceof check in initSync, so it takes the async loader.
    const module = await compileSource(await (o.module ?? rt.locate('simd')));
    if (module instanceof WebAssembly.Module) simd.initSync({ module });
    else await simd.default({ module_or_path: module });
    const b = simd as unknown as Backend;
    setBackend(b);
    return info(rt.name, 'simd', b, 1);
  }

  /**
   * Loads the WebAssembly once; later calls return the same promise. Picks
   * the threaded build where this context can block on a pool (Node, Deno,
   * a Web Worker of a cross-origin-isolated page), the simd build elsewhere.
   * `{ threads: n }` chooses: 1 is the simd build, n > 1 a pool of n.
   * Pass `{ module }` (a compiled `WebAssembly.Module`, bytes, a `Response`
   * or a URL of the simd build) to supply the wasm yourself, as edge
   * runtimes must.
   */
  function init(options?: InitOptions): Promise<InitInfo> {
    if (loaded) return loaded;
    loaded = (async () => {
      const o = checkOptions('init', options, ['module', 'threads']);
      ready = await load(o);
      return ready;
    })();
    // A failed load (a wrong path, say) may be retried.
    loaded.catch(() => { loaded = undefined; });
    return loaded;
  }

  /** Synchronous init of the simd build from a compiled module or its bytes (e.g. in a Worker). */
  function initSync(options: { module: WebAssembly.Module | BufferSource }): InitInfo {
    if (ready) return ready;
    const o = checkOptions('initSync', options, ['module']);
    if (o.module === undefined) throw new TypeError('initSync: pass { module } (a WebAssembly.Module or its bytes)');
    requireSimd('initSync');
    simd.initSync({ module: o.module as WebAssembly.Module });
    setBackend(simd as unknown as Backend);
    ready = info(rt.name, 'simd', simd as unknown as Backend, 1);
    loaded = Promise.resolve(ready);
    return ready;
  }

  return { init, initSync };
}
