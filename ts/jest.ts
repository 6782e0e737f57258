// `setupFilesAfterEnv: ['ssimkit/jest']`: registers toBeSimilarTo with
// Jest's global expect and initialises ssimkit before each test file's
// tests (the matcher is synchronous, so the build must be loaded first).
// Jest is not imported: its globals are there when setupFilesAfterEnv run.
// Jest resolves setup files as CommonJS even in its ESM mode, where an ES
// test's `import 'ssimkit'` is the ES copy: `ssimkit/jest/esm` is this
// file as an ES module, so the copy initialised is the one the test imports.
import { toBeSimilarTo, type SimilarImage, type ToBeSimilarToOptions } from './matchers.js';
import { init } from './node.js';
// Only for the augmentation below (@jest/globals' expect).
import type {} from 'expect';

const g = globalThis as { expect?: { extend?: (m: object) => void }; beforeAll?: (fn: () => Promise<void>) => void };
if (typeof g.expect?.extend !== 'function' || typeof g.beforeAll !== 'function') {
  throw new Error("ssimkit/jest: Jest's expect and beforeAll are not defined here: list 'ssimkit/jest' in setupFilesAfterEnv (setupFiles run before Jest installs them); for vitest use 'ssimkit/vitest'");
}
g.expect.extend({ toBeSimilarTo });
g.beforeAll(async () => {
  await init();
});

/** The matcher's signature, for both places Jest's types live. */
interface SimilarityMatcher<R> {
  /**
   * Passes when the received image (an image, a PNG/JPEG/WebP file's
   * bytes, or a path relative to the test file) is at least as similar to
   * `reference` as the thresholds ask (`ssim: 0.99` when none is given).
   * On failure the SSIM heatmap is written beside the test file, under
   * `__ssimkit__/`.
   */
  toBeSimilarTo(reference: SimilarImage, options?: ToBeSimilarToOptions): R;
}

declare global {
  namespace jest {
    // The global `expect` of @types/jest.
    interface Matchers<R, T = {}> extends SimilarityMatcher<R> {}
  }
}

declare module 'expect' {
  // `import { expect } from '@jest/globals'`.
  interface Matchers<R extends void | Promise<void>, T = unknown> extends SimilarityMatcher<R> {}
}

export type { MatcherContext, MatcherResult, SimilarImage, ToBeSimilarToOptions } from './matchers.js';
