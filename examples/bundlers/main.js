// Browser page: scores on the page, then in a module Worker, and leaves
// both reports on window.__result for the test to read. (No top-level
// await: not every bundler's output format allows it.)
import { score } from './score.js';

function inWorker() {
  return new Promise((resolve) => {
    try {
      const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
      w.onmessage = (e) => resolve(e.data);
      w.onerror = (e) => resolve({ error: `worker: ${e.message || 'failed to load'}` });
    } catch (e) {
      resolve({ error: `worker: ${e}` });
    }
  });
}

score().then(async (page) => {
  window.__result = JSON.stringify({ page, worker: await inWorker(), crossOriginIsolated });
});
