// Loading a build. Entries per runtime (node.ts, deno.ts, index.ts for
// browsers, workerd.ts, edge-light.ts) differ only in how they find a
// build's .wasm and, where threads can run, how they start workers; the
// rest is here. Three builds: 'simd' (single-threaded SIMD128, every
// current host), 'threads' (SIMD128 + atomics on a shared memory, rayon's
// pool on workers: Node, Deno, Web Workers of cross-origin-isolated pages)
// and 'scalar' (no SIMD128: hosts without it, or `simd: false`). All three
// give the same bits: the kernels' SIMD and scalar forms are twins.
//
// State: one build per JavaScript realm, chosen by the first init() or
// initSync(). Later calls with no options, or with options the loaded
// build satisfies, return its InitInfo; options it cannot satisfy are an
// Error that says what is loaded. initSync() while init() is still loading
// is an Error (it cannot wait, and two loads would leave two backends).
// The default init() resolves on the simd build and starts its pool behind
// it (loadInBackground): ~15 ms instead of the workers' 60-150 ms; a later
// init() waits for the pool's outcome. threads: n waits for its pool. A pool
// that cannot start falls back to simd (default) or fails (threads: n),
// within POOL_START_TIMEOUT_MS; a pool thread that fails later switches
// ssimkit to the simd build for good (threads.ts, guardBackend).

import { type Backend, setBackend } from './backend.js';
import { compileSource, DEFAULT_THREADS_CAP, guardBackend, hostHasSharedMemory, MAX_THREADS, type Pool, startThreads, type ThreadSupport } from './threads.js';
import type { InitInfo, InitOptions, WasmSource } from './types.js';
import { positiveInt, readOptions } from './validate.js';
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

function info(runtime: InitInfo['runtime'], build: BuildName, b: Backend, threads: number, fallback?: string): InitInfo {
  const features = b.buildFeatures().split(',').filter(Boolean);
  const i: InitInfo = { build, simd: features.includes('simd128'), threads, runtime, features };
  if (fallback !== undefined) i.fallback = fallback;
  return i;
}

/** The options, each read once (a getter cannot change them afterwards). */
interface Options {
  module?: WasmSource | Promise<WasmSource>;
  threads?: number;
  simd?: boolean;
  given: boolean;
}

function checkOptions(fn: string, options: unknown, allowed: readonly string[]): Options {
  const o = readOptions(fn, options, allowed) as InitOptions;
  const threads = allowed.includes('threads') ? o.threads : undefined;
  const simd = allowed.includes('simd') ? o.simd : undefined;
  const module = o.module;
  const out: Options = { given: threads !== undefined || module !== undefined || simd !== undefined };
  if (simd !== undefined) {
    if (typeof simd !== 'boolean') throw new TypeError(`${fn}: simd must be true or false, got ${typeof simd === 'string' ? JSON.stringify(simd) : String(simd)}`);
    if (!simd && threads !== undefined && threads > 1) {
      throw new TypeError(`${fn}: simd: false (the scalar build) and threads > 1 cannot be combined (the threaded build uses SIMD128)`);
    }
    out.simd = simd;
  }
  if (threads !== undefined) {
    const n = positiveInt(fn, 'threads', threads);
    if (n > MAX_THREADS) throw new RangeError(`${fn}: threads must be at most ${MAX_THREADS}, got ${n}`);
    if (n > 1 && module !== undefined) {
      throw new TypeError(`${fn}: options module and threads > 1 cannot be combined (a supplied module is the single-threaded simd build)`);
    }
    out.threads = n;
  }
  if (module !== undefined) out.module = module;
  return out;
}

const NO_SIMD = "this host's WebAssembly has no SIMD128 (Safari before 16.4, some embedded webviews)";

/** Why this context cannot run the threaded build, or undefined. */
function threadsUnavailable(rt: Runtime): string | undefined {
  if (!rt.threads) return `${rt.name} has no threads`;
  if (!hostHasSimd()) return NO_SIMD;
  const why = rt.threads.unavailable();
  if (why) return why;
  if (!hostHasSharedMemory()) return 'this host has no shared WebAssembly memory (SharedArrayBuffer)';
  return undefined;
}

