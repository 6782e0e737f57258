import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Packs and installs the package once for the runtime suites.
    globalSetup: ['test/runtimes/global-setup.ts'],
    // Runtime suites start browsers and servers: generous, never flaky.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: run files one after another so runtimes don't starve each other.
    fileParallelism: false,
  },
});
