// Shared by the benchmarks.

/** Median wall time (ms) of `runs` calls of f. */
export function median(f, runs) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

/**
 * The timing rule of `npm run bench` (crate/examples/native_bench.rs has the
 * same): one warm-up call, then as many timed calls as fit `budgetMs`,
 * between `minRuns` and `maxRuns`; when the warm-up alone took more than
 * `slowMs`, it counts as one of the samples (the median of three still drops
 * one outlier, and a 4K row then costs three calls, not four).
 * Returns { ms: the median, n: the samples, times, value: f's last result }.
 */
export function measure(f, { budgetMs = 1500, minRuns = 3, maxRuns = 15, slowMs = 2000 } = {}) {
  let s = performance.now();
  let value = f();
  const warm = performance.now() - s;
  const n = Math.min(Math.max(Math.round(budgetMs / Math.max(warm, 1e-3)), minRuns, 1), Math.max(maxRuns, minRuns, 1));
  const times = warm > slowMs ? [warm] : [];
  while (times.length < n) {
    s = performance.now();
    value = f();
    times.push(performance.now() - s);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { ms: sorted[sorted.length >> 1], n: times.length, times, value };
}

/** Median of numbers. */
export function mid(v) {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1];
}
