// The simulations list's metric columns (issue 17): final and best test loss, final train loss,
// width, dynamics, dt, steps and run time on every simulation, sortable with a stable cursor; and a
// run's time kept across attempts (first start, total seconds).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimRun, createSimulation, markFinished, markRequeued, updateProgress } from '@mfsim/db';
import { specSchema } from '@mfsim/contracts';
import { finishedSimulation, smallSpec, useService } from './harness.ts';

const service = useService({ worker: true });
const api = () => service.api();

interface Row { id: string; finalTestLoss: number | null; bestTestLoss: number | null; finalTrainLoss: number | null; dt: number; width: number }

/** Every page of a list query, following nextCursor. */
async function allPages(query: string, limit: number): Promise<Row[]> {
  const out: Row[] = [];
  let cursor: string | null = null;
  do {
    const res = await api().get(`/v1/simulations?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('metric columns', () => {
  const tag = `columns-${randomUUID().slice(0, 8)}`;
  const specs = [
    smallSpec({ tags: [tag], student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 64, dt: 0.1, steps: 150 } }),
    smallSpec({ tags: [tag], student: { unit: 'tanh', width: 32 }, training: { dynamics: 'sgd', batchSize: 64, dt: 0.3, steps: 150 } }),
    smallSpec({ tags: [tag], seed: 11, student: { unit: 'tanh', width: 16 }, training: { dynamics: 'gd', dt: 0.2, steps: 100 } }),
  ];

  it('a finished run carries its losses, spec columns and run time; the losses are the replica means of its trajectory', { timeout: 240_000 }, async () => {
    const ids: string[] = [];
    for (const spec of specs) {
      const res = await api().post('/v1/simulations').send(spec);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ finalTestLoss: null, bestTestLoss: null, finalTrainLoss: null, runSeconds: null, firstStartedAt: null });
      ids.push(res.body.id);
    }
    for (const [i, id] of ids.entries()) {
      const done = await finishedSimulation(service.app, id, 180_000);
      expect(done.status).toBe('completed');
      const s = specs[i] as { student: { width: number }; training: { dynamics: string; dt: number; steps: number } };
      expect(done).toMatchObject({ width: s.student.width, dynamics: s.training.dynamics, dt: s.training.dt, steps: s.training.steps });
      expect(done.runSeconds).toBeGreaterThan(0);
      expect(Date.parse(done.firstStartedAt)).toBeLessThanOrEqual(Date.parse(done.startedAt));

      const points = (await api().get(`/v1/simulations/${id}/trajectory?limit=100000`)).body.points as { step: number; testLoss: number; trainLoss: number }[];
      const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
      const at = (step: number) => points.filter((p) => p.step === step);
      const last = at(steps[steps.length - 1]);
      expect(done.finalTestLoss).toBeCloseTo(mean(last.map((p) => p.testLoss)), 10);
      expect(done.finalTrainLoss).toBeCloseTo(mean(last.map((p) => p.trainLoss)), 10);
      expect(done.bestTestLoss).toBeCloseTo(Math.min(...steps.map((st) => mean(at(st).map((p) => p.testLoss)))), 10);
      expect(done.bestTestLoss).toBeLessThanOrEqual(done.finalTestLoss);
    }
    // The list carries the same columns as the single read.
    const listed = await allPages(`tag=${tag}`, 50);
    expect(listed.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(listed.every((r) => r.finalTestLoss !== null && r.dt > 0)).toBe(true);
  });

  it('sorts by each column, rows without a value last, and pages through the same order by cursor', { timeout: 60_000 }, async () => {
    // A run that never ran: no losses, no run time.
    const unrun = await createSimulation(service.deps.db, { spec: specSchema.parse(smallSpec({ tags: [tag], training: { dynamics: 'sgd', batchSize: 64, dt: 0.25, steps: 150 } })), seed: 1, totalSteps: 150 });
    for (const [sort, key] of [['finalTestLoss', 'finalTestLoss'], ['-finalTestLoss', 'finalTestLoss'], ['bestTestLoss', 'bestTestLoss'], ['-finalTrainLoss', 'finalTrainLoss'], ['dt', 'dt'], ['-width', 'width']] as const) {
      const onePage = (await api().get(`/v1/simulations?tag=${tag}&sort=${sort}&limit=50`)).body.items as Row[];
      expect(onePage).toHaveLength(specs.length + 1);
      const values = onePage.map((r) => r[key]);
      const present = values.filter((v): v is number => v !== null);
      const sorted = [...present].sort((a, b) => (sort.startsWith('-') ? b - a : a - b));
      expect(present, sort).toEqual(sorted);
      // Nulls after every value, in both directions.
      expect(values.slice(present.length).every((v) => v === null), sort).toBe(true);
      if (key.endsWith('Loss')) expect(onePage[onePage.length - 1].id).toBe(unrun.id);
      // One row per page gives the same order (the cursor passes nulls too).
      expect((await allPages(`tag=${tag}&sort=${sort}`, 1)).map((r) => r.id), sort).toEqual(onePage.map((r) => r.id));
    }
    // `steps` and its older name `totalSteps` both sort.
    expect((await api().get(`/v1/simulations?tag=${tag}&sort=-steps`)).status).toBe(200);
    expect((await api().get(`/v1/simulations?tag=${tag}&sort=totalSteps`)).status).toBe(200);
  });

  it('sorts by dynamics as text, runs of the same dynamics by id, and pages through the same order', { timeout: 60_000 }, async () => {
    // Three sgd runs (two finished, the one never run) and one gd run under this tag.
    const all = (await api().get(`/v1/simulations?tag=${tag}&limit=50`)).body.items as { id: string; dynamics: string }[];
    expect(all.map((r) => r.dynamics).sort()).toEqual(['gd', 'sgd', 'sgd', 'sgd']);
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    const gd = all.filter((r) => r.dynamics === 'gd');
    const sgd = all.filter((r) => r.dynamics === 'sgd').sort(byId);
    for (const [sort, expected] of [['dynamics', [...gd, ...sgd]], ['-dynamics', [...sgd].reverse().concat(gd)]] as const) {
      const res = await api().get(`/v1/simulations?tag=${tag}&sort=${sort}&limit=50`);
      expect(res.status, sort).toBe(200);
      expect(res.body.items.map((r: Row) => r.id), sort).toEqual(expected.map((r) => r.id));
      expect((await allPages(`tag=${tag}&sort=${sort}`, 1)).map((r) => r.id), sort).toEqual(expected.map((r) => r.id));
    }
    // A filter and the sort together: only the sgd runs, in id order.
    const filtered = await api().get(`/v1/simulations?tag=${tag}&spec.training.dynamics=sgd&sort=dynamics`);
    expect(filtered.body.items.map((r: Row) => r.id)).toEqual(sgd.map((r) => r.id));
  });

  it('refuses an unknown sort key with a 400 naming sort and the keys it takes', async () => {
    const res = await api().get('/v1/simulations?sort=-loss');
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: 'sort' })]);
    expect(res.body.issues[0].message).toContain('finalTestLoss');
  });

  it('refuses a cursor of another sort', async () => {
    const page = await api().get(`/v1/simulations?tag=${tag}&sort=dt&limit=1`);
    expect(page.body.nextCursor).toBeTruthy();
    const res = await api().get(`/v1/simulations?tag=${tag}&sort=-dt&limit=1&cursor=${page.body.nextCursor}`);
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: 'cursor' })]);
  });
});

describe('run time across attempts', () => {
  it('keeps the first start and adds every attempt\'s seconds; startedAt is the last attempt\'s', async () => {
    const db = service.deps.db;
    const row = await createSimulation(db, { spec: specSchema.parse(smallSpec()), seed: 3, totalSteps: 200 });
    const run = { leaseSeconds: 60, backend: 'reference', device: 'cpu' };
    expect(await claimRun(db, row.id, { ...run, owner: 'worker-a' })).not.toBeNull();
    await updateProgress(db, row.id, 40, 200, { seconds: 1.5, finalTestLoss: 0.4, finalTrainLoss: 0.38, bestTestLoss: 0.35 });
    await updateProgress(db, row.id, 80, 200, { seconds: 1, finalTestLoss: null, finalTrainLoss: null, bestTestLoss: null });
    await markFinished(db, row.id, { status: 'cancelled', stepsDone: 80, runSeconds: 0.5 });
    const first = (await api().get(`/v1/simulations/${row.id}`)).body;
    // A chunk with no finite loss keeps the last finite values.
    expect(first).toMatchObject({ status: 'cancelled', runSeconds: 3, finalTestLoss: 0.4, bestTestLoss: 0.35 });
    expect(first.firstStartedAt).toBe(first.startedAt);

    expect(await markRequeued(db, row.id, 'default')).toBe(true);
    await new Promise((r) => setTimeout(r, 20)); // the second start is on a later millisecond
    expect(await claimRun(db, row.id, { ...run, owner: 'worker-b' })).not.toBeNull();
    await updateProgress(db, row.id, 200, 200, { seconds: 2, finalTestLoss: 0.3, finalTrainLoss: 0.29, bestTestLoss: 0.36 });
    await markFinished(db, row.id, { status: 'completed', stepsDone: 200, runSeconds: 0.25 });
    const second = (await api().get(`/v1/simulations/${row.id}`)).body;
    expect(second).toMatchObject({ status: 'completed', runSeconds: 5.25, finalTestLoss: 0.3, finalTrainLoss: 0.29, bestTestLoss: 0.35 });
    expect(second.firstStartedAt).toBe(first.firstStartedAt);
    expect(Date.parse(second.startedAt)).toBeGreaterThan(Date.parse(first.startedAt));
  });
});
