// The worker's two writes per run against the real Postgres (packages/db run-writes.ts): a chunk's
// records and progress in one statement, the run's end in another, both written only by the worker
// that holds the lease; and the records a run keeps in memory (src/kept-records.ts) are what
// Postgres gives back for its statistics, value for value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specSchema } from '@mfsim/contracts';
import {
  claimRun, connectDatabase, countTrajectoryPoints, createSimulation, findSimulation, finishRun, markCancelled, readSimulationLimits,
  readSimulationStatistics, readStatisticsInputs, saveCheckpoint, storeChunk, storeTrajectoryDigest, type Database,
} from '@mfsim/db';
import { simulate, type Chunk } from '@mfsim/engine';
import { aggregateSimulation } from '@mfsim/stats';
import { KeptRecords } from '../src/kept-records.ts';

let db: Database;
const spec = specSchema.parse({
  replicas: 3, inputs: { kind: 'gaussian', d: 3 }, target: { kind: 'teacher', unit: 'tanh', width: 2 },
  student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 40 },
  record: { every: 5, testSize: 32, probes: 4 },
});
const run = (owner: string) => ({ owner, leaseSeconds: 60, backend: 'test', device: 'test' });
const summary = { seconds: 0.01, finalTestLoss: null, finalTrainLoss: null, bestTestLoss: null };

async function chunksOf(seed: number): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for await (const chunk of await simulate(spec, seed, { chunkSteps: 10 })) out.push(chunk);
  return out;
}
const records = (c: Chunk) => ({ points: c.points, probes: c.probes, birthDeath: [], stepsDone: c.toStep, totalSteps: c.totalSteps, summary });

beforeAll(() => {
  db = connectDatabase();
});
afterAll(async () => db.close());

describe('a run\'s writes', () => {
  it('stores each chunk with its progress, keeps in memory what Postgres reads back, and ends the run in one write', async () => {
    const { id } = await createSimulation(db, { spec, seed: 5, totalSteps: 40 });
    expect(await claimRun(db, id, run('worker-a'))).toMatchObject({ row: { width: 8, sweepId: null }, hasCheckpoint: false });
    const chunks = await chunksOf(5);
    expect(chunks.length).toBeGreaterThan(1);
    const kept = new KeptRecords();
    for (const c of chunks) {
      expect(await storeChunk(db, id, 'worker-a', records(c))).toEqual({ found: true, held: true, status: 'running' });
      kept.add(c);
      expect((await findSimulation(db, id))!.stepsDone).toBe(c.toStep);
    }
    const stored = await readStatisticsInputs(db, id, spec.replicas);
    expect(stored.steps.length).toBe(9); // steps 0, 5, ..., 40
    expect(kept.inputs(spec.replicas)).toEqual(stored);

    await saveCheckpoint(db, id, 40, new Uint8Array([1, 2, 3]));
    const statistics = aggregateSimulation(spec.student.width, stored, {});
    const end = await finishRun(db, id, 'worker-a', { outcome: { status: 'completed', stepsDone: 40, runSeconds: 0.5 }, statistics, limits: { note: 'test' } });
    expect(end).toEqual({ found: true, held: true, status: 'running' });
    const row = (await findSimulation(db, id))!;
    expect(row).toMatchObject({ status: 'completed', progress: 1, stepsDone: 40 });
    expect(row.runSeconds).toBeCloseTo(0.5 + 0.01 * chunks.length, 6);
    expect(row.trajectoryDigest).toBe(await storeTrajectoryDigest(db, id));
    expect((await readSimulationStatistics(db, id)).map((r) => r.step)).toEqual(stored.steps);
    expect(await readSimulationLimits(db, id)).toEqual({ note: 'test' });
    const { rows } = await db.pool.query('SELECT "leaseOwner", (SELECT count(*) FROM checkpoints WHERE "simulationId" = $1)::int AS checkpoints FROM simulations WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ leaseOwner: null, checkpoints: 0 });
  }, 120_000);

  it('writes nothing for a worker whose run another worker took over', async () => {
    const { id } = await createSimulation(db, { spec, seed: 6, totalSteps: 40 });
    await claimRun(db, id, run('worker-a'));
    const [first, second] = await chunksOf(6);
    await storeChunk(db, id, 'worker-a', records(first));
    const points = await countTrajectoryPoints(db, id);
    expect(await claimRun(db, id, run('worker-b'))).toMatchObject({ previousOwner: 'worker-a' });

    expect(await storeChunk(db, id, 'worker-a', records(second))).toEqual({ found: true, held: false, status: 'running' });
    expect(await countTrajectoryPoints(db, id)).toBe(points);
    expect((await findSimulation(db, id))!.stepsDone).toBe(first.toStep);
    expect(await finishRun(db, id, 'worker-a', { outcome: { status: 'completed', stepsDone: 40 } })).toMatchObject({ held: false });
    expect((await findSimulation(db, id))!).toMatchObject({ status: 'running', trajectoryDigest: null });

    // The worker holding it writes; a simulation that is gone is said to be.
    expect(await storeChunk(db, id, 'worker-b', records(second))).toMatchObject({ held: true });
    expect(await countTrajectoryPoints(db, id)).toBeGreaterThan(points);
    expect(await storeChunk(db, '00000000-0000-4000-8000-000000000000', 'worker-b', records(second))).toEqual({ found: false, held: false, status: null });
  }, 120_000);

  it('leaves a cancelled run cancelled at its end, with its digest and its attempt\'s time', async () => {
    const { id, project } = await createSimulation(db, { spec, seed: 7, totalSteps: 40 });
    await claimRun(db, id, run('worker-a'));
    const [first] = await chunksOf(7);
    await storeChunk(db, id, 'worker-a', records(first));
    await markCancelled(db, id, project);
    const before = (await findSimulation(db, id))!;
    expect(await finishRun(db, id, 'worker-a', { outcome: { status: 'completed', stepsDone: 40, runSeconds: 2 } })).toMatchObject({ held: true, status: 'cancelled' });
    const row = (await findSimulation(db, id))!;
    expect(row).toMatchObject({ status: 'cancelled', stepsDone: first.toStep, finishedAt: before.finishedAt });
    expect(row.runSeconds).toBeCloseTo((before.runSeconds ?? 0) + 2, 6);
    expect(row.trajectoryDigest).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);
});
