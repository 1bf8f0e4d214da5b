// Trajectory replies are cached by (id, finishedAt, stepsDone, query): a running simulation's
// reply must still show each new chunk as soon as the worker has advanced stepsDone.
import { afterAll, beforeAll, expect, it } from 'vitest';
import request from 'supertest';
import { specSchema } from '@mfsim/contracts';
import { createSimulation, updateProgress, writeTrajectoryPoints, type PointRow } from '@mfsim/db';
import { smallSpec, startService } from './harness.ts';

let service: Awaited<ReturnType<typeof startService>>;
beforeAll(async () => {
  service = await startService();
});
afterAll(async () => service?.close());

const points = (from: number, to: number): PointRow[] =>
  Array.from({ length: to - from }, (_, i) => ({ replica: 0, step: from + i, time: (from + i) / 10, trainLoss: 1 / (1 + from + i), testLoss: 1 / (1 + from + i), testError: null }));

it('shows each new chunk of a running simulation, downsampled or not', async () => {
  const { db } = service.deps;
  const spec = specSchema.parse(smallSpec({ training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 3000 }, record: { every: 1 } }));
  const row = await createSimulation(db, { spec, seed: 1, totalSteps: 3000 });
  await db.prisma.simulation.update({ where: { id: row.id }, data: { status: 'running' } });
  const lastStep = async (query: string) => {
    const r = await request(service.app.server).get(`/v1/simulations/${row.id}/trajectory?${query}`);
    expect(r.status).toBe(200);
    return r.body.points.at(-1).step;
  };

  for (const [to, query] of [[1000, 'maxPoints=50'], [2000, 'maxPoints=50'], [3001, 'maxPoints=50']] as const) {
    const from = to === 1000 ? 0 : to === 2000 ? 1000 : 2000;
    // As the worker does: the chunk's points first, then stepsDone.
    await writeTrajectoryPoints(db, row.id, points(from, to));
    await updateProgress(db, row.id, to - 1, 3000);
    expect(await lastStep(query)).toBe(to - 1);
    expect(await lastStep(`${query}&replica=0`)).toBe(to - 1);
  }
});

it('answers requests that arrive while a running simulation\'s new chunk is read with the chunk before, marked', async () => {
  const { db } = service.deps;
  const spec = specSchema.parse(smallSpec({ training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 3000 }, record: { every: 1 } }));
  const row = await createSimulation(db, { spec, seed: 1, totalSteps: 3000 });
  await db.prisma.simulation.update({ where: { id: row.id }, data: { status: 'running' } });
  const get = () => request(service.app.server).get(`/v1/simulations/${row.id}/trajectory?maxPoints=50`);
  await writeTrajectoryPoints(db, row.id, points(0, 1000));
  await updateProgress(db, row.id, 999, 3000);
  expect((await get()).body.points.at(-1).step).toBe(999);

  await writeTrajectoryPoints(db, row.id, points(1000, 2000));
  await updateProgress(db, row.id, 1999, 3000);
  const replies = await Promise.all(Array.from({ length: 8 }, () => get()));
  const lastSteps = replies.map((r) => r.body.points.at(-1).step);
  // Every reply is one whole chunk's: the new one, or (marked) the one before; at least one reads the new.
  expect(lastSteps.every((s) => s === 999 || s === 1999)).toBe(true);
  expect(replies.every((r) => (r.body.points.at(-1).step === 999) === (r.headers['x-trajectory-previous-chunk'] === 'true'))).toBe(true);
  expect(lastSteps).toContain(1999);
  // Once read, the new chunk is what everyone gets.
  const after = await get();
  expect(after.body.points.at(-1).step).toBe(1999);
  expect(after.headers['x-trajectory-previous-chunk']).toBeUndefined();
});
