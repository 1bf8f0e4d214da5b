import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { DEFAULT_CHUNK_MAX_STEPS } from '@mfsim/engine';
import { sseEvents, sseText, startService, startTestWorker, waitFor } from './harness.ts';

let service: Awaited<ReturnType<typeof startService>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
const api = () => request(service.app.server);

/** The 3-spin model on a small sphere, online SGD: at t = 150 the loss clearly falls with the width. */
function baseSpec(overrides: Record<string, unknown> = {}) {
  return {
    name: '3-spin sweep',
    seed: 11,
    inputs: { kind: 'sphere', d: 4 },
    target: { kind: 'p-spin', p: 3 },
    student: { unit: 'tanh', width: 8 },
    training: { dynamics: 'sgd', batchSize: 256, dt: 0.5, steps: 300 },
    record: { every: 50, testSize: 512, probes: 8 },
    ...overrides,
  };
}

// Sweeps wait on the in-process worker: generous deadlines for a loaded 2-core machine.
async function waitForSweep(id: string, timeoutMs = 180_000) {
  return waitFor(async () => {
    const r = await api().get(`/v1/sweeps/${id}`);
    return ['completed', 'cancelled'].includes(r.body.status) ? r.body : undefined;
  }, timeoutMs, `sweep ${id} to finish`);
}

async function counts() {
  const db = service.deps.db.prisma;
  const jobs = async (q: { getJobCountByTypes(...t: string[]): Promise<number> }) =>
    q.getJobCountByTypes('waiting', 'waiting-children', 'active', 'delayed', 'prioritized', 'completed', 'failed');
  return {
    sweeps: await db.sweep.count(),
    simulations: await db.simulation.count(),
    jobs: (await jobs(service.deps.queues.cpu)) + (await jobs(service.deps.queues.gpu)),
  };
}

beforeAll(async () => {
  service = await startService({ memoryBudgetBytes: 1024 ** 3 });
  worker = await startTestWorker();
});

afterAll(async () => {
  await worker?.close();
  await service?.close();
});

