import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: '@mfsim/cli',
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    // a test runs up to ten `mfsim` processes (node + tsx, 4-10 s each on a loaded 2-core machine)
    testTimeout: 240_000,
    hookTimeout: 60_000,
    // The service tests each run a worker on the same queues: one file at a time.
    fileParallelism: false,
  },
});
