// The threaded build's pool: how init() starts it, how runtimes supply
// workers, and how a pool that fails is left behind. The Rust half is
// crate/src/threads.rs. Start, in bounded time, never blocking this thread:
//   1. compile the `threads` module once, instantiate it here (its glue
//      creates the shared WebAssembly.Memory);
//   2. poolCreate(n): rayon builds a pool of n threads and queues them
//      (returns at once);
//   3. ThreadSupport.spawn starts n workers (worker_threads in Node and Deno;
//      in browsers one module Worker that starts the n pool Workers, see
//      thread-web.ts); each instantiates the module on the same memory and
//      runs runThread(), which takes a queued thread and enters rayon's loop;
//   4. this thread polls the STARTED word (timers, no blocking) until all n
//      run, and gives up after POOL_START_TIMEOUT_MS or at the first worker
//      that fails to start: the workers are terminated and ssimkit stays on
//      the simd build (the default init(), which resolved before the pool
//      and started it behind it) or init() fails (threads: n asked for).
// After init() every call is synchronous: Rust's `guarded` hands the call to
// the pool and waits in memory.atomic.wait32 for it to finish or for a pool
// thread to fail (a worker that traps stores 1 into FAILED).
// On failure the call throws, the workers are terminated and ssimkit runs on
// the simd build from then on (guardBackend below).

import type { Backend } from './backend.js';
import type * as ThreadsGlue from './wasm/threads/ssimkit.js';
import type { WasmSource } from './types.js';
import { backend, lastCall } from './backend.js';

export type Glue = typeof ThreadsGlue;

/** What each pool worker is sent: the module, its memory, and the byte
 *  addresses of the pool's words [STARTED, FAILED]. */
export interface PoolStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  words: number[];
}

/** The workers ThreadSupport.spawn started. */
export interface PoolWorkers {
  /** Rejects when a worker cannot start (its script, its instantiation). */
  failed: Promise<never>;
  terminate(): void;
}

/** What a runtime entry supplies to run the threaded build. */
export interface ThreadSupport {
  /** Why threads cannot run in this context, or undefined when they can. */
  unavailable(): string | undefined;
  /**
   * False where this context may never block (a page's main thread): there
   * the single-threaded build is the design, not a fallback, and init()
   * reports no `fallback`. Absent means true.
   */
  mayBlock?(): boolean;
  /** The host's parallelism (os.availableParallelism(), navigator.hardwareConcurrency). */
  parallelism(): number;
  /** The threaded build's glue, loaded only when threads are used. */
  glue(): Promise<Glue>;
  /**
   * Starts `n` workers that each instantiate `start.module` on
   * `start.memory`, post 'ready' and call runThread(). Must return without
   * waiting for them: readiness is read from the STARTED word.
   */
  spawn(n: number, start: PoolStart): PoolWorkers;
}

/** Most threads `init({ threads })` accepts. */
export const MAX_THREADS = 64;
/** Most threads init() starts unless told: past this, memory traffic, not cores, bounds the kernels. */
export const DEFAULT_THREADS_CAP = 8;
/** A pool whose threads do not all run by then has failed to start. */
export const POOL_START_TIMEOUT_MS = 10_000;

