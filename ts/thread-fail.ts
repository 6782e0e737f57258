// A pool worker whose runThread() threw (a trap: a panic aborts, or an
// `unreachable`) reports it through the shared memory, with no call into the
// module: FAILED := 1. The caller waiting in Rust's `guarded`
// (crate/src/threads.rs) re-reads it within 10 ms and returns an error.
export function reportPoolFailure(memory: WebAssembly.Memory, words: number[]): void {
  const view = new Int32Array(memory.buffer);
  Atomics.store(view, words[1]! >> 2, 1);
  Atomics.notify(view, words[1]! >> 2);
}
