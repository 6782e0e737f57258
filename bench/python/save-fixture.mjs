#!/usr/bin/env node
// Stores what test/bench-python.test.ts replays: from the bench/results.json
// of a real `npm run bench -- --python --sizes 1920x1080` run, the Python
// peers' rows as peers.py printed them and ssimkit's 1-thread rows they are
// set against, in bench/python/fixture-run.json.
//   node bench/python/save-fixture.mjs [bench/results.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIT_CASE } from './merge.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const results = JSON.parse(readFileSync(process.argv[2] ?? resolve(here, '..', 'results.json'), 'utf8'));
if (!results.python?.rows?.length) throw new Error('save-fixture: that results.json has no Python rows (run npm run bench -- --python)');
const cases = new Set(Object.values(KIT_CASE));
const kit1 = results.ssimkit.find((c) => c.threads === 1);
const batch1 = results.python.kitBatch.find((c) => c.threads === 1);
const strip = ({ kitCase, xKit1t, absDiff, ...raw }) => raw; // peers.py's own fields only
const fixture = {
  from: { date: results.date, commit: results.commit, cpuModel: results.cpuModel, sizes: results.sizes },
  versions: results.python.versions,
  peers: results.python.rows.map(strip),
  kit1: [...kit1.rows, ...(batch1?.rows ?? [])].filter((r) => cases.has(r.case)).map(({ size, case: c, ms, n, value }) => ({ size, case: c, ms, n, value })),
  targets: results.targets.filter((t) => /OpenCV|scikit-image|pytorch-msssim|torch autograd/.test(t.name)),
};
writeFileSync(join(here, 'fixture-run.json'), `${JSON.stringify(fixture, null, 2)}\n`);
console.log(`wrote bench/python/fixture-run.json (${fixture.peers.length} peer rows, ${fixture.kit1.length} ssimkit rows)`);
