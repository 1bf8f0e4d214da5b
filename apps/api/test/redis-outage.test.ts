// /readyz and /metrics against a Redis of this file's own (a throwaway redis-server, killed here):
// the workers alive per kind are shown, a queue with jobs and no worker is warned about, and while
// Redis is down both answer at once, saying what is unknown, instead of waiting on Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { buildApp } from '../src/app.ts';
import { openApiDeps } from '../src/services.ts';
import { startWorker, workerConfig, type RunningWorker } from './harness.ts';
import { smallSpec, waitFor } from './harness.ts';
import { startThrowawayRedis, type ThrowawayRedis } from '@mfsim/test-servers';

let redis: ThrowawayRedis;
let service: { app: Awaited<ReturnType<typeof buildApp>>; deps: ReturnType<typeof openApiDeps> };
const api = () => request(service.app.server);

beforeAll(async () => {
  redis = await startThrowawayRedis();
  const deps = openApiDeps({ databaseUrl: process.env.DATABASE_URL, redisUrl: redis.url, memoryBudgetBytes: 4 * 1024 ** 3 });
  const app = await buildApp({ deps });
  await app.ready();
  service = { app, deps };
});

afterAll(async () => {
  await service?.app.close();
  await service?.deps.close();
  await redis?.destroy();
});

describe('workers and Redis outages in /readyz and /metrics', () => {
  it('warns when a queue has jobs and no worker, and counts a worker once it is up', async () => {
    const post = await api().post('/v1/simulations').send(smallSpec({ name: 'waits for a worker' }));
    expect(post.status).toBe(201);
    const before = await api().get('/readyz');
    expect(before.status).toBe(200);
    expect(before.body.workers).toEqual({ cpu: 0, gpu: 0 });
    expect(before.body.warnings).toEqual([expect.stringMatching(/wait on the cpu queue and no cpu worker is alive/)]);
    expect((await api().get('/metrics')).text).toMatch(/mfsim_queue_without_workers\{kind="cpu"\} 1/);

    let worker: RunningWorker | undefined;
    try {
      worker = await startWorker(workerConfig({ ...process.env, REDIS_URL: redis.url, MFSIM_KERNEL: 'reference' }), () => {});
      const ready = await waitFor(async () => {
        const r = await api().get('/readyz');
        return r.body.workers?.cpu === 1 ? r.body : undefined;
      }, 120_000, 'the worker to be counted'); // its start and first heartbeat, on a loaded machine
      expect(ready.workers).toEqual({ cpu: 1, gpu: 0 });
      expect((await api().get('/metrics')).text).toMatch(/mfsim_workers_alive\{kind="cpu"\} 1/);
    } finally {
      await worker?.close();
    }
  }, 180_000);

  it('answers /metrics and /readyz while Redis is down, saying what is unknown', async () => {
    await redis.kill();
    try {
      const started = Date.now();
      const metrics = await api().get('/metrics');
      const elapsed = Date.now() - started;
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^mfsim_redis_up 0$/m);
      expect(metrics.text).not.toMatch(/mfsim_queue_jobs/);
      console.log(`/metrics answered in ${elapsed} ms with Redis down`);
      const ready = await api().get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ redis: false, workers: null });
    } finally {
      await redis.start();
    }
    // Reconnections back off: generous deadlines for a loaded 2-core machine.
    await waitFor(async () => ((await api().get('/readyz')).status === 200 ? true : undefined), 120_000, 'ready again');
    // The queues' own connections come back too: the Redis-held series return.
    await waitFor(async () => (/^mfsim_redis_up 1$/m.test((await api().get('/metrics')).text) ? true : undefined), 120_000, 'metrics from Redis again');
    expect((await api().get('/metrics')).text).toMatch(/mfsim_queue_jobs\{/);
  }, 300_000);
});
