import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    // Test files share one Postgres database and one Redis (as the service does): run them one
    // after another, so a file's assertions about rows and queued jobs see only its own work.
    fileParallelism: false,
    maxWorkers: 1,
  },
});
