// Packing: `npm pack` and an install of the tarball into a project of its
// own. No vitest import, so the global setup can use it in the main process.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Pkg {
  /** A throw-away project with the tarball installed, as a user's would be. */
  project: string;
  /** project/node_modules/ssimkit */
  dir: string;
  manifest: { exports: Record<string, unknown> };
}

/**
 * Packs the repository with `npm pack` and installs the tarball into a
 * project of its own, so every runtime meets the files and the `exports`
 * map a user gets from the registry. The project is keyed by the tarball's
 * hash (npm pack is deterministic): the four suites, run in separate
 * workers, pack once each (~1 s) but install only once, and a rebuilt dist/
 * never meets a stale install.
 */
export function ensurePackage(): Pkg {
  if (!packageIsBuilt()) throw new Error('dist/ is missing: run `bash scripts/build.sh` first');
  const base = join(tmpdir(), 'ssimkit-runtimes');
  mkdirSync(base, { recursive: true });
  const packDir = mkdtempSync(join(base, 'pack-'));
  try {
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    const tarball = join(packDir, name);
    const key = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 16);
    const project = join(base, `project-${key}`);
    if (!existsSync(join(project, '.complete'))) {
      const staging = mkdtempSync(join(base, 'staging-'));
      writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'ssimkit-user', private: true, type: 'module' }));
      cpSync(tarball, join(staging, name));
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', `./${name}`], { cwd: staging, stdio: 'pipe' });
      writeFileSync(join(staging, '.complete'), '');
      try {
        renameSync(staging, project);
      } catch {
        rmSync(staging, { recursive: true, force: true }); // another worker won the race
      }
      prune(base, project);
    }
    return projectPkg(project);
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}

export function packageIsBuilt(): boolean {
  return existsSync(join(ROOT, 'dist/wasm'));
}

export function projectPkg(project: string): Pkg {
  const dir = join(project, 'node_modules/ssimkit');
  return { project, dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
}

/** Installs of older builds: gone after a day. */
function prune(base: string, keep: string) {
  for (const e of readdirSync(base)) {
    const p = join(base, e);
    if (p !== keep && Date.now() - statSync(p).mtimeMs > 86_400_000) rmSync(p, { recursive: true, force: true });
  }
}
