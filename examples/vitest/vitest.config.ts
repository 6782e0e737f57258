import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Adds expect(...).toBeSimilarTo and loads ssimkit before the tests.
    setupFiles: ['ssimkit/vitest'],
  },
});
