// The threaded build's pool: how init() starts it and how runtimes supply
// workers. The Rust half is crate/src/threads.rs. Sequence:
//   1. compile the `threads` module once, instantiate it here (its glue
//      creates the shared WebAssembly.Memory);
//   2. start n workers (ThreadSupport.spawn: worker_threads in Node and
//      Deno, module Workers in browsers); each instantiates the same module on
//      the same memory, posts 'ready' and blocks in runThread();
//   3. startPool(n): rayon's build_global hands one ThreadBuilder to each
//      waiting worker and returns once all of them run.
// The workers exist before the pool is built because build_global blocks
// until every thread is up, and a blocked thread cannot start a Worker in a
// browser. After init() every call is synchronous: this thread queues its
// jobs for the pool and waits in Atomics.wait (memory.atomic.wait32).

import { backend } from './backend.js';
import type * as ThreadsGlue from './wasm/threads/ssimkit.js';
import type { WasmSource } from './types.js';

export type Glue = typeof ThreadsGlue;

/** A started pool worker. */
export interface ThreadWorker {
  terminate(): unknown;
}

/** What a runtime entry supplies to run the threaded build. */
export interface ThreadSupport {
  /** Why threads cannot run in this context, or undefined when they can. */
  unavailable(): string | undefined;
  /** The host's parallelism (os.availableParallelism(), navigator.hardwareConcurrency). */
  parallelism(): number;
  /** The threaded build's glue, loaded only when threads are used. */
  glue(): Promise<Glue>;
  /**
   * Starts one worker that instantiates `module` on `memory` and waits in
   * runThread(); resolves once it says it is ready, rejects if it cannot start.
   */
  spawn(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<ThreadWorker>;
}

/** Most threads `init({ threads })` accepts. */
export const MAX_THREADS = 64;
/** Most threads init() starts unless told: past this, memory traffic, not cores, bounds the kernels. */
export const DEFAULT_THREADS_CAP = 8;
/** A worker that has not said 'ready' by then has failed. */
export const READY_TIMEOUT_MS = 30_000;

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

/**
 * Instantiates the threaded build here and builds rayon's pool of `n`
 * threads on workers from `support`. Returns the pool's size. On failure
 * every worker started is terminated and the error is thrown.
 */
export async function startThreads(support: ThreadSupport, source: WasmSource, n: number): Promise<{ glue: Glue; size: number }> {
  const [glue, module] = await Promise.all([support.glue(), compileSource(source)]);
  // initSync, not default(): the glue's async loader probes `Response`.
  glue.initSync({ module });
  const memory = glue.sharedMemory() as WebAssembly.Memory;
  const starts = Array.from({ length: n }, () => withTimeout(support.spawn(module, memory)));
  const settled = await Promise.allSettled(starts);
  const workers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return { glue, size: glue.startPool(n) };
  } catch (e) {
    for (const w of workers) w.terminate();
    throw e;
  }
}

function withTimeout<T extends ThreadWorker>(p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`a thread worker did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
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