/** The threaded build's features (scripts/build.sh), for the InitInfo of a
 *  pool still starting; the settled InitInfo reads them from the module
 *  (test/threads-background.test.ts holds the two equal). */
const THREADS_FEATURES = ['simd128', 'atomics'] as const;

const SIMD_WASM = "the 'ssimkit/simd.wasm' export (or 'ssimkit/scalar.wasm' where the host has no SIMD128)";

/**
 * A supplied module must be the simd build: the threaded one imports a
 * (shared) memory and would fail to link with a bare LinkError.
 */
function checkSimdModule(fn: string, module: WebAssembly.Module): void {
  let imports: WebAssembly.ModuleImportDescriptor[];
  try {
    imports = WebAssembly.Module.imports(module);
  } catch {
    return; // a Module of another realm this one cannot inspect: instantiation will tell
  }
  if (imports.some((i) => i.kind === 'memory')) {
    throw new TypeError(`${fn}: module is ssimkit's threaded build (it imports a shared memory); pass the single-threaded build, ${SIMD_WASM} (init() loads the threaded build by itself where threads can run)`);
  }
}

/** Errors of a load carry the function's prefix; their class is kept, a
 *  compile or link error of a supplied module is the caller's TypeError. */
function prefixed(fn: string, e: unknown): Error {
  if (e instanceof Error && e.message.startsWith(`${fn}: `)) return e;
  const m = e instanceof Error ? e.message : String(e);
  const wasm = e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError;
  const Ctor = wasm || e instanceof TypeError ? TypeError : e instanceof RangeError ? RangeError : Error;
  return new Ctor(`${fn}: ${wasm ? `module is not ssimkit's simd build (${(e as Error).name}: ${m})` : m}`, { cause: e });
}

export function makeInit(rt: Runtime) {
  let loading: Promise<InitInfo> | undefined;
  /** What a later init() waits for: `loading`, or the pool starting behind it. */
  let settled: Promise<InitInfo> | undefined;
  let ready: InitInfo | undefined;

  /** Instantiates a single-threaded build (simd or scalar: one glue serves both). */
  function loadSimd(module: WebAssembly.Module | Promise<WebAssembly.Module>, fallback?: string): Promise<InitInfo> | InitInfo {
    return Promise.resolve(module).then(async (m) => {
      checkSimdModule('init', m);
      // Compiled here and instantiated with initSync: the glue's async
      // loader probes the global `Response`, which costs Node ~30 ms
      // (undici loads). A Module from another realm (an edge VM's host)
      // fails the glue's instanceof check in initSync: the async loader.
      if (m instanceof WebAssembly.Module) simd.initSync({ module: m });
      else await simd.default({ module_or_path: m });
      const b = simd as unknown as Backend;
      setBackend(b);
      return info(rt.name, b.buildFeatures().includes('simd128') ? 'simd' : 'scalar', b, 1, fallback);
    });
  }

  async function load(o: Options): Promise<InitInfo> {
    const simdHere = hostHasSimd();
    if (o.simd === true && !simdHere) throw new Error(`init: simd: true cannot be met: ${NO_SIMD}`);
    const single: BuildName = o.simd === false || !simdHere ? 'scalar' : 'simd';
    const why = o.module !== undefined ? 'a module was supplied'
      : o.simd === false ? 'simd: false asked for the scalar build'
      : threadsUnavailable(rt);
    let n: number;
    // Why the default init() here runs on one thread although this context
    // could block on a pool: init() says so (InitInfo.fallback). Not where
    // one thread is the design (a page's main thread, workerd) or was asked.
    let fallback: string | undefined;
    if (o.threads !== undefined) {
      n = o.threads;
      if (n > 1 && why) throw new Error(`init: threads: ${n} cannot be used here: ${why}`);
    } else {
      n = why ? 1 : Math.min(rt.threads!.parallelism(), DEFAULT_THREADS_CAP);
      const designed = !rt.threads || rt.threads.mayBlock?.() === false || o.module !== undefined || o.simd === false;
      if (why && !designed) fallback = why;
    }
    if (n === 1) {
      if (single === 'scalar' && o.simd !== false) fallback = NO_SIMD;
      return loadSimd(compileSource(await (o.module ?? rt.locate(single))), fallback);
    }
    // The simd build is compiled beside the pool: the fallback when the pool
    // cannot start, and the build ssimkit switches to if a pool thread fails.
    const simdModule = Promise.resolve(rt.locate('simd')).then(compileSource);
    simdModule.catch(() => {});
    if (o.threads === undefined) return loadInBackground(simdModule, n);
    let pool;
    try {
      pool = await startThreads(rt.threads!, await rt.locate('threads'), n);
    } catch (e) {
      // Asked for: the failure is the answer.
      throw new Error(`init: could not start ${n} threads: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    return usePool(pool, await simdModule);
  }

  /** Makes a started pool the backend, guarded: a pool thread that fails
   *  later switches ssimkit to the simd build for good. */
  function usePool(pool: Pool, simdReady: WebAssembly.Module): InitInfo {
    const b = guardBackend(pool, (reason) => {
      // Already instantiated when the pool started in the background:
      // initSync then keeps that instance.
      simd.initSync({ module: simdReady });
      setBackend(simd as unknown as Backend);
      ready = info(rt.name, 'simd', simd as unknown as Backend, 1, reason);
      loading = settled = Promise.resolve(ready);
    });
    setBackend(b);
    return info(rt.name, 'threads', b, pool.size);
  }

  /**
   * The default init() where a pool can run: the simd build first, as the
   * backend, and init() resolves with `starting: true`; the pool starts
   * behind it and becomes the backend when every thread runs (or, if it
   * cannot start, the simd build stays and says why). The switch happens in
   * a promise continuation, never inside a call, so each call (its reserve,
   * stream and free) runs on one instance; both give the same bits.
   */
  async function loadInBackground(simdModule: Promise<WebAssembly.Module>, n: number): Promise<InitInfo> {
    // The threaded glue is imported before init() resolves (a few ms): a
    // test runner that tears a test file's module registry down after its
    // tests (Jest) refuses a require() or import() that comes later.
    const support = rt.threads!;
    const glue = support.glue();
    glue.catch(() => {});
    // Found before init() resolves (a file read in Node, a fetch in a
    // browser): where the threaded files are missing (a single-file bundle)
    // init() says so at once, as the simd build it is, not `starting`.
    const located = Promise.resolve().then(() => rt.locate('threads'));
    located.catch(() => {});
    const simdReady = await simdModule;
    let source: WasmSource;
    try {
      source = await located;
    } catch (e) {
      const i = await loadSimd(simdReady, `the thread pool could not start: ${(e as Error)?.message ?? String(e)}`);
      settled = Promise.resolve(i);
      return i;
    }
    const first = await loadSimd(simdReady);
    const loadedGlue = await glue.catch(() => undefined);
    const starting: InitInfo = { ...first, build: 'threads', threads: n, features: [...THREADS_FEATURES], starting: true };
    // The threaded module compiles after the simd build is up, so that the
    // two compiles do not share the cores init() is waiting on.
    const started: ThreadSupport = loadedGlue ? { ...support, glue: () => Promise.resolve(loadedGlue) } : support;
    settled = Promise.resolve(source)
      .then((src) => startThreads(started, src, n))
      .then((pool) => usePool(pool, simdReady),
        (e) => ({ ...first, fallback: `the thread pool could not start: ${(e as Error)?.message ?? String(e)}` }))
      .then((i) => (ready = i));
    return starting;
  }

  /** Whether what is loaded satisfies the options of a later call. */
  function satisfies(o: Options, i: InitInfo): boolean {
    if (o.threads !== undefined && o.threads !== i.threads) return false;
    if (o.module !== undefined && i.build === 'threads') return false;
    if (o.simd !== undefined && o.simd !== (i.build !== 'scalar')) return false;
    return true;
  }

  function conflict(fn: string, o: Options, i: InitInfo): Error {
    const loaded = i.build === 'threads' ? `the threaded build with ${i.threads} threads`
      : `the single-threaded ${i.build} build${i.fallback ? ` (fallback: ${i.fallback})` : ''}`;
    const asked = o.threads !== undefined ? `threads: ${o.threads}`
      : o.simd !== undefined ? `simd: ${o.simd}` : 'a supplied module (a single-threaded build)';
    return new Error(`${fn}: ssimkit is already initialised with ${loaded}, so ${asked} cannot apply: the build is chosen once per JavaScript realm, by the first init() or initSync(). Call init() without options to use what is loaded, or ask for ${asked} in the first init() (or in a new Worker or process)`);
  }

  /**
   * Loads the WebAssembly once; later calls return the same InitInfo. Picks
   * the threaded build where this context can block on a pool (Node, Deno,
   * a Web Worker of a cross-origin-isolated page), the simd build elsewhere.
   * `{ threads: n }` chooses: 1 is the simd build, n > 1 a pool of n.
   * Pass `{ module }` (a compiled `WebAssembly.Module`, bytes, a `Response`
   * or a URL of the simd build) to supply the wasm yourself, as edge
   * runtimes must. A later call whose options disagree with what is loaded
   * rejects with an Error saying what is loaded.
   */
  function init(options?: InitOptions): Promise<InitInfo> {
    let o: Options;
    try {
      o = checkOptions('init', options, ['module', 'threads', 'simd']);
    } catch (e) {
      return Promise.reject(e);
    }
    if (loading) {
      // Past a first init() that resolved with the pool still starting: the
      // pool's outcome, so that `await init()` again waits for it.
      return loading.then(() => settled ?? loading!).then((i) => {
        if (satisfies(o, i)) return i;
        throw conflict('init', o, i);
      });
    }
    const p = load(o).then((i) => (ready = i), (e) => { throw prefixed('init', e); });
    loading = p;
    // A failed load (a wrong path, say) may be retried.
    p.catch(() => { if (loading === p) loading = settled = undefined; });
    return p;
  }

  /**
   * Synchronous init of the simd build from a compiled module or its bytes
   * (e.g. in a Worker). After a load, returns what is loaded when the
   * options agree (a module means the simd build), else throws; while
   * init() is still loading, throws (await init() instead).
   */
  function initSync(options: { module: WebAssembly.Module | BufferSource }): InitInfo {
    const o = checkOptions('initSync', options, ['module']);
    if (ready) {
      if (satisfies(o, ready)) return ready;
      throw conflict('initSync', o, ready);
    }
    if (loading) {
      throw new Error('initSync: init() is still loading ssimkit; await its promise instead (initSync cannot wait, and a second load would leave two builds)');
    }
    if (o.module === undefined) throw new TypeError('initSync: pass { module } (a WebAssembly.Module or its bytes)');
    try {
      const source = o.module as WebAssembly.Module | BufferSource;
      const module = source instanceof WebAssembly.Module ? source
        : source instanceof ArrayBuffer || ArrayBuffer.isView(source) ? new WebAssembly.Module(source)
        : (() => { throw new TypeError(`initSync: module must be a WebAssembly.Module or its bytes (a BufferSource)`); })();
      checkSimdModule('initSync', module);
      simd.initSync({ module });
    } catch (e) {
      throw prefixed('initSync', e);
    }
    const b = simd as unknown as Backend;
    setBackend(b);
    ready = info(rt.name, b.buildFeatures().includes('simd128') ? 'simd' : 'scalar', b, 1);
    loading = settled = Promise.resolve(ready);
    return ready;
  }

  return { init, initSync };
}
