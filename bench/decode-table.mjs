// The decoding table and its targets (issue 9 item 5), from the JSON of
// bench/decode-child.mjs; shared by bench/run.mjs and bench/decode-speed.mjs.

const fmtMs = (ms) => (ms == null ? '—' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtX = (x) => (x == null || !Number.isFinite(x) ? '—' : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

/** { lines: string[], targets: [{ name, measured, goal, status, note }] } */
export function decodeReport(result) {
  const lines = [];
  const targets = [];
  const p = (s = '') => lines.push(s);
  if (result.error) {
    p(`Decoding: UNAVAILABLE — ${result.error}`);
    return { lines, targets };
  }
  const { rows } = result;
  p(`Decoding: median ms over ${result.rounds} interleaved rounds (after a warm-up round), one process, ssimkit build '${result.info.build}' ${result.info.threads}t` +
    `${result.info.wasm !== 'dist/' ? ` from ${result.info.wasm}` : ''}, sharp.concurrency(1).`);
  p("'x kit' = this row's time / ssimkit's on the same file (above 1: slower than ssimkit); max|d| / mean|d| = decoded pixels against ssimkit's (RGB, and alpha when both give it).");
  const sizes = [...new Set(rows.map((r) => r.size))];
  for (const size of sizes) {
    p();
    p(size);
    p(`  ${pad('file', 28)}${lpad('bytes', 10)}  ${pad('implementation', 15)}${pad('type', 9)}${lpad('ms', 8)}${lpad('n', 4)}${lpad('x kit', 8)}${lpad('max|d|', 8)}${lpad('mean|d|', 9)}`);
    for (const file of [...new Set(rows.filter((r) => r.size === size).map((r) => r.file))]) {
      const fileRows = rows.filter((r) => r.size === size && r.file === file);
      const kit = fileRows.find((r) => r.impl === 'ssimkit');
      fileRows.forEach((r, i) => {
        const head = i === 0 ? `${pad(r.label, 28)}${lpad(`${(r.fileBytes / 1e6).toFixed(2)} MB`, 10)}` : pad('', 38);
        const x = r.ms != null && kit?.ms ? r.ms / kit.ms : null;
        const c = r.check ?? {};
        const d = c.error ? `  ${c.error}` : r.impl === 'ssimkit' ? '' : `${lpad(c.maxAbsDiff ?? '—', 8)}${lpad(c.meanAbsDiff == null ? '—' : c.meanAbsDiff.toFixed(3), 9)}`;
        p(`  ${head}  ${pad(r.impl, 15)}${pad(r.type, 9)}${lpad(r.error ? 'error' : fmtMs(r.ms), 8)}${lpad(r.n, 4)}${lpad(fmtX(x), 8)}${d}${r.error ? `  ${r.error}` : ''}`);
      });
      // Targets: faster than every wasm and pure-JS peer; within 2x of sharp.
      const label = `${size} ${fileRows[0].file}`;
      const peers = fileRows.filter((r) => r.type !== 'native' && r.impl !== 'ssimkit' && r.ms != null);
      const slowest = peers.length && kit?.ms ? peers.map((r) => [r.impl, r.ms / kit.ms]).sort((a, b) => a[1] - b[1])[0] : null;
      targets.push({ name: `decode ${label}: fastest wasm/JS peer / ssimkit`, measured: slowest ? fmtX(slowest[1]) : 'n/a', goal: '> 1x',
        status: slowest ? (slowest[1] > 1 ? 'MET' : 'MISSED') : 'N/A', note: slowest ? `fastest peer: ${slowest[0]}` : 'no peer measured' });
      const sharp = fileRows.find((r) => r.impl === 'sharp');
      const xs = sharp?.ms && kit?.ms ? kit.ms / sharp.ms : null;
      targets.push({ name: `decode ${label}: ssimkit / sharp`, measured: xs == null ? 'n/a' : fmtX(xs), goal: '<= 2x',
        status: xs == null ? 'N/A' : xs <= 2 ? 'MET' : 'MISSED', note: '' });
    }
  }
  p();
  p('Decoders:');
  for (const d of result.decoders) p(`  ${pad(d.name, 15)}${pad(d.type, 9)}${d.how}`);
  return { lines, targets };
}

/** The targets as table lines. */
export function targetLines(targets) {
  return targets.map((t) => `  ${pad(t.name, 64)}${lpad(t.measured, 14)}  ${pad(t.goal, 11)}${pad(t.status, 8)}${t.note}`);
}
