// Optional vitest globalSetup: packs and installs ssimkit once, before any
// suite, and hands the project to the runtime suites. Register it with
//   test: { globalSetup: ['test/runtimes/global-setup.ts'] }
// Without it each runtime suite packs for itself (about a second each) and
// they share one install, keyed by the tarball's hash.

import type { TestProject } from 'vitest/node';
import { ensurePackage, packageIsBuilt } from './package.js';

export default function setup(project: TestProject) {
  // Suites that don't need the package must still run before a build.
  if (packageIsBuilt()) project.provide('ssimkitProject', ensurePackage().project);
}
