import { defineConfig } from 'vitest/config';

/** The fault suite (`npm run test:faults`): kills, restarts and provider outages against the sandbox. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Same as bin/hubwarden.js: under Node.js 20 the AWS SDK warns about its releases after January 2027
    // in every process that builds a client; the supported Node.js line is stated in the README.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    fileParallelism: false,
  },
});