/** Whether WebAssembly here can share memory between threads. */
export function hostHasSharedMemory(): boolean {
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
    return typeof SharedArrayBuffer === 'function' && m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Compiles a located wasm source (bytes, a Response or a promise of one). */
export async function compileSource(source: WasmSource): Promise<WebAssembly.Module> {
  // By tag, not instanceof: an edge VM hands over a Module of another realm.
  if (source instanceof WebAssembly.Module || Object.prototype.toString.call(source) === '[object WebAssembly.Module]') {
    return source as WebAssembly.Module;
  }
  // Bytes before anything else: in Node the first touch of the global
  // `Response` loads undici, ~30 ms of init() for nothing.
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (typeof source === 'string' || source instanceof URL) source = await fetch(source);
  if (typeof Response === 'function' && source instanceof Response) {
    if (!source.ok) throw new Error(`failed to fetch the wasm: HTTP ${source.status} ${source.statusText} (${source.url})`);
    if (typeof WebAssembly.compileStreaming === 'function' && source.headers.get('Content-Type') === 'application/wasm') {
      return WebAssembly.compileStreaming(source);
    }
    return WebAssembly.compile(await source.arrayBuffer());
  }
  return WebAssembly.compile(source as BufferSource);
}

/** A started pool. */
export interface Pool {
  glue: Glue;
  size: number;
  workers: PoolWorkers;
  /** FAILED != 0: a pool thread failed (read with Atomics, no call into wasm). */
  failed(): boolean;
}

let attempted = false;

/**
 * Instantiates the threaded build here and starts a pool of `n` threads on
 * workers from `support`, without ever blocking this thread: resolves once
 * every thread runs rayon's loop, rejects (after terminating the workers)
 * when a worker fails to start or after `timeoutMs`.
 */
export async function startThreads(support: ThreadSupport, source: WasmSource, n: number,
  timeoutMs = POOL_START_TIMEOUT_MS): Promise<Pool> {
  const [glue, module] = await Promise.all([support.glue(), compileSource(source)]);
  // One attempt per realm: the glue instantiates the module once, and a
  // pool that failed to start holds it.
  if (attempted) throw new Error('a pool start failed earlier in this realm (it is not retried)');
  attempted = true;
  // initSync, not default(): the glue's async loader probes `Response`.
  glue.initSync({ module });
  const memory = glue.sharedMemory() as WebAssembly.Memory;
  const words = Array.from(glue.poolWords());
  // The words are static data, inside the memory's first pages: a view of
  // today's buffer sees them for good (a shared buffer never detaches).
  const view = new Int32Array(memory.buffer);
  glue.poolCreate(n);
  const workers = support.spawn(n, { module, memory, words });
  try {
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const poll = () => {
        const running = Atomics.load(view, words[0]! >> 2);
        if (running >= n) return resolve();
        if (Date.now() - t0 >= timeoutMs) {
          return reject(new Error(`the pool did not start within ${timeoutMs / 1000} s (${running} of ${n} threads running)`));
        }
        timer = setTimeout(poll, 5);
      };
      workers.failed.catch((e) => {
        clearTimeout(timer);
        reject(e);
      });
      poll();
    });
  } catch (e) {
    workers.terminate();
    throw e;
  }
  return { glue, size: glue.poolThreads(), workers, failed: () => Atomics.load(view, words[1]! >> 2) !== 0 };
}

/**
 * The pool's glue as the Backend, with every call (and every method of an
 * object a call returns: a stream, an output) watched: when a call throws
 * and the pool's FAILED word is set, the workers are terminated,
 * `onFailure(reason)` switches ssimkit to the simd build, and the call
 * throws an Error that says so. Later calls go to the simd build.
 */
export function guardBackend(pool: Pool, onFailure: (reason: string) => void): Backend {
  let reason: string | undefined;
  const fail = (e: unknown): never => {
    if (reason === undefined) {
      const m = e instanceof Error ? e.message : String(e);
      // Rust's guarded() says "a pool thread failed (...)"; a bare trap
      // reaching here says only what the engine says.
      reason = /a pool thread failed/.test(m) ? m.slice(m.indexOf('a pool thread failed')) : `a pool thread failed (${m})`;
      pool.workers.terminate();
      onFailure(reason);
    }
    throw new Error(`${lastCall()}: ${reason}; ssimkit now runs single-threaded (the simd build: the same results)`, { cause: e });
  };
  const watch = (f: (...a: unknown[]) => unknown, self: object) => (...args: unknown[]) => {
    if (reason !== undefined) fail(undefined);
    let r: unknown;
    try {
      r = f.apply(self, args);
    } catch (e) {
      if (pool.failed()) fail(e);
      throw e;
    }
    // The glue's objects (an output, a stream) run wasm in their methods;
    // what they hand out (typed arrays, numbers) is plain data, left as is.
    return typeof r === 'object' && r !== null && '__wbg_ptr' in r ? watchObject(r) : r;
  };
  const watchObject = (o: object) => new Proxy(o, {
    get(target, key) {
      // free() of an object of the abandoned instance (a `finally` after
      // the failure) does nothing rather than throw again.
      if (key === 'free' && reason !== undefined) return () => {};
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? watch(v as (...a: unknown[]) => unknown, target) : v;
    },
  });
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(pool.glue)) {
    // Functions, not the glue's classes (capitalised; never called from here).
    out[k] = typeof v === 'function' && !/^[A-Z]/.test(k) ? watch(v as (...a: unknown[]) => unknown, pool.glue) : v;
  }
  return out as unknown as Backend;
}

/**
 * Diagnostic: runs a small parallel job (512 short spinning tasks through
 * rayon's `par_iter`) and returns how many distinct pool threads ran part
 * of it: 1 with the `simd` build, usually `init().threads` with the
 * `threads` build. It proves the pool works; it measures nothing else.
 */
export function threadsUsed(): number {
  return backend('threadsUsed').threadsUsed();
}
