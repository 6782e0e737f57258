import { expect } from 'vitest';

/** Asserts that `call` throws exactly this error type with a message matching `message`. */
export function expectError(call: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): void {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).message).toMatch(message);
}
