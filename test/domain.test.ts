// The numeric domains are written twice, for the TypeScript checks
// (ts/domain.ts) and the Rust API's own (crate/src/domain.rs, exported by
// the module as JSON): they must be the same numbers, or a value could pass
// one check and fail the other.
import { describe, expect, it } from 'vitest';
import { DOMAIN, MAX_PIXEL_OVER_RANGE, MAX_PIXELS } from '../dist/domain.js';
import { backend } from '../dist/backend.js';
import { init } from 'ssimkit';

describe('the domain tables', () => {
  it('TypeScript and Rust agree on every range', async () => {
    await init();
    const rust = JSON.parse((backend('test') as unknown as { domainTable(): string }).domainTable()) as Record<string, unknown>;
    const { threads: _, ...ts } = DOMAIN;
    expect(rust).toEqual({ ...ts, maxPixels: MAX_PIXELS, pixelOverRange: MAX_PIXEL_OVER_RANGE });
  });
});
