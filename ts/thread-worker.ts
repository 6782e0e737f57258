// The threaded build's workers in a browser (thread-web.ts), in two roles
// told by the first message:
// - 'spawner': started by the Worker that called init(); starts the n pool
//   workers (this file again), each after the previous said it is ready,
//   forwards their start errors, then idles (its children live as long as
//   it does: terminating it ends the pool);
// - 'thread': instantiates the module on the shared memory, says 'ready'
//   and becomes a rayon worker for good; if that traps it reports the
//   failure through the shared memory (thread-fail.ts).
import { reportPoolFailure } from './thread-fail.js';
import type { PoolStart } from './threads.js';
import { initSync, runThread } from './wasm/threads/ssimkit.js';

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void, options?: { once?: boolean }): void;
};

type Message = { role: 'spawner'; n: number; start: PoolStart } | ({ role: 'thread' } & PoolStart);

const children: Worker[] = [];

function spawn(i: number, n: number, start: PoolStart): void {
  if (i >= n) return;
  // This very file, by the URL it was loaded from: a bundler that copies it
  // as an asset renames it (vite build: assets/thread-worker-<hash>.js), so
  // './thread-worker.js' beside it would 404.
  const w = new Worker(self.location.href, { type: 'module', name: `ssimkit-thread-${i}` });
  children.push(w);
  w.onmessage = (e: MessageEvent) => {
    if (e.data?.ready === true) spawn(i + 1, n, start);
    else if (e.data?.error) scope.postMessage({ error: e.data.error });
  };
  w.onerror = (e: ErrorEvent) => {
    e.preventDefault?.();
    scope.postMessage({ error: e.message || `worker script error in a pool thread started from ${self.location.href}` });
  };
  w.postMessage({ role: 'thread', ...start });
}

scope.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as Message;
  if (m.role === 'spawner') {
    // One after another: Firefox under automation blocked the spawner in a
    // constructor 4 times in 60 launches when they were started all at
    // once, 0 times in 60 when each waited for the previous one's 'ready'.
    spawn(0, m.n, m.start);
    return;
  }
  const { module, memory, words } = m;
  try {
    initSync({ module, memory });
  } catch (err) {
    scope.postMessage({ error: String((err as Error)?.stack ?? err) });
    return;
  }
  scope.postMessage({ ready: true });
  try {
    runThread(); // returns only if it traps: rayon's worker loop
  } catch {
    reportPoolFailure(memory, words);
  }
}, { once: true });
