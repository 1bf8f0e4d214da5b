// The service on a Redis Cluster (three masters, each with a replica, started here): a schedule
// fires and its sweep runs, and a sweep finishes with every point when the master holding the
// queues is killed mid-sweep and its replica takes over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { QUEUE_PREFIX } from '@mfsim/queue';
import { smallSpec, waitFor } from './harness.ts';
import { startTestCluster, type TestCluster } from '@mfsim/test-servers';
import { startFailoverService, type FailoverService } from './failover-service.ts';

let cluster: TestCluster;
let service: FailoverService;
const api = () => request(service.app.server);

async function finishedSweep(id: string, timeoutMs = 120_000) {
  return waitFor(async () => {
    const r = await api().get(`/v1/sweeps/${id}`).catch(() => undefined);
    return ['completed', 'cancelled'].includes(r?.body?.status) ? r!.body : undefined;
  }, timeoutMs, `sweep ${id} to finish`);
}

beforeAll(async () => {
  cluster = await startTestCluster();
  service = await startFailoverService(cluster.url, { security: { scheduleMinIntervalSeconds: 1 } });
}, 120_000);

afterAll(async () => {
  try {
    await service?.close();
  } finally {
    await cluster?.stop();
  }
}, 120_000);

describe('on a Redis Cluster', () => {
  it('a schedule fires and the sweep it makes runs to the end', async () => {
    const sweep = {
      name: 'cluster nightly',
      base: smallSpec({ training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 4 }, record: { every: 2, testSize: 16, probes: 2 } }),
      grid: { 'student.width': [4, 8] },
      replicas: 1,
    };
    const post = await api().post('/v1/schedules').send({ pattern: '*/2 * * * * *', sweep });
    expect(post.status, JSON.stringify(post.body)).toBe(201);
    const fired = await waitFor(async () => {
      const items = (await api().get('/v1/sweeps').query({ scheduleId: post.body.id })).body.items as { id: string }[];
      return items.length > 0 ? items[items.length - 1] : undefined;
    }, 30_000, 'a firing');
    const done = await finishedSweep(fired.id);
    expect(done).toMatchObject({ status: 'completed', missing: [] });
    expect(done.children.map((c: { status: string }) => c.status)).toEqual(['completed', 'completed']);
    expect((await api().delete(`/v1/schedules/${post.body.id}`)).status).toBe(204);
  }, 90_000);

  it('a sweep loses nothing when the master holding the queues dies and its replica takes over', async () => {
    // Gossip spreads the replicas' attachment to every node within seconds: wait for it.
    const owner = await waitFor(async () => {
      const o = await cluster.ownerOf(QUEUE_PREFIX);
      return o.replicas.length > 0 ? o : undefined;
    }, 60_000, 'the queues\' master to list a replica');
    expect(owner.replicas.length).toBeGreaterThan(0);
    const post = await api().post('/v1/sweeps').send({
      name: 'failover',
      base: smallSpec({ training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 1500 }, record: { every: 100, testSize: 256, probes: 4 } }),
      grid: { 'student.width': [8, 16, 32], 'training.dt': [0.1, 0.2] },
      replicas: 2,
    });
    expect(post.status).toBe(201);
    const ids = (post.body.children as { simulationId: string }[]).map((c) => c.simulationId);
    expect(ids).toHaveLength(6);

    // Mid-sweep: at least one point done, at least one not.
    await waitFor(async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await api().get(`/v1/simulations/${id}`)).body.status as string));
      const done = statuses.filter((s) => s === 'completed').length;
      return done >= 1 && done < ids.length ? true : undefined;
    }, 120_000, 'the sweep to be under way');
    cluster.kill(owner.master);
    await waitFor(async () => {
      const now = await cluster.ownerOf(QUEUE_PREFIX).catch(() => undefined);
      return now && now.master !== owner.master ? now : undefined;
    }, 30_000, 'a replica to be promoted');

    const done = await finishedSweep(post.body.id, 180_000);
    expect(done).toMatchObject({ status: 'completed', partial: false, missing: [] });
    expect(done.children.every((c: { status: string }) => c.status === 'completed')).toBe(true);
    const stats = (await api().get(`/v1/sweeps/${post.body.id}/statistics`)).body;
    expect(stats.partial).toBe(false);
    for (const series of stats.series) expect(series.widths).toEqual([8, 16, 32]);
  }, 300_000);
});
