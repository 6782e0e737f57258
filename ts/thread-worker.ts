// One pool thread of the threaded build in a browser (a module Worker
// started by thread-web.ts): instantiates the module it is sent on
// the shared memory it is sent, says so, and becomes a rayon worker for good.
import { initSync, runThread } from './wasm/threads/ssimkit.js';

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void, options?: { once?: boolean }): void;
};

scope.addEventListener('message', (e: MessageEvent) => {
  const { module, memory } = e.data as { module: WebAssembly.Module; memory: WebAssembly.Memory };
  try {
    initSync({ module, memory });
  } catch (err) {
    scope.postMessage({ error: String((err as Error)?.stack ?? err) });
    return;
  }
  scope.postMessage({ ready: true });
  runThread(); // never returns: rayon's worker loop
}, { once: true });
