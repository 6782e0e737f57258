// Before init() (each vitest file has its own module instance).
import { expect, it } from 'vitest';
import { ssim } from 'ssimkit';

it('a call before init() says to call init()', () => {
  const img = { data: new Uint8Array(16 * 16), width: 16, height: 16 };
  expect(() => ssim(img, img)).toThrow(/not initialised; call `await init\(\)`/);
});
