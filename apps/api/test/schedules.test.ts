import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { openScheduleQueue, redisConnection } from '@mfsim/queue';
import { smallSpec, startService, startTestWorker, waitFor } from './harness.ts';

let service: Awaited<ReturnType<typeof startService>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
const api = () => request(service.app.server);
const schedulers = openScheduleQueue(redisConnection());

const tinySweep = {
  name: 'nightly widths',
  base: smallSpec({ training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 4 }, record: { every: 2, testSize: 16, probes: 2 } }),
  grid: { 'student.width': [4, 8] },
  replicas: 1,
};

const sweepsOf = async (scheduleId: string) =>
  (await api().get('/v1/sweeps').query({ scheduleId, limit: 500 })).body.items as { id: string; scheduleId: string }[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Until no firing is being processed. A pause or delete writes the row before it answers, and a
 * firing reads the row when it starts, so only the firings active at the reply may still make a
 * sweep: once none is active, none will (on a loaded machine one may take seconds to land).
 */
const noFiringInFlight = () => waitFor(async () => ((await schedulers.getActiveCount()) === 0 ? true : undefined), 120_000, 'the firings in flight');

beforeAll(async () => {
  // Firings every 2 s, under the default minimum interval of a minute.
  service = await startService({ security: { scheduleMinIntervalSeconds: 1 } });
  worker = await startTestWorker();
});

afterAll(async () => {
  await worker?.close();
  await service?.close();
  await schedulers.close();
});

describe('schedules', () => {
  it('fires every 2 seconds, creates no sweep while paused, and is gone from Redis once deleted', async () => {
    const post = await api().post('/v1/schedules').send({ pattern: '*/2 * * * * *', timeZone: 'Europe/Paris', sweep: tinySweep });
    expect(post.status).toBe(201);
    const id = post.body.id;
    expect(post.body).toMatchObject({ paused: false, pattern: '*/2 * * * * *', timeZone: 'Europe/Paris' });
    expect(Date.parse(post.body.nextFireAt)).toBeGreaterThan(Date.now() - 1000);
    expect(await schedulers.getJobScheduler(id)).toBeDefined();

    const fired = await waitFor(async () => {
      const s = await sweepsOf(id);
      return s.length >= 2 ? s : undefined;
    }, 120_000, 'two firings');
    expect(fired.every((s) => s.scheduleId === id)).toBe(true);
    const sweep = (await api().get(`/v1/sweeps/${fired[0].id}`)).body;
    expect(sweep.children.map((c: { width: number }) => c.width)).toEqual([4, 8]);

    // Paused: no scheduler in Redis, no new sweep over several periods.
    const paused = await api().post(`/v1/schedules/${id}/pause`);
    expect(paused.body).toMatchObject({ paused: true, nextFireAt: null });
    expect(await schedulers.getJobScheduler(id)).toBeUndefined();
    await noFiringInFlight(); // a firing already in flight may finish
    const before = (await sweepsOf(id)).length;
    await sleep(4_500);
    expect((await sweepsOf(id)).length).toBe(before);

    // Resumed: fires again.
    const resumed = await api().post(`/v1/schedules/${id}/resume`);
    expect(resumed.body.paused).toBe(false);
    await waitFor(async () => ((await sweepsOf(id)).length > before ? true : undefined), 120_000, 'a firing after resume');

    const del = await api().delete(`/v1/schedules/${id}`);
    expect(del.status).toBe(204);
    // Kept as a record (deletedAt) so its sweeps stay linked; it never fires again.
    expect((await api().get(`/v1/schedules/${id}`)).body.deletedAt).toEqual(expect.any(String));
    expect(await schedulers.getJobScheduler(id)).toBeUndefined();
    const delayed = await schedulers.getJobs(['delayed', 'waiting']);
    expect(delayed.filter((j) => j.data.scheduleId === id)).toEqual([]);
  }, 480_000); // three waits on the worker of up to 120 s each on a loaded machine

  it('lists schedules newest first in pages with a cursor; a forged cursor is a 400 naming it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api().post('/v1/schedules').send({ name: `paged ${i}`, pattern: '0 3 * * *', sweep: tinySweep });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
      await api().post(`/v1/schedules/${r.body.id}/pause`);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api().get('/v1/schedules').query({ limit: 2, ...(cursor && { cursor }) });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((s: { id: string }) => s.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    // The three just made, newest first, in one run of the listing.
    const at = seen.indexOf(ids[2]);
    expect(seen.slice(at, at + 3)).toEqual([ids[2], ids[1], ids[0]]);
    const bad = await api().get('/v1/schedules').query({ cursor: 'not-a-cursor' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toContain('cursor');
    expect((await api().get('/v1/schedules').query({ limit: 0 })).status).toBe(400);
    for (const id of ids) await api().delete(`/v1/schedules/${id}`);
  });

  it('survives an API restart without doubling, and is restored if Redis lost it', async () => {
    const post = await api().post('/v1/schedules').send({ pattern: '0 3 * * *', sweep: tinySweep });
    const id = post.body.id;
    const count = await schedulers.getJobSchedulersCount();

    await service.close();
    service = await startService({ security: { scheduleMinIntervalSeconds: 1 } });
    expect(await schedulers.getJobSchedulersCount()).toBe(count);
    expect((await api().get(`/v1/schedules/${id}`)).body).toMatchObject({ paused: false, timeZone: 'UTC' });

    await schedulers.removeJobScheduler(id);
    await service.close();
    service = await startService({ security: { scheduleMinIntervalSeconds: 1 } });
    expect(await schedulers.getJobScheduler(id)).toBeDefined();
    expect(await schedulers.getJobSchedulersCount()).toBe(count);
    const list = await api().get('/v1/schedules');
    expect(list.body.items.filter((s: { id: string }) => s.id === id)).toHaveLength(1);
    await api().delete(`/v1/schedules/${id}`);
  }, 120_000); // two API restarts (recovery included) on a loaded machine

  it.each([
    ['a bad pattern', { pattern: 'every day', sweep: tinySweep }, 'pattern'],
    ['a bad time zone', { pattern: '0 3 * * *', timeZone: 'Mars/Olympus', sweep: tinySweep }, 'timeZone'],
    ['a bad template', { pattern: '0 3 * * *', sweep: { ...tinySweep, grid: { 'student.width': [0] } } }, 'sweep.grid.student.width.0'],
  ])('%s: 400 naming the field, nothing made', async (_name, body, field) => {
    const before = { rows: await service.deps.db.prisma.schedule.count(), redis: await schedulers.getJobSchedulersCount() };
    const r = await api().post('/v1/schedules').send(body);
    expect(r.status).toBe(400);
    expect(r.body.issues.map((i: { path: string }) => i.path)).toContain(field);
    expect({ rows: await service.deps.db.prisma.schedule.count(), redis: await schedulers.getJobSchedulersCount() }).toEqual(before);
  });
});
