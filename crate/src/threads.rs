//! Threads for the `threads` build (simd128 + atomics, shared memory): our
//! own glue between rayon and JavaScript workers, in place of
//! wasm-bindgen-rayon (whose worker helper loads only in browsers).
//!
//! How a pool starts (ts/threads.ts drives it, inside the async `init()`),
//! without the calling thread ever blocking:
//! 1. JS compiles this module once and instantiates it on the calling
//!    thread with a fresh shared `WebAssembly.Memory`;
//! 2. [`pool_create`] builds a rayon `ThreadPool` (not the global one:
//!    `build_global` blocks until every thread runs, `build` does not);
//!    its spawn handler queues each `ThreadBuilder` in [`QUEUE`];
//! 3. JS starts `n` workers (worker_threads in Node and Deno, module Workers
//!    in browsers); each instantiates the same module on the same memory and
//!    calls [`run_thread`], which takes a `ThreadBuilder` and runs rayon's
//!    main loop on it; rayon's start handler counts it in `STARTED`;
//! 4. JS polls `STARTED` (an address in [`pool_words`]) from timers until
//!    it is `n`, or gives up after a deadline: a pool that cannot start
//!    costs a bounded wait, never a blocked thread.
//!
//! After that every call is synchronous: [`guarded`] hands the call's work
//! to the pool and waits (a Condvar: `memory.atomic.wait32`) for it, or
//! for a pool thread's failure, which Node and Deno main threads and Web Workers may
//! do (a browser main thread may not: it gets the single-threaded `simd`
//! build). Rayon calls made outside [`guarded`] run on the calling thread
//! alone (rayon's fallback for a host without `std::thread`).
//!
//! [`threads_used`], [`pool_threads`] and [`pool_test_trap`] are compiled
//! into every build: diagnostics for tests.

use wasm_bindgen::prelude::*;

/// Runs `f` on the thread pool and returns its result, or `Err` (a message)
/// if a pool thread failed (trapped: a panic, with `panic = "abort"`, or an
/// `unreachable`) before `f` finished. After an `Err` the pool is dead for
/// good: the caller must not call into this instance again (the TypeScript
/// side terminates the workers and switches to the simd build). In the
/// single-threaded build, and on a thread of the pool already, it just
/// runs `f`.
#[cfg(not(target_feature = "atomics"))]
pub(crate) fn guarded<R: Send>(f: impl FnOnce() -> R + Send) -> Result<R, String> {
    Ok(f())
}

#[cfg(target_feature = "atomics")]
pub(crate) use pool::guarded;

