// init()'s time in fresh Node processes (init() loads once per process):
// for each entry, the default `await init()` (as it resolves), a second
// `await init()` (the pool settled), and `init({ threads: 1 })` for scale;
// the processes interleaved, entry by entry, so a busy machine weighs on all
// alike. Prints the medians, and the runs.
// Usage: node bench/init-fresh.mjs [processes=15] [entry URL or path ...]
// (default entry: this checkout's dist/node.js; pass another checkout's to
// compare, e.g. before and after a change).
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const [count = '15', ...given] = process.argv.slice(2);
const entries = (given.length ? given : [new URL('../dist/node.js', import.meta.url).href])
  .map((e) => (/^file:/.test(e) ? e : pathToFileURL(e).href));

const CHILD = `
const [entry, options] = process.argv.slice(1);
const t0 = performance.now();
const s = await import(entry);
const t1 = performance.now();
const info = await s.init(JSON.parse(options) ?? undefined);
const t2 = performance.now();
const settled = await s.init();
const t3 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, initMs: t2 - t1, settledMs: t3 - t1,
  info: info.build + ' ' + info.threads + (info.starting ? ' starting' : ''), settled: settled.build + ' ' + settled.threads }));`;

const modes = [['init()', 'null'], ['init({ threads: 1 })', '{"threads":1}']];
const runs = new Map();
for (let i = 0; i < Number(count); i++) {
  for (const entry of entries) {
    for (const [name, options] of modes) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, entry, options], { encoding: 'utf8' });
      const key = `${entry}\t${name}`;
      if (!runs.has(key)) runs.set(key, []);
      runs.get(key).push(JSON.parse(out.trim().split('\n').pop()));
    }
  }
}
const mid = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const [key, rs] of runs) {
  const [entry, name] = key.split('\t');
  console.log(`${entry}  ${name}: resolves in ${mid(rs.map((r) => r.initMs)).toFixed(1)} ms, settled ${mid(rs.map((r) => r.settledMs)).toFixed(1)} ms (medians of ${rs.length}; import ${mid(rs.map((r) => r.importMs)).toFixed(1)} ms; info '${rs[0].info}', settled '${rs[0].settled}')`);
  console.log(`    runs: ${rs.map((r) => r.initMs.toFixed(1)).join(', ')}`);
}
