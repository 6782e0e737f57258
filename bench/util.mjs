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
