// The service on a Sentinel-managed Redis (a master, a replica and three sentinels, started here):
// a sweep finishes with every point when its master is killed mid-sweep and the sentinels promote
// the replica; API and workers follow the new master by themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { redisTopology } from '@mfsim/queue';
import { smallSpec, waitFor } from './harness.ts';
import { startTestSentinels, type TestSentinels } from '@mfsim/test-servers';
import { startFailoverService, type FailoverService } from './failover-service.ts';

let sentinels: TestSentinels;
let service: FailoverService;
const api = () => request(service.app.server);

beforeAll(async () => {
  sentinels = await startTestSentinels();
  service = await startFailoverService(sentinels.url);
}, 180_000);

afterAll(async () => {
  try {
    await service?.close();
  } finally {
    await sentinels?.stop();
  }
}, 120_000);

describe('on a Sentinel-managed Redis', () => {
  it('reads REDIS_URL=redis+sentinel://... and REDIS_SENTINELS as a sentinel topology', () => {
    expect(redisTopology('redis+sentinel://:secret@10.0.0.1:26379,10.0.0.2:26380/lab/2')).toEqual({
      mode: 'sentinel', sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26380 }], name: 'lab', db: 2,
      username: undefined, password: 'secret',
    });
    expect(redisTopology('redis+sentinel://10.0.0.1:26379')).toMatchObject({ mode: 'sentinel', name: 'mymaster', db: 0 });
  });

  it('a sweep loses nothing when the master dies and the sentinels promote its replica', async () => {
    const before = await sentinels.master();
    const post = await api().post('/v1/sweeps').send({
      name: 'sentinel failover',
      base: smallSpec({ training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 1500 }, record: { every: 100, testSize: 256, probes: 4 } }),
      grid: { 'student.width': [8, 16, 32], 'training.dt': [0.1, 0.2] },
      replicas: 2,
    });
    expect(post.status, JSON.stringify(post.body)).toBe(201);
    const ids = (post.body.children as { simulationId: string }[]).map((c) => c.simulationId);
    expect(ids).toHaveLength(6);

    // Mid-sweep: at least one point done, at least one not.
    await waitFor(async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await api().get(`/v1/simulations/${id}`)).body.status as string));
      const done = statuses.filter((s) => s === 'completed').length;
      return done >= 1 && done < ids.length ? true : undefined;
    }, 120_000, 'the sweep to be under way');
    sentinels.kill(before);
    const after = await waitFor(async () => {
      const now = await sentinels.master().catch(() => undefined);
      return now && now !== before ? now : undefined;
    }, 60_000, 'the sentinels to promote the replica');
    expect(after).not.toBe(before);

    const done = await waitFor(async () => {
      const r = await api().get(`/v1/sweeps/${post.body.id}`).catch(() => undefined);
      return ['completed', 'cancelled'].includes(r?.body?.status) ? r!.body : undefined;
    }, 240_000, 'the sweep to finish on the new master');
    expect(done).toMatchObject({ status: 'completed', partial: false, missing: [] });
    expect(done.children.every((c: { status: string }) => c.status === 'completed')).toBe(true);
    // New work goes to the new master too.
    const again = await api().post('/v1/simulations').send(smallSpec({ training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 4 }, record: { every: 2, testSize: 16, probes: 2 } }));
    expect(again.status).toBe(201);
    await waitFor(async () => ((await api().get(`/v1/simulations/${again.body.id}`)).body.status === 'completed' ? true : undefined), 120_000, 'a run submitted after the failover');
  }, 420_000);
});