/// Diagnostic: runs a small parallel job (512 spinning tasks, ~20 ms, through
/// `par_iter`) on the pool and returns how many distinct pool threads ran
/// some of it. 1 in the single-threaded build; up to the pool size in the
/// threaded one.
#[wasm_bindgen(js_name = threadsUsed)]
pub fn threads_used() -> Result<u32, JsError> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    guarded(|| {
        let seen: Vec<AtomicBool> = (0..rayon::current_num_threads())
            .map(|_| AtomicBool::new(false))
            .collect();
        (0..512u64).into_par_iter().for_each(|i| {
            let mut x = i;
            // ~20 ms in all: long enough for a sleeping thread to wake and
            // steal on a loaded machine (at 5,000 one thread often did it all).
            for _ in 0..40_000 {
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
    })
    .map_err(|e| JsError::new(&e))
}

/// Threads in the pool (1 in the single-threaded build or without a pool).
#[wasm_bindgen(js_name = poolThreads)]
pub fn pool_threads() -> u32 {
    #[cfg(target_feature = "atomics")]
    if let Some(pool) = pool::POOL.get() {
        return pool.current_num_threads() as u32;
    }
    1
}

/// TEST ONLY (the failure path of [`guarded`], which no input reaches):
/// makes pool thread `thread` fail inside a job while the others run theirs
/// (a `rayon::broadcast`, so that thread surely takes part): with
/// `panic == false` it executes `unreachable` (a bare trap), else it
/// panics (which aborts at once: a trap). Returns the
/// error [`guarded`] gives. The single-threaded build has no pool thread to
/// fail: it returns Ok(0) and does nothing.
#[wasm_bindgen(js_name = poolTestTrap)]
pub fn pool_test_trap(thread: u32, panic: bool) -> Result<u32, JsError> {
    #[cfg(not(target_feature = "atomics"))]
    {
        let _ = (thread, panic);
        Ok(0)
    }
    #[cfg(target_feature = "atomics")]
    {
        guarded(|| {
            rayon::broadcast(|ctx| {
                if ctx.index() == thread as usize {
                    if panic {
                        panic!("poolTestTrap: pool thread {thread} panics on purpose");
                    }
                    core::arch::wasm32::unreachable();
                }
                // The others stay busy a little, as they would in a real job.
                let mut x = ctx.index() as u64;
                for _ in 0..100_000 {
                    x = core::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
                }
                core::hint::black_box(x);
            });
            rayon::current_num_threads() as u32
        })
        .map_err(|e| JsError::new(&e))
    }
}

#[cfg(target_feature = "atomics")]
mod pool {
    use rayon::{ThreadBuilder, ThreadPool, ThreadPoolBuilder};
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicBool, AtomicI32, Ordering::*};
    use std::sync::{Condvar, Mutex, OnceLock};
    use std::time::Duration;
    use wasm_bindgen::prelude::*;

    /// ThreadBuilders rayon has asked to start, waiting for a worker.
    static QUEUE: Mutex<Vec<ThreadBuilder>> = Mutex::new(Vec::new());
    static QUEUED: Condvar = Condvar::new();
    /// The pool every [`guarded`] call runs on.
    pub(super) static POOL: OnceLock<ThreadPool> = OnceLock::new();

    // Words JavaScript reads and writes with `Atomics` (their addresses are
    // [`pool_words`]): the pool's start and its failure need no call into
    // this module, so a trapped or blocked thread can still report them.
    /// Pool threads that entered rayon's main loop (rayon's start handler).
    static STARTED: AtomicI32 = AtomicI32::new(0);
    /// 0 while the pool is healthy; 1 once a pool thread failed (set by the
    /// worker's JavaScript that caught the trap around `runThread()`; a
    /// panic is a trap too: the builds abort at once, with no message, see
    /// scripts/build.sh). Never cleared.
    static FAILED: AtomicI32 = AtomicI32::new(0);
    /// Where a [`guarded`] caller waits: notified when a job completes. A
    /// pool thread's trap is seen on the next timed wake-up: stable Rust has no wait on a word of our choosing that
    /// JavaScript could notify (`memory_atomic_wait32` is unstable), so the
    /// caller re-reads FAILED every [`RECHECK`].
    static DONE: Mutex<()> = Mutex::new(());
    static DONE_CV: Condvar = Condvar::new();
    const RECHECK: Duration = Duration::from_millis(10);

    fn wake_callers() {
        drop(DONE.lock().unwrap_or_else(|e| e.into_inner()));
        DONE_CV.notify_all();
    }

    /// Addresses (byte offsets in the shared memory) of the words the
    /// workers' JavaScript uses: [STARTED, FAILED].
    #[wasm_bindgen(js_name = poolWords)]
    pub fn pool_words() -> Vec<u32> {
        vec![STARTED.as_ptr() as u32, FAILED.as_ptr() as u32]
    }

    /// Creates the pool of `threads` threads and returns at once: rayon's
    /// spawn handler only queues each thread for a worker to take in
    /// [`run_thread`]. JS then starts the workers and polls STARTED.
    /// Called once, on the thread that instantiated the module first.
    #[wasm_bindgen(js_name = poolCreate)]
    pub fn pool_create(threads: usize) -> Result<(), JsError> {
        if POOL.get().is_some() {
            return Err(JsError::new("ssimkit: the thread pool exists already"));
        }
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads)
            .start_handler(|_| {
                STARTED.fetch_add(1, SeqCst);
            })
            .spawn_handler(|thread| {
                QUEUE.lock().unwrap_or_else(|e| e.into_inner()).push(thread);
                QUEUED.notify_one();
                Ok(())
            })
            .build()
            .map_err(|e| JsError::new(&format!("ssimkit: cannot create the thread pool: {e}")))?;
        let _ = POOL.set(pool);
        Ok(())
    }

    /// A worker's whole life after instantiation: waits for a ThreadBuilder,
    /// then runs rayon's worker loop on it (it returns only if the pool is
    /// torn down, which it never is). A trap in it throws in the worker's
    /// JavaScript, which stores 1 into FAILED.
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

    fn failure_message() -> String {
        "a pool thread failed (it trapped)".to_string()
    }

    /// A raw pointer that may cross to the pool thread (see `guarded`).
    struct Slot<R>(*mut Option<R>);
    // SAFETY: only the one job writes through it, R: Send, and the caller
    // reads only after the job's Release store of `done`.
    unsafe impl<R: Send> Send for Slot<R> {}
    impl<R> Slot<R> {
        /// A method, so that the closure captures the whole (Send) Slot,
        /// not its raw-pointer field.
        unsafe fn put(&self, r: R) {
            *self.0 = Some(r);
        }
    }

    pub(crate) fn guarded<R: Send>(f: impl FnOnce() -> R + Send) -> Result<R, String> {
        let Some(pool) = POOL.get() else { return Ok(f()) };
        if pool.current_thread_index().is_some() {
            return Ok(f()); // nested: on a pool thread already
        }
        if FAILED.load(SeqCst) != 0 {
            return Err(failure_message());
        }
        let mut result: Option<R> = None;
        let done = AtomicBool::new(false);
        {
            let slot = Slot(&mut result as *mut Option<R>);
            let done = &done;
            let job: Box<dyn FnOnce() + Send + '_> = Box::new(move || {
                let r = f();
                // SAFETY: `result` outlives this job (see the erasure below).
                unsafe { slot.put(r) };
                done.store(true, Release);
                // From here on the caller may return: `result` and `done`
                // are not touched again, only statics.
                wake_callers();
            });
            // SAFETY: the one lifetime erasure. `job` borrows `result`,
            // `done` and whatever `f` borrows from the caller; rayon's
            // `spawn` wants 'static. On success this function returns only
            // after the job's last access to any of them (the Release store
            // of `done`, observed below with Acquire), so the borrows
            // outlive every use. On failure (a pool thread trapped) we
            // return while parts of `f` may still run on the surviving
            // threads; from then on the instance is abandoned (TypeScript
            // terminates its workers and switches to the simd build), and
            // the allocator below frees nothing once FAILED is set, so
            // heap memory they may still touch is never handed out again.
            let job: Box<dyn FnOnce() + Send + 'static> = unsafe { core::mem::transmute(job) };
            pool.spawn(job);
        }
        // The job sets `done` before it takes DONE to notify, and `done` is
        // read with DONE held: no lost wake-up (and RECHECK bounds any).
        let mut lock = DONE.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if done.load(Acquire) {
                drop(lock);
                return result.ok_or_else(|| "ssimkit: a pool job finished without a result".to_string());
            }
            if FAILED.load(SeqCst) != 0 {
                return Err(failure_message());
            }
            lock = DONE_CV.wait_timeout(lock, RECHECK).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// The system allocator, except that once a pool thread has failed
    /// nothing is freed (see `guarded`): surviving pool threads may still
    /// write to memory the failed call owned, so it is never reused.
    struct FencedAlloc;

    unsafe impl GlobalAlloc for FencedAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            System.alloc(layout)
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            System.alloc_zeroed(layout)
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if FAILED.load(Relaxed) == 0 {
                System.dealloc(ptr, layout)
            }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if FAILED.load(Relaxed) == 0 {
                return System.realloc(ptr, layout, new_size);
            }
            let new = System.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
            new
        }
    }

    #[global_allocator]
    static ALLOC: FencedAlloc = FencedAlloc;
}
