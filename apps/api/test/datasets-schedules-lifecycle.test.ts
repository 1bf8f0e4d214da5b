// Issue 17: stored datasets listed and deleted (never from under a run that may still need it, nor
// another project's), and deleted schedules that keep the link to the sweeps they made.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { openScheduleQueue, redisConnection } from '@mfsim/queue';
import { buildApp, smallSpec, startService, startTestWorker, waitFor } from './harness.ts';

const ADMIN = `admin-${randomUUID()}`;
const run = randomUUID().slice(0, 8);
const RED = `red-${run}`;
const BLUE = `blue-${run}`;
let service: Awaited<ReturnType<typeof startService>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let app: Awaited<ReturnType<typeof buildApp>>;
const api = () => request(app.server);
const schedulers = openScheduleQueue(redisConnection());
const keys: Record<string, string> = {};

const xor = { train: { x: [[1, 1], [1, -1], [-1, 1], [-1, -1]], y: [1, -1, -1, 1] }, test: { x: [[1, 1], [-1, -1]], y: [1, 1] } };
const datasetSpec = (datasetId: string) => smallSpec({
  inputs: { kind: 'dataset', datasetId }, target: { kind: 'labels' },
  training: { dynamics: 'gd', dt: 0.1, steps: 20 }, record: { every: 10, probes: 2 },
});
const tinySweep = (name: string, base = smallSpec({ training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 4 }, record: { every: 2, testSize: 16, probes: 2 } })) =>
  ({ name, base, grid: { 'student.width': [4, 8] }, replicas: 1 });

beforeAll(async () => {
  service = await startService();
  app = await buildApp({ deps: service.deps, auth: { adminKey: ADMIN, rateLimitPerMinute: 100_000 }, security: { scheduleMinIntervalSeconds: 1 } });
  await app.ready();
  for (const [name, project, role] of [['red', RED, 'submit'], ['redRead', RED, 'read'], ['blue', BLUE, 'submit']]) {
    const r = await api().post('/v1/keys').set('Authorization', `Bearer ${ADMIN}`).send({ name, role, project });
    expect(r.status).toBe(201);
    keys[name] = `Bearer ${r.body.key}`;
  }
  worker = await startTestWorker();
});

afterAll(async () => {
  await worker?.close();
  await app?.close();
  await service?.close();
  await schedulers.close();
});

describe('datasets', () => {
  it('lists the project\'s datasets newest first without their points, in cursor pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api().post('/v1/datasets').set('Authorization', keys.red).send({ name: `xor ${i}`, ...xor });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    await api().post('/v1/datasets').set('Authorization', keys.blue).send({ name: 'blue only', ...xor });
    const seen: { id: string; name: string; d: number; trainSize: number }[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await api().get('/v1/datasets').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set('Authorization', keys.redRead);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.map((d) => d.id)).toEqual([...ids].reverse());
    expect(seen[0]).toEqual({ id: ids[2], name: 'xor 2', d: 2, trainSize: 4, testSize: 2, createdAt: expect.any(String) });
    expect(JSON.stringify(seen)).not.toContain('points');
    const bad = await api().get('/v1/datasets?cursor=forged').set('Authorization', keys.red);
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([expect.objectContaining({ path: 'cursor' })]);
  });

  it('deletes a dataset nothing needs; refuses one a queued run or a schedule uses (409 naming them); 404 in another project', { timeout: 120_000 }, async () => {
    const free = (await api().post('/v1/datasets').set('Authorization', keys.red).send({ name: 'unused', ...xor })).body.id;
    // Another project's key, and a read key, cannot delete it.
    expect((await api().delete(`/v1/datasets/${free}`).set('Authorization', keys.blue)).status).toBe(404);
    expect((await api().delete(`/v1/datasets/${free}`).set('Authorization', keys.redRead)).status).toBe(403);
    const del = await api().delete(`/v1/datasets/${free}`).set('Authorization', keys.red);
    expect(del.status).toBe(204);
    expect((await api().get(`/v1/datasets/${free}`).set('Authorization', keys.red)).status).toBe(404);
    expect((await api().delete(`/v1/datasets/${free}`).set('Authorization', keys.red)).status).toBe(404);
    expect((await api().delete('/v1/datasets/not-a-uuid').set('Authorization', keys.red)).status).toBe(404);

    // A run that may still run holds it; once it completed, it does not.
    const used = (await api().post('/v1/datasets').set('Authorization', keys.red).send({ name: 'used', ...xor })).body.id;
    const sim = await api().post('/v1/simulations').set('Authorization', keys.red).send(datasetSpec(used));
    expect(sim.status).toBe(201);
    const cancelled = await api().post(`/v1/simulations/${sim.body.id}/cancel`).set('Authorization', keys.red);
    expect(cancelled.status).toBe(200);
    const refused = await api().delete(`/v1/datasets/${used}`).set('Authorization', keys.red);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(sim.body.id);
    expect(refused.body.message).toContain('cancelled');
    expect((await api().get(`/v1/datasets/${used}`).set('Authorization', keys.red)).status).toBe(200);
    // Retried to the end: completed runs do not hold it.
    expect((await api().post(`/v1/simulations/${sim.body.id}/retry`).set('Authorization', keys.red)).status).toBe(202);
    const done = await waitFor(async () => {
      const r = await api().get(`/v1/simulations/${sim.body.id}`).set('Authorization', keys.red);
      return ['completed', 'failed', 'diverged'].includes(r.body.status) ? r.body : undefined;
    }, 90_000, 'the retried run');
    expect(done.status).toBe('completed');

    // A schedule whose sweep uses it holds it until the schedule is deleted.
    const schedule = await api().post('/v1/schedules').set('Authorization', keys.red)
      .send({ pattern: '0 3 * * *', timeZone: 'UTC', sweep: { name: 'nightly on a dataset', base: datasetSpec(used), grid: { 'student.width': [4, 8] } } });
    expect(schedule.status).toBe(201);
    const held = await api().delete(`/v1/datasets/${used}`).set('Authorization', keys.red);
    expect(held.status).toBe(409);
    expect(held.body.message).toContain(schedule.body.id);
    expect(held.body.message).not.toContain(sim.body.id);
    expect((await api().delete(`/v1/schedules/${schedule.body.id}`).set('Authorization', keys.red)).status).toBe(204);
    expect((await api().delete(`/v1/datasets/${used}`).set('Authorization', keys.red)).status).toBe(204);
    // The completed run keeps its spec, naming the dataset that is gone.
    expect((await api().get(`/v1/simulations/${sim.body.id}`).set('Authorization', keys.red)).body.spec.inputs.datasetId).toBe(used);
  });
});

