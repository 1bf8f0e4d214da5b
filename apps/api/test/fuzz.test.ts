// A smaller run of the fuzz script (npm run fuzz:api): hostile requests on every route.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fuzzApi } from '../fuzz/fuzz-core.ts';
import { buildApp } from '../src/app.ts';
import { startService } from './harness.ts';

let service: Awaited<ReturnType<typeof startService>>;
let app: Awaited<ReturnType<typeof buildApp>>;
beforeAll(async () => {
  service = await startService();
  app = await buildApp({ deps: service.deps, bodyLimit: 64 * 1024 });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await service?.close();
});

it('answers 600 hostile requests with named 4xx errors, no 5xx, nothing written or queued', async () => {
  const rows = await service.deps.db.prisma.simulation.count();
  const jobs = await service.deps.queues.cpu.getJobCountByTypes('waiting', 'prioritized', 'active', 'delayed');
  const r = await fuzzApi(app, 600, 7, 64 * 1024);
  expect(r.examples).toEqual([]);
  expect(r.serverErrors).toBe(0);
  expect(r.leaks).toBe(0);
  expect(await service.deps.db.prisma.simulation.count()).toBe(rows);
  expect(await service.deps.queues.cpu.getJobCountByTypes('waiting', 'prioritized', 'active', 'delayed')).toBe(jobs);
});
