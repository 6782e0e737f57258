// Pairs scored in parallel: `jobs` worker threads, each with its own
// ssimkit module on one thread, each taking the next pair when it finishes
// one. Across pairs the work (decoding included, which is serial within a
// file) divides evenly; within one call the thread pool's rows would not
// (small images, MS-SSIM's coarse scales).

import { Worker } from 'node:worker_threads';
import { FileError, UsageError } from './score.js';

/**
 * Scores `pairs` ([{ ref, img, mapPath? }]) with `job` on `jobs` workers;
 * `onDone(index, outcome)` as each finishes (outcome: { row, notes } or {
 * error }), in any order. Rejects on the first usage error (a bad option),
 * which every pair would hit.
 */
export function runParallel(pairs, job, jobs, onDone) {
  return new Promise((resolve, reject) => {
    const workers = [];
    let next = 0;
    let finished = 0;
    let stopped = false;
    const stop = (err) => {
      if (stopped) return;
      stopped = true;
      for (const w of workers) w.terminate();
      if (err) reject(err);
      else resolve();
    };
    const feed = (w) => {
      if (next >= pairs.length) return;
      const id = next++;
      const { ref, img, mapPath } = pairs[id];
      w.postMessage({ id, ref, img, mapPath });
    };
    const { metrics, opts, maxPixels, mapMin } = job;
    for (let k = 0; k < Math.min(jobs, pairs.length); k++) {
      const w = new Worker(new URL('./pair-worker.js', import.meta.url), { workerData: { metrics, opts, maxPixels, mapMin } });
      workers.push(w);
      w.on('error', (e) => stop(e));
      w.on('message', (m) => {
        if (stopped) return;
        if (m.ready) return feed(w);
        if (m.error && !m.error.file) return stop(new UsageError(m.error.message));
        onDone(m.id, m.error ? { error: new FileError(m.error.message) } : m);
        if (++finished === pairs.length) return stop();
        feed(w);
      });
    }
  });
}
