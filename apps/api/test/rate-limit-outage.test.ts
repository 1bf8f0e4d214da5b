// Keyed reads while Redis is down (a throwaway redis-server of this file's own, killed here): the
// key is checked against Postgres and its rate limit is counted in the API process, so reads keep
// answering instead of 503, and the limit still holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { buildApp } from '../src/app.ts';
import { openApiDeps } from '../src/services.ts';
import { startThrowawayRedis, type ThrowawayRedis } from '@mfsim/test-servers';

const ADMIN = 'rate-limit-outage-admin-key-0123456789';
const run = Math.random().toString(36).slice(2, 8);
let redis: ThrowawayRedis;
let deps: ReturnType<typeof openApiDeps>;
let app: Awaited<ReturnType<typeof buildApp>>;
const api = () => request(app.server);

beforeAll(async () => {
  redis = await startThrowawayRedis();
  deps = openApiDeps({ databaseUrl: process.env.DATABASE_URL, redisUrl: redis.url, memoryBudgetBytes: 4 * 1024 ** 3 });
  app = await buildApp({ deps, auth: { adminKey: ADMIN } });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await deps?.close();
  await redis?.destroy();
});

describe('rate limits while Redis is down', () => {
  it('keyed reads keep answering from Postgres, and the per-key limit is counted in the process meanwhile', async () => {
    const admin = { Authorization: `Bearer ${ADMIN}` };
    const made = await api().post('/v1/keys').set(admin).send({ name: `reader ${run}`, role: 'submit', rateLimitPerMinute: 4 });
    expect(made.status).toBe(201);
    const key = { Authorization: `Bearer ${made.body.key}` };
    const sim = await api().post('/v1/simulations').set(admin).send({
      name: `read during outage ${run}`, seed: 1, replicas: 1, resources: { gpu: 'no' },
      inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
      student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 16, dt: 0.2, steps: 20 }, record: { every: 10, testSize: 16, probes: 0 },
    });
    expect(sim.status).toBe(201);

    await redis.kill();
    try {
      // The minute's window may turn during the test: a fresh window restarts the count, so the
      // 429 is looked for over at most two windows' worth of requests.
      const statuses: number[] = [];
      let refused: request.Response | undefined;
      for (let i = 0; i < 12 && !refused; i++) {
        const started = Date.now();
        const r = await api().get(`/v1/simulations/${sim.body.id}`).set(key);
        statuses.push(r.status);
        if (r.status === 200) {
          expect(r.body.id).toBe(sim.body.id);
          expect(Date.now() - started).toBeLessThan(30_000);
        } else refused = r;
      }
      expect(statuses.slice(0, 4)).toEqual(statuses.slice(0, 4).map(() => 200));
      expect(refused?.status).toBe(429);
      expect(refused?.headers['retry-after']).toMatch(/^\d+$/);
      // Another key is counted on its own.
      expect((await api().get(`/v1/simulations/${sim.body.id}`).set(admin)).status).toBe(200);
      // An unknown key is still refused (keys are checked in Postgres, not Redis).
      expect((await api().get(`/v1/simulations/${sim.body.id}`).set({ Authorization: 'Bearer not-a-key-of-this-service' })).status).toBe(401);
    } finally {
      await redis.start();
    }
  }, 120_000);
});
