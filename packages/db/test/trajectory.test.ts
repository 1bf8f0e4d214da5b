import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specSchema } from '@mfsim/contracts';
import {
  connectDatabase, countTrajectoryPoints, createSimulation, deleteSimulation, readTrajectory, writeTrajectoryPoints, writeProbeOutputs, readProbeOutputs,
  saveCheckpoint, loadCheckpoint, writeSnapshots, readSnapshot, UnknownSimulationError, CHECKPOINT_CHUNK_BYTES, type Database,
} from '../src/index.ts';

let db: Database;
let id: string;
const spec = specSchema.parse({
  seed: 3, replicas: 2, inputs: { kind: 'gaussian', d: 2 }, target: { kind: 'teacher', unit: 'tanh', width: 2 },
  student: { unit: 'tanh', width: 4 }, training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 10 },
});

beforeAll(async () => {
  db = connectDatabase();
  id = (await createSimulation(db, { spec, seed: 3, totalSteps: 10 })).id;
});
afterAll(async () => db.close());

describe('trajectory storage', () => {
  it('writes a chunk in bulk and reads it back in (replica, step) order, non-finite values as null', async () => {
    await writeTrajectoryPoints(db, id, [
      { replica: 1, step: 0, time: 0, trainLoss: 1, testLoss: 2, testError: null },
      { replica: 0, step: 5, time: 0.5, trainLoss: Number.NaN, testLoss: Number.POSITIVE_INFINITY, testError: 0.25 },
      { replica: 0, step: 0, time: 0, trainLoss: 3, testLoss: 4, testError: 0.5 },
    ]);
    const all = await readTrajectory(db, id);
    expect(all.map((p) => [p.replica, p.step])).toEqual([[0, 0], [0, 5], [1, 0]]);
    expect(all[1]).toMatchObject({ trainLoss: null, testLoss: null, testError: 0.25, time: 0.5 });
    expect((await readTrajectory(db, id, { replica: 1 })).map((p) => p.testLoss)).toEqual([2]);
  });

  it('rewrites the same points idempotently (a chunk replayed after a resume)', async () => {
    await writeTrajectoryPoints(db, id, [{ replica: 1, step: 0, time: 0, trainLoss: 9, testLoss: 8, testError: null }]);
    const r1 = await readTrajectory(db, id, { replica: 1 });
    expect(r1).toHaveLength(1);
    expect(r1[0].trainLoss).toBe(9);
  });

  it('refuses points for a simulation that does not exist, writing none', async () => {
    const ghost = '6f1c2b7e-0000-4000-8000-00000000dead';
    await expect(writeTrajectoryPoints(db, ghost, [{ replica: 0, step: 0, time: 0, trainLoss: 1, testLoss: 1, testError: null }]))
      .rejects.toThrow(UnknownSimulationError);
    expect(await countTrajectoryPoints(db, ghost)).toBe(0);
  });

  it('deletes the points of deleted simulations, one or many in a statement, and no others', async () => {
    const ids = await Promise.all([1, 2, 3].map(async () => (await createSimulation(db, { spec, seed: 3, totalSteps: 10 })).id));
    for (const sim of ids) {
      await writeTrajectoryPoints(db, sim, [0, 1, 2].map((step) => ({ replica: 0, step, time: step, trainLoss: 1, testLoss: 1, testError: null })));
    }
    await deleteSimulation(db, ids[0]);
    expect(await countTrajectoryPoints(db, ids[0])).toBe(0);
    await db.prisma.simulation.deleteMany({ where: { id: { in: [ids[1], ids[2]] } } });
    expect(await countTrajectoryPoints(db, ids[1]) + await countTrajectoryPoints(db, ids[2])).toBe(0);
    expect(await countTrajectoryPoints(db, id)).toBeGreaterThan(0);
  });

  it('stores float32 probe outputs, snapshots and checkpoints as bytes, bit for bit', async () => {
    const values = new Float32Array([0.1, -2.5, 3e-8, 7]);
    await writeProbeOutputs(db, id, [{ step: 5, values }]);
    expect(Array.from((await readProbeOutputs(db, id))[0].values)).toEqual(Array.from(values));
    const snap = { step: 0, c: new Float32Array([1, 2]), w: new Float32Array([1, 2, 3, 4]), b: new Float32Array([0.5, -0.5]) };
    await writeSnapshots(db, id, [snap]);
    const back = await readSnapshot(db, id, 0);
    expect(Array.from(back!.w)).toEqual([1, 2, 3, 4]);
    await saveCheckpoint(db, id, 5, new Uint8Array([1, 2, 3]));
    await saveCheckpoint(db, id, 7, new Uint8Array([4, 5]));
    expect(await loadCheckpoint(db, id)).toEqual({ step: 7, state: new Uint8Array([4, 5]) });
  });

  it('stores a snapshot larger than a piece in pieces and reads it back bit for bit; older whole rows still read', async () => {
    // c of 3 floats: every piece boundary falls inside w, and w spans three pieces.
    const w = new Float32Array(2.5 * CHECKPOINT_CHUNK_BYTES / 4).map((_, i) => Math.sin(i));
    const snap = { step: 3, c: new Float32Array([1, -2, 3]), w, b: new Float32Array([0.25, -0.25, Number.NaN]) };
    await writeSnapshots(db, id, [{ ...snap, w: new Float32Array(w.length) }]);
    await writeSnapshots(db, id, [snap]); // written again (a resumed chunk): replaced, not added to
    const pieces = await db.pool.query('SELECT count(*)::int AS n FROM snapshot_chunks WHERE "simulationId" = $1 AND step = 3', [id]);
    expect(pieces.rows[0].n).toBe(3);
    const back = await readSnapshot(db, id, 3);
    expect(Buffer.from(back!.w.buffer, back!.w.byteOffset, back!.w.byteLength).equals(Buffer.from(w.buffer))).toBe(true);
    expect(Array.from(back!.c)).toEqual([1, -2, 3]);
    expect(Array.from(back!.b)).toEqual([0.25, -0.25, Number.NaN]);
    const bytes = (a: number[]) => Buffer.from(new Float32Array(a).buffer);
    await db.pool.query('INSERT INTO snapshots ("simulationId", step, c, w, b) VALUES ($1, 9, $2, $3, $4)', [id, bytes([5]), bytes([6, 7]), bytes([8])]);
    expect(await readSnapshot(db, id, 9)).toEqual({ step: 9, c: new Float32Array([5]), w: new Float32Array([6, 7]), b: new Float32Array([8]) });
    expect(await readSnapshot(db, id, 4)).toBeNull();
  });
});
