import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: '@mfsim/cli',
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The service tests each run a worker on the same queues: one file at a time.
    fileParallelism: false,
  },
});
