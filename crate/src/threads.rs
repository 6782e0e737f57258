//! Threads for the `threads` build (simd128 + atomics, shared memory): our
//! own glue between rayon and JavaScript workers, in place of
//! wasm-bindgen-rayon (whose worker helper loads only in browsers).
//!
//! How a pool starts (ts/threads.ts drives it, inside the async `init()`):
//! 1. JS compiles this module once and instantiates it on the calling
//!    thread with a fresh shared `WebAssembly.Memory`;
//! 2. JS starts `n` workers (worker_threads in Node and Deno, module Workers
//!    in browsers); each instantiates the same module with the same memory,
//!    says "ready" and calls [`run_thread`], which blocks until rayon hands
//!    it a [`ThreadBuilder`] through [`QUEUE`];
//! 3. once every worker is ready, the calling thread calls [`start_pool`]:
//!    rayon's `build_global` calls our spawn handler once per thread (the
//!    handler queues the boxed `ThreadBuilder`, a worker takes it and runs
//!    rayon's main loop on it), and returns when all of them run.
//!
//! The workers exist before `build_global` is called because it blocks
//! until they are all primed, and a blocked browser thread cannot start a
//! nested Worker; so no worker is ever started from inside Rust. After
//! that every call is synchronous: the calling thread injects its jobs and
//! waits (`memory.atomic.wait32`) for the pool, which Node and Deno main
//! threads and Web Workers may do (a browser main thread may not: it gets
//! the single-threaded `simd` build).
//!
//! [`threads_used`] is compiled into every build: a diagnostic for tests.

use wasm_bindgen::prelude::*;

/// Diagnostic: runs a small parallel job (512 short spinning tasks through
/// `par_iter`) and returns how many distinct pool threads ran some of it.
/// 1 in the single-threaded build; up to the pool size in the threaded one.
#[wasm_bindgen(js_name = threadsUsed)]
pub fn threads_used() -> u32 {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    let seen: Vec<AtomicBool> = (0..rayon::current_num_threads())
        .map(|_| AtomicBool::new(false))
        .collect();
    (0..512u64).into_par_iter().for_each(|i| {
        let mut x = i;
        for _ in 0..5_000 {
            x = core::hint::black_box(
                x.wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407),
            );
        }
        core::hint::black_box(x);
        if let Some(slot) = rayon::current_thread_index().and_then(|t| seen.get(t)) {
            slot.store(true, Ordering::Relaxed);
        }
    });
    seen.iter()
        .filter(|s| s.load(Ordering::Relaxed))
        .count()
        .max(1) as u32
}

/// Threads rayon has in its global pool (1 in the single-threaded build).
#[wasm_bindgen(js_name = poolThreads)]
pub fn pool_threads() -> u32 {
    rayon::current_num_threads() as u32
}

#[cfg(target_feature = "atomics")]
mod pool {
    use rayon::{ThreadBuilder, ThreadPoolBuilder};
    use std::sync::{Condvar, Mutex};
    use wasm_bindgen::prelude::*;

    /// ThreadBuilders rayon has asked to start, waiting for a worker.
    static QUEUE: Mutex<Vec<ThreadBuilder>> = Mutex::new(Vec::new());
    static QUEUED: Condvar = Condvar::new();

    /// Builds rayon's global pool of `threads` threads on workers that are
    /// already blocked in [`run_thread`]; returns the pool's size. Called
    /// once, on the thread that instantiated the module first.
    #[wasm_bindgen(js_name = startPool)]
    pub fn start_pool(threads: usize) -> Result<u32, JsError> {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .spawn_handler(|thread| {
                QUEUE.lock().unwrap_or_else(|e| e.into_inner()).push(thread);
                QUEUED.notify_one();
                Ok(())
            })
            .build_global()
            .map_err(|e| JsError::new(&format!("ssimkit: cannot start the thread pool: {e}")))?;
        Ok(rayon::current_num_threads() as u32)
    }

    /// A worker's whole life after instantiation: waits for a ThreadBuilder,
    /// then runs rayon's worker loop on it (it returns only if the pool is
    /// torn down, which the global pool never is).
    #[wasm_bindgen(js_name = runThread)]
    pub fn run_thread() {
        let thread = {
            let mut queue = QUEUE.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(t) = queue.pop() {
                    break t;
                }
                queue = QUEUED.wait(queue).unwrap_or_else(|e| e.into_inner());
            }
        };
        thread.run();
    }

    /// The module's shared memory, for the workers to instantiate with.
    #[wasm_bindgen(js_name = sharedMemory)]
    pub fn shared_memory() -> JsValue {
        wasm_bindgen::memory()
    }
}
