// toBeSimilarTo before init() (each vitest file has its own module
// instance): the error names the setup line to add, for both runners.
import { expect, it } from 'vitest';
import { toBeSimilarTo } from 'ssimkit/matchers';

it('a matcher call before init() says which setup line to add', () => {
  const img = { data: new Uint8Array(16 * 16), width: 16, height: 16 };
  let e: unknown;
  try {
    toBeSimilarTo.call({ isNot: false }, img, img);
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(Error);
  expect((e as Error).message).toMatch(/^toBeSimilarTo: ssimkit is not initialised: add 'ssimkit\/vitest' to vitest's setupFiles .*'ssimkit\/jest' to Jest's setupFilesAfterEnv/);
});
