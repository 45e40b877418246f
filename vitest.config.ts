import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/faults/**', 'node_modules/**'],
    // Without Redis the run stops at once with one line saying how to start it.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests share one Redis; each uses its own queue prefix, so files may run in parallel.
    pool: 'forks',
    // Same as bin/hubwarden.js: under Node.js 20 the AWS SDK warns about its releases after January 2027
    // in every process that builds a client; the supported Node.js line is stated in the README.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default'],
  },
});