describe('a sweep over widths', () => {
  it('runs every width, stores statistics for every width and time, and the loss falls with n', async () => {
    const post = await api()
      .post('/v1/sweeps')
      .send({ name: 'widths', base: baseSpec(), grid: { 'student.width': [8, 16, 32] }, replicas: 4 });
    expect(post.status).toBe(201);
    expect(post.headers.location).toBe(`/v1/sweeps/${post.body.id}`);
    expect(post.body).toMatchObject({ status: 'queued', replicas: 4, grid: { 'student.width': [8, 16, 32] } });
    expect(post.body.children.map((c: { width: number }) => c.width)).toEqual([8, 16, 32]);

    const child = await api().get(`/v1/simulations/${post.body.children[0].simulationId}`);
    expect(child.body.sweepId).toBe(post.body.id);
    expect(child.body.spec.replicas).toBe(4);

    const done = await waitForSweep(post.body.id);
    expect(done).toMatchObject({ status: 'completed', partial: false, progress: 1, missing: [] });
    expect(done.children.every((c: { status: string }) => c.status === 'completed')).toBe(true);

    const stats = await api().get(`/v1/sweeps/${post.body.id}/statistics`);
    expect(stats.status).toBe(200);
    expect(stats.body.partial).toBe(false);
    expect(stats.body.series).toHaveLength(1);
    const [series] = stats.body.series;
    expect(series.widths).toEqual([8, 16, 32]);
    const steps = [0, 50, 100, 150, 200, 250, 300];
    for (const w of series.byWidth) {
      expect(w.rows.map((r: { step: number }) => r.step)).toEqual(steps);
      for (const r of w.rows) {
        expect(r.count).toBe(4);
        expect(r.meanLoss).toBeGreaterThan(0);
        expect(r.standardError).toBeGreaterThan(0);
        expect(r.fluctuation).toBeGreaterThan(0);
      }
    }
    expect(series.scaling.map((s: { step: number }) => s.step)).toEqual(steps);
    const lastLoss = series.byWidth.map((w: { rows: { meanLoss: number }[] }) => w.rows.at(-1)!.meanLoss);
    expect(lastLoss[1]).toBeLessThan(lastLoss[0]);
    expect(lastLoss[2]).toBeLessThan(lastLoss[1]);

    // The same rows, one simulation at a time.
    const one = await api().get(`/v1/simulations/${series.byWidth[2].simulationId}/statistics`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ width: 32, replicas: 4 });
    expect(one.body.rows).toEqual(series.byWidth[2].rows);

    // Scaling at the recorded time nearest to the one asked for (t = 150 is step 300).
    const scaling = await api().get(`/v1/sweeps/${post.body.id}/scaling`).query({ time: 140 });
    expect(scaling.status).toBe(200);
    expect(scaling.body).toMatchObject({ step: 300, requestedTime: 140, snapped: true, partial: false });
    // Without a time: the last recorded one, not a 400.
    const last = await api().get(`/v1/sweeps/${post.body.id}/scaling`);
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ step: steps.at(-1), requestedTime: null, snapped: false });
    expect(scaling.body.time).toBeCloseTo(150, 6);
    expect(scaling.body.alpha).toBeGreaterThan(0);
    expect(scaling.body.interval.lower).toBeLessThanOrEqual(scaling.body.alpha);
    expect(scaling.body.interval.upper).toBeGreaterThanOrEqual(scaling.body.alpha);
    expect(scaling.body.points.map((p: { width: number }) => p.width)).toEqual([8, 16, 32]);

    const list = await api().get('/v1/sweeps').query({ limit: 1 });
    expect(list.body.items[0]).toMatchObject({ id: post.body.id, status: 'completed' });
  }, 240_000);

  it('finishes partial when one grid point diverges, naming the missing point', async () => {
    const post = await api()
      .post('/v1/sweeps')
      .send({
        base: baseSpec({ training: { dynamics: 'gd', trainSize: 64, dt: 0.2, steps: 100 }, record: { every: 25, testSize: 64, probes: 4 } }),
        grid: { 'student.width': [8, 16], 'training.dt': [0.2, 1e4] },
        replicas: 2,
      });
    expect(post.status).toBe(201);
    const done = await waitForSweep(post.body.id);
    expect(done.status).toBe('completed');
    expect(done.partial).toBe(true);
    expect(done.missing.map((m: { width: number; status: string; point: object }) => [m.width, m.status, m.point])).toEqual([
      [8, 'diverged', { 'student.width': 8, 'training.dt': 1e4 }],
      [16, 'diverged', { 'student.width': 16, 'training.dt': 1e4 }],
    ]);

    const stats = (await api().get(`/v1/sweeps/${post.body.id}/statistics`)).body;
    expect(stats.partial).toBe(true);
    const bySeries = new Map(stats.series.map((s: { series: { 'training.dt': number } }) => [s.series['training.dt'], s]));
    expect(bySeries.get(0.2)).toMatchObject({ widths: [8, 16], missingWidths: [], partial: false });
    expect(bySeries.get(1e4)).toMatchObject({ widths: [8, 16], missingWidths: [8, 16], partial: true, byWidth: [] });
    const scaling = await api().get(`/v1/sweeps/${post.body.id}/scaling`).query({ time: 20, series: JSON.stringify({ 'training.dt': 0.2 }) });
    expect(scaling.body.points).toHaveLength(2);
  }, 240_000);
});

describe('retrying a child of a finished sweep', () => {
  it('runs the sweep again and aggregates it with the retried point, no longer partial', async () => {
    await worker.close(); // nothing runs while one child is cancelled in the queue
    let post;
    try {
      post = await api().post('/v1/sweeps').send({ name: 'retry a point', base: baseSpec({ training: { dynamics: 'gd', trainSize: 64, dt: 0.2, steps: 100 }, record: { every: 25, testSize: 64, probes: 4 } }), grid: { 'student.width': [8, 16] }, replicas: 2 });
      expect(post.status).toBe(201);
      const child16 = post.body.children.find((c: { width: number }) => c.width === 16).simulationId;
      expect((await api().post(`/v1/simulations/${child16}/cancel`)).body.status).toBe('cancelled');
    } finally {
      worker = await startTestWorker();
    }
    const id = post.body.id;
    const first = await waitForSweep(id);
    expect(first).toMatchObject({ status: 'completed', partial: true });
    expect(first.missing.map((m: { width: number; status: string }) => [m.width, m.status])).toEqual([[16, 'cancelled']]);

    const child16 = post.body.children.find((c: { width: number }) => c.width === 16).simulationId;
    expect((await api().post(`/v1/simulations/${child16}/retry`)).status).toBe(202);
    expect((await api().get(`/v1/sweeps/${id}`)).body.status).toBe('running');
    const second = await waitFor(async () => {
      const r = await api().get(`/v1/sweeps/${id}`);
      return r.body.status === 'completed' && !r.body.partial ? r.body : undefined;
    }, 180_000, 'the sweep to be aggregated again');
    expect(second.missing).toEqual([]);
    expect(second.children.map((c: { status: string }) => c.status)).toEqual(['completed', 'completed']);
    const stats = (await api().get(`/v1/sweeps/${id}/statistics`)).body;
    expect(stats.partial).toBe(false);
    expect(stats.series[0]).toMatchObject({ widths: [8, 16], missingWidths: [] });
    expect(stats.series[0].byWidth.map((w: { width: number }) => w.width)).toEqual([8, 16]);
  }, 420_000);
});

