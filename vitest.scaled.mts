import { defineConfig } from 'vitest/config';

// The scaled topology (docs/scaling.md) on its own stack. It takes the same ports as the default
// stack of the e2e project, whose global setup starts before any test runs, so it is a second
// run after the first (`npm test` runs both; `npm run test:scaled` this one).
export default defineConfig({
  test: {
    name: 'scaled',
    include: ['test/scaled/**/*.test.ts'],
    globalSetup: ['test/scaled/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
