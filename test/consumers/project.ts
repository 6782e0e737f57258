// A consumer's project for the CommonJS, Jest and TypeScript suites: the
// packed ssimkit (test/runtimes/package.ts's install, copied as npm would
// lay it out) beside the TensorFlow.js packages this repository has
// installed, so `require('ssimkit/tfjs')` and the user's `@tensorflow/tfjs`
// meet one tfjs-core, as they would in a user's node_modules.

import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePackage, projectPkg, ROOT } from '../runtimes/package.js';

export { ROOT };
export const BIN = join(ROOT, 'node_modules/.bin');
const exec = promisify(execFile);

export interface Consumer {
  dir: string;
  write(file: string, text: string): string;
  /** Runs a command in the project; rejects with its output on a non-zero exit. */
  run(cmd: string, args: string[], opts?: { timeout?: number; env?: NodeJS.ProcessEnv }): Promise<{ stdout: string; stderr: string }>;
  remove(): void;
}

/** The vitest global setup's install when it ran, else our own. */
function packed(provided?: string) {
  return provided ? projectPkg(provided) : ensurePackage();
}

/**
 * A fresh project, `type` as its package.json says (CommonJS by default,
 * as most Jest and `require` users have), with ssimkit, @tensorflow/* and
 * `extra` packages of ours in its node_modules.
 */
export function makeConsumer(provided: string | undefined, opts: { type?: 'module' | 'commonjs'; extra?: string[] } = {}): Consumer {
  const pkg = packed(provided);
  const base = join(tmpdir(), 'ssimkit-consumers');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'p-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ssimkit-consumer', private: true, type: opts.type ?? 'commonjs' }, null, 2));
  mkdirSync(join(dir, 'node_modules'));
  // A real copy: its dependencies resolve from here (@tensorflow/tfjs-core beside it).
  cpSync(pkg.dir, join(dir, 'node_modules/ssimkit'), { recursive: true, dereference: true });
  for (const name of ['@tensorflow', ...(opts.extra ?? [])]) {
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  }
  return {
    dir,
    write(file, text) {
      const p = join(dir, file);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    async run(cmd, args, o = {}) {
      try {
        return await exec(cmd, args, { cwd: dir, timeout: o.timeout ?? 120_000, env: o.env ?? process.env, maxBuffer: 16 << 20 });
      } catch (e) {
        const x = e as Error & { stdout?: string; stderr?: string };
        throw new Error(`${cmd} ${args.join(' ')} failed: ${x.message}\n--- stdout\n${x.stdout}\n--- stderr\n${x.stderr}`);
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