describe('bad sweeps', () => {
  const base = baseSpec();
  const cases: [string, unknown, string[]][] = [
    ['a width that is not a width', { base, grid: { 'student.width': [8, 16, 0] } }, ['grid.student.width.2']],
    ['a bad base', { base: { ...base, training: { ...base.training, dt: -1 } }, grid: { 'student.width': [8] } }, ['base.training.dt']],
    ['an unknown grid path', { base, grid: { 'student.colour': ['red'] } }, ['grid.student.colour.0']],
    ['an empty list', { base, grid: { 'student.width': [] } }, ['grid.student.width']],
    ['no grid', { base }, ['grid']],
    ['too many replicas', { base, grid: { 'student.width': [8] }, replicas: 0 }, ['replicas']],
    ['too large for the memory budget', { base, grid: { 'student.width': [8, 1_000_000] }, replicas: 1024 }, ['grid.student.width.1']],
  ];

  it.each(cases)('%s: 400 naming the field, nothing written or queued', async (_name, body, fields) => {
    const before = await counts();
    const r = await api().post('/v1/sweeps').send(body as object);
    expect(r.status).toBe(400);
    expect(r.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(fields));
    expect(await counts()).toEqual(before);
  });

  it('answers 404 for unknown sweeps, and 409 for statistics not there yet', async () => {
    expect((await api().get('/v1/sweeps/6f1c2b7e-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api().get('/v1/sweeps/nope/statistics')).status).toBe(404);
    const post = await api().post('/v1/simulations').send(baseSpec({ training: { dynamics: 'gd', trainSize: 64, dt: 0.1, steps: 1 }, record: { every: 1 } }));
    expect(post.status).toBe(201);
    const r = await api().get(`/v1/simulations/${post.body.id}/statistics`);
    // Statistics are stored before the run is marked finished: 409 until then, 200 after.
    expect([200, 409]).toContain(r.status);
  });
});

describe('cancelling a sweep', () => {
  it('cancels the children still queued; the sweep ends cancelled', async () => {
    await worker.close(); // nothing runs while we cancel
    try {
      const post = await api().post('/v1/sweeps').send({ base: baseSpec(), grid: { 'student.width': [8, 16] }, replicas: 1 });
      const r = await api().post(`/v1/sweeps/${post.body.id}/cancel`);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('cancelled');
      expect(r.body.children.map((c: { status: string }) => c.status)).toEqual(['cancelled', 'cancelled']);
    } finally {
      worker = await startTestWorker();
    }
  });
});

describe('cancelling a running sweep', () => {
  it('stops the children that are running within seconds, keeping what they computed', async () => {
    // Long enough that it is still running when cancelled.
    const post = await api().post('/v1/sweeps').send({
      base: baseSpec({ training: { dynamics: 'sgd', batchSize: 256, dt: 0.05, steps: 1_000_000 }, record: { every: 1000, testSize: 64, probes: 0 } }),
      grid: { 'student.width': [8, 16] }, replicas: 1,
    });
    expect(post.status).toBe(201);
    const running = await waitFor(async () => {
      const r = await api().get(`/v1/sweeps/${post.body.id}`);
      const c = r.body.children.find((c: { status: string; progress: number }) => c.status === 'running' && c.progress > 0);
      return c ? (c.simulationId as string) : undefined;
    }, 120_000, 'a running child with progress');

    const cancel = await api().post(`/v1/sweeps/${post.body.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.children.map((c: { status: string }) => c.status)).toEqual(['cancelled', 'cancelled']);

    // The worker stops after the chunk it had in hand (the job ends; a chunk is at most
    // DEFAULT_CHUNK_MAX_STEPS steps), its progress stops moving, and what it computed stays readable.
    // Waited for rather than slept on: on a loaded machine the final writes may take seconds.
    const settled = async () => (await api().get(`/v1/simulations/${running}`)).body.stepsDone as number;
    const atCancel = await settled(); // read after the cancel: every chunk stored from now on sees it
    await waitFor(async () => ((await service.deps.queues.cpu.getJob(running))?.finishedOn ? true : undefined), 120_000, 'the running child to stop');
    const a = await settled();
    expect(a).toBeLessThanOrEqual(atCancel + DEFAULT_CHUNK_MAX_STEPS);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await settled()).toBe(a);
    const traj = await api().get(`/v1/simulations/${running}/trajectory?replica=0`);
    expect(traj.body.points.length).toBeGreaterThan(0);
    expect((await api().get(`/v1/simulations/${running}`)).body.status).toBe('cancelled');

    // The sweep shows how far it got (a million steps were not run), and its statistics say they never will be.
    const sweep = (await api().get(`/v1/sweeps/${post.body.id}`)).body;
    expect(sweep.status).toBe('cancelled');
    expect(sweep.progress).toBeLessThan(0.5);
    const stats = await api().get(`/v1/sweeps/${post.body.id}/statistics`);
    expect(stats.status).toBe(409);
    expect(stats.body.message).toMatch(/cancelled .* will not have any/);
  }, 240_000);
});

describe('a sweep\'s live events', () => {
  it('streams the children\'s status changes and progress with the progress over all children, ends with the sweep, and resumes', async () => {
    const post = await api().post('/v1/sweeps').send({ name: 'events', base: baseSpec(), grid: { 'student.width': [8, 16] }, replicas: 2 });
    expect(post.status).toBe(201);
    const id = post.body.id;
    // Followed live from the start: the stream ends by itself once the sweep is aggregated.
    const live = await api().get(`/v1/sweeps/${id}/events`).buffer(true).parse(sseText);
    expect(live.status).toBe(200);
    expect(live.headers['content-type']).toMatch(/text\/event-stream/);
    const events = sseEvents(live.body as string);
    // From the start: the sweep's current state when nothing has happened yet, else its history in
    // order from the first child's start (a fast worker may start one before the stream opens).
    if (events[0].type === 'status') {
      expect(events[0].data.sweepId).toBe(id);
      expect(['queued', 'running']).toContain(events[0].data.status);
    } else expect(events[0]).toMatchObject({ type: 'child', data: { sweepId: id, status: 'running' } });
    const children = post.body.children.map((c: { simulationId: string }) => c.simulationId);
    for (const child of children) {
      const statuses = events.filter((e) => e.type === 'child' && e.data.simulationId === child).map((e) => e.data.status);
      expect(statuses).toEqual(['running', 'completed']);
    }
    const childEvents = events.filter((e) => e.type === 'child');
    expect(childEvents.every((e) => e.data.sweepId === id && typeof e.data.width === 'number' && e.data.point['student.width'] === e.data.width)).toBe(true);
    // The sweep's progress over all children grows to 1 as its children complete.
    const overall = childEvents.map((e) => e.data.sweepProgress as number);
    expect(overall[overall.length - 1]).toBe(1);
    expect(overall.every((v, i) => i === 0 || v >= overall[i - 1])).toBe(true);
    expect(childEvents[childEvents.length - 1].data.counts).toEqual({ completed: 2 });
    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'status', data: { sweepId: id, status: 'completed', partial: false } });
    expect((await api().get(`/v1/sweeps/${id}`)).body.status).toBe('completed');

    // Resume after an id: only what followed it.
    const ids = events.filter((e) => e.id).map((e) => e.id);
    const resumed = await api().get(`/v1/sweeps/${id}/events`).set('Last-Event-ID', ids[ids.length - 2]).buffer(true).parse(sseText);
    expect(sseEvents(resumed.body as string).map((e) => e.id)).toEqual([ids[ids.length - 1]]);
  }, 240_000); // the stream ends once the worker has run and aggregated the sweep

  it('ends with `cancelled` when the sweep is cancelled, naming each child cancelled; 404 for an unknown sweep', async () => {
    await worker.close(); // nothing runs while we cancel
    try {
      const post = await api().post('/v1/sweeps').send({ base: baseSpec(), grid: { 'student.width': [8, 16] }, replicas: 1 });
      expect((await api().post(`/v1/sweeps/${post.body.id}/cancel`)).status).toBe(200);
      const events = sseEvents((await api().get(`/v1/sweeps/${post.body.id}/events`).buffer(true).parse(sseText)).body as string);
      expect(events.filter((e) => e.type === 'child').map((e) => [e.data.simulationId, e.data.status]))
        .toEqual(post.body.children.map((c: { simulationId: string }) => [c.simulationId, 'cancelled']));
      expect(events[events.length - 1]).toMatchObject({ type: 'status', data: { status: 'cancelled' } });
    } finally {
      worker = await startTestWorker();
    }
    expect((await api().get('/v1/sweeps/6f1c2b7e-0000-4000-8000-000000000000/events')).status).toBe(404);
    expect((await api().get('/v1/sweeps/nope/events')).status).toBe(404);
  });
});
