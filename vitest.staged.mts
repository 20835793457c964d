import { defineConfig } from 'vitest/config';

// The staged start (a backend still building while the rest runs) on a stack of its own: it takes
// the same ports as the e2e project's stack, so it is a run after the others (`npm test` runs it
// last; `npm run test:staged` this one).
export default defineConfig({
  test: {
    name: 'staged',
    include: ['test/staged/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
