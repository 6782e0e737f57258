#!/usr/bin/env node
// bench/.venv for the Python peers (`npm run bench -- --python`), from PyPI:
//
//   node bench/python/setup.mjs [--recreate]
//
// python3 -m venv, `pip install --no-deps -r bench/python/requirements.txt`
// (the full closure, pinned, without torch's CUDA wheels), the CUDA stand-in
// libraries (cuda_stubs.py, compiled with cc), then `peers.py --self-check`.
// The venv is reused while its stamp matches the hash of the requirements,
// the stub generator and the interpreter's version, so a warm run installs
// nothing. Prints one JSON line (the stamp) on stdout.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const VENV = resolve(here, '..', '.venv');
const STAMP = 'ssimkit-bench-stamp.json';

/** The interpreter every step uses: python3, unless SSIMKIT_BENCH_PYTHON names another. */
const basePython = () => process.env.SSIMKIT_BENCH_PYTHON ?? 'python3';

/** sha256 of what decides the venv's contents. */
export function venvHash(pythonVersion) {
  const h = createHash('sha256');
  for (const f of ['requirements.txt', 'cuda_stubs.py']) h.update(readFileSync(join(here, f)));
  h.update(pythonVersion);
  return h.digest('hex').slice(0, 16);
}

function run(cmd, args, log) {
  log(`[python] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: here, stdio: ['ignore', 2, 2] });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
}

function du(path) {
  const r = spawnSync('du', ['-sb', path], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split(/\s/)[0]) : null;
}

/**
 * Makes or reuses the venv. Returns the stamp: { hash, python, stubs, versions,
 * installSeconds, bytes, reused }; throws with the failing step's command.
 */
export function ensureVenv({ venv = VENV, recreate = false, log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  const v = spawnSync(basePython(), ['--version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) throw new Error(`${basePython()} --version failed: is Python 3 installed?`);
  const hash = venvHash(v.stdout.trim() || v.stderr.trim());
  const python = join(venv, 'bin', 'python');
  const stampPath = join(venv, STAMP);
  if (!recreate && existsSync(stampPath) && existsSync(python)) {
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
    if (stamp.hash === hash) {
      log(`[python] reusing ${venv} (requirements hash ${hash})`);
      return { ...stamp, reused: true };
    }
    log(`[python] ${venv} was made for ${stamp.hash}, not ${hash}: recreating it`);
  }
  const started = performance.now();
  rmSync(venv, { recursive: true, force: true });
  run(basePython(), ['-m', 'venv', venv], log);
  // --no-deps: requirements.txt is the whole closure; pip's resolver would add torch's ~3 GB of CUDA wheels.
  run(python, ['-m', 'pip', 'install', '--no-deps', '--no-input', '--disable-pip-version-check', '-q', '-r', join(here, 'requirements.txt')], log);
  const stubs = join(venv, 'cuda-stubs');
  run(python, [join(here, 'cuda_stubs.py'), stubs], log);
  const check = spawnSync(python, [join(here, 'peers.py'), '--self-check', '--stubs', stubs], { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 2] });
  if (check.status !== 0) throw new Error(`peers.py --self-check failed (exit ${check.status ?? check.signal})`);
  const self = JSON.parse(check.stdout.trim().split('\n').pop());
  const stamp = { hash, python, stubs, versions: self.versions, installSeconds: (performance.now() - started) / 1000, bytes: du(venv), made: new Date().toISOString() };
  writeFileSync(stampPath, `${JSON.stringify(stamp, null, 2)}\n`);
  log(`[python] ${venv} ready in ${stamp.installSeconds.toFixed(0)} s, ${(stamp.bytes / 2 ** 20).toFixed(0)} MiB`);
  return { ...stamp, reused: false };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    console.log(JSON.stringify(ensureVenv({ recreate: process.argv.includes('--recreate') })));
  } catch (e) {
    console.error(`[python] ${e.message}`);
    process.exit(1);
  }
}
