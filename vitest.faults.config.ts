import { defineConfig } from 'vitest/config';

/** The fault suite (`npm run test:faults`): kills, restarts and provider outages against the sandbox. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
