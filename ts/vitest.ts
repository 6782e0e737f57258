// `setupFiles: ['ssimkit/vitest']`: registers toBeSimilarTo with vitest's
// expect and initialises ssimkit before each test file's tests (the
// matcher is synchronous, so the build must be loaded first). Importing
// vitest here is fine: only vitest users load this file.
import { beforeAll, expect } from 'vitest';
import { toBeSimilarTo, type SimilarImage, type ToBeSimilarToOptions } from './matchers.js';
import { init } from './node.js';

expect.extend({ toBeSimilarTo });

beforeAll(async () => {
  await init();
});

declare module 'vitest' {
  // Both `expect(x)` (Assertion) and `expect.toBeSimilarTo(...)`
  // (asymmetric) extend Matchers since vitest 3.2.
  interface Matchers<T = any> {
    /**
     * Passes when the received image (an image, a PNG/JPEG/WebP file's
     * bytes, or a path relative to the test file) is at least as similar
     * to `reference` as the thresholds ask (`ssim: 0.99` when none is
     * given). On failure the SSIM heatmap is written beside the test file,
     * under `__ssimkit__/`.
     */
    toBeSimilarTo(reference: SimilarImage, options?: ToBeSimilarToOptions): T;
  }
}

export type { MatcherContext, MatcherResult, SimilarImage, ToBeSimilarToOptions } from './matchers.js';
