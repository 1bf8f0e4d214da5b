import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One project per workspace (packages/*, apps/*, tests/*), named after its package, each taking the
// options below (extends: true): a glob of folders would not. A workspace with a vitest.config.ts
// of its own keeps it.
const project = (dir: string) =>
  existsSync(`${dir}/vitest.config.ts`)
    ? `${dir}/vitest.config.ts`
    : { extends: true as const, root: dir, test: { name: (JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name: string }).name } };
const projects = ['packages', 'apps', 'tests'].flatMap((parent) =>
  readdirSync(parent).map((name) => `${parent}/${name}`).filter((dir) => existsSync(`${dir}/package.json`)).map(project),
);

export default defineConfig({
  test: {
    projects,
    // Test files share one Postgres database and one Redis (as the service does): run them one
    // after another, so a file's assertions about rows and queued jobs see only its own work.
    fileParallelism: false,
    maxWorkers: 1,
    // The suite must pass on a busy machine (load 4-6 on 2 cores): no test or hook is cut off at
    // vitest's 5 s default; a test that needs longer says so itself.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