describe('deleted schedules', () => {
  it('stop firing, are hidden from the list unless asked, say when they were deleted, and keep their sweeps linked', { timeout: 240_000 }, async () => {
    const made = await api().post('/v1/schedules').set('Authorization', keys.red).send({ pattern: '*/2 * * * * *', timeZone: 'UTC', sweep: tinySweep(`every 2 s ${run}`) });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    expect(made.body.deletedAt).toBeNull();
    const sweepsOf = async () => (await api().get('/v1/sweeps').query({ scheduleId: id, limit: 500 }).set('Authorization', keys.red)).body.items as { id: string; scheduleId: string }[];
    const fired = await waitFor(async () => ((await sweepsOf()).length >= 1 ? sweepsOf() : undefined), 120_000, 'a firing');

    const del = await api().delete(`/v1/schedules/${id}`).set('Authorization', keys.red);
    expect(del.status).toBe(204);
    const got = await api().get(`/v1/schedules/${id}`).set('Authorization', keys.redRead);
    expect(got.status).toBe(200);
    expect(Date.parse(got.body.deletedAt)).toBeGreaterThan(Date.parse(made.body.createdAt) - 1);
    expect(got.body.nextFireAt).toBeNull();

    // Its sweeps keep the link, by the sweep and by the filter.
    const sweep = await api().get(`/v1/sweeps/${fired[0].id}`).set('Authorization', keys.red);
    expect(sweep.body.scheduleId).toBe(id);
    expect((await sweepsOf()).map((s) => s.id)).toContain(fired[0].id);

    // Listed only when asked for.
    const listed = async (query: Record<string, string>) =>
      ((await api().get('/v1/schedules').query({ limit: 500, ...query }).set('Authorization', keys.red)).body.items as { id: string; deletedAt: string | null }[]);
    expect((await listed({})).map((s) => s.id)).not.toContain(id);
    expect((await listed({ includeDeleted: 'true' })).find((s) => s.id === id)?.deletedAt).toBe(got.body.deletedAt);
    const badFlag = await api().get('/v1/schedules?includeDeleted=yes').set('Authorization', keys.red);
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.issues).toEqual([expect.objectContaining({ path: 'includeDeleted' })]);

    // Nothing more to do with it.
    for (const action of ['pause', 'resume']) {
      const r = await api().post(`/v1/schedules/${id}/${action}`).set('Authorization', keys.red);
      expect(r.status, action).toBe(409);
      expect(r.body.message).toContain('deleted');
    }
    expect((await api().delete(`/v1/schedules/${id}`).set('Authorization', keys.red)).status).toBe(409);
    // Another project still sees nothing.
    expect((await api().get(`/v1/schedules/${id}`).set('Authorization', keys.blue)).status).toBe(404);

    // No firing after the delete: a firing already in flight may land first, then none. The delete
    // wrote the row before it answered and a firing reads it when it starts, so once no firing is
    // active none will land (waited for: on a loaded machine one may take seconds).
    await waitFor(async () => ((await schedulers.getActiveCount()) === 0 ? true : undefined), 120_000, 'the firings in flight');
    const after = (await sweepsOf()).length;
    await new Promise((r) => setTimeout(r, 4500));
    expect((await sweepsOf()).length).toBe(after);
  });
});

describe('clone', () => {
  it('a spec read back from GET /v1/simulations/{id} is accepted as is by POST, and gives the same run', { timeout: 120_000 }, async () => {
    const first = await api().post('/v1/simulations').set('Authorization', keys.red).send(smallSpec({ name: 'to clone', tags: ['original'] }));
    expect(first.status).toBe(201);
    const read = await api().get(`/v1/simulations/${first.body.id}`).set('Authorization', keys.red);
    const clone = await api().post('/v1/simulations').set('Authorization', keys.red).send(read.body.spec);
    expect(clone.status).toBe(201);
    expect(clone.body.spec).toEqual(read.body.spec);
    expect(clone.body.seed).toBe(read.body.seed);
    const both = await Promise.all([first.body.id, clone.body.id].map((id) => waitFor(async () => {
      const r = await api().get(`/v1/simulations/${id}`).set('Authorization', keys.red);
      return r.body.status === 'completed' ? r.body : undefined;
    }, 90_000, `run ${id}`)));
    // Same spec and seed on the same kernel: the same points.
    expect(both[1].trajectoryDigest).toBe(both[0].trajectoryDigest);
  });
});
