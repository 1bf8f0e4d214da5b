// The engine host between runs: a run that fails on the main thread (a write failed) while the
// engine thread is still computing must leave nothing behind for the next run on the same worker.
// Before runs carried their identity, the failed run's `done` (with its particles) was taken by the
// next run as its own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specSchema, type Spec } from '@mfsim/contracts';
import { checkpointHeader, encodeCheckpoint, specHash, type Chunk } from '@mfsim/engine';
import { EngineHost } from '../src/engine/engine-host.ts';

const spec = (seed: number): Spec =>
  specSchema.parse({
    seed,
    replicas: 2,
    inputs: { kind: 'gaussian', d: 4 },
    target: { kind: 'teacher', unit: 'tanh', width: 3 },
    student: { unit: 'tanh', width: 16 },
    training: { dynamics: 'sgd', batchSize: 32, dt: 0.1, steps: 6000 },
    record: { every: 50, testSize: 64, probes: 0 },
  });

const quiet = { checkpointDue: () => true, stopRequested: () => false };
let host: EngineHost;

beforeAll(async () => {
  host = await EngineHost.start({ kernelPreference: 'reference' });
}, 60_000);
afterAll(() => host?.stop());

async function runAll(h: EngineHost, s: Spec, id: string) {
  const chunks: Chunk[] = [];
  const identity = { simulationId: id, specHash: specHash(s, s.seed!) };
  const result = await h.run(s, s.seed!, identity, undefined, { ...quiet, onChunk: async (c) => void chunks.push(c) });
  return { chunks, result, identity };
}

describe('engine host', () => {
  it('a run after a failed run gets only its own chunks and state', async () => {
    const failed = spec(1);
    const failedId = randomUUID();
    const failing = host.run(failed, 1, { simulationId: failedId, specHash: specHash(failed, 1) }, undefined, {
      ...quiet,
      onChunk: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    });
    await expect(failing).rejects.toThrow(/ECONNREFUSED/);

    const next = spec(2);
    const nextId = randomUUID();
    const got = await runAll(host, next, nextId);
    expect(got.result.stopped).toBe(false);
    expect(checkpointHeader(got.result.checkpoint.state)).toMatchObject({ step: 6000, identity: got.identity });
    expect(got.chunks[0].fromStep).toBe(0);
    for (let i = 1; i < got.chunks.length; i++) expect(got.chunks[i].fromStep).toBe(got.chunks[i - 1].toStep);

    // The same run alone on a fresh engine thread: the same points, value for value.
    const fresh = await EngineHost.start({ kernelPreference: 'reference' });
    try {
      const alone = await runAll(fresh, next, nextId);
      expect(got.chunks.flatMap((c) => c.points)).toEqual(alone.chunks.flatMap((c) => c.points));
    } finally {
      await fresh.stop();
    }
  }, 120_000);

  it('refuses to resume from another simulation\'s checkpoint', async () => {
    const s = spec(3);
    const other = await runAll(host, s, randomUUID());
    const mine = { simulationId: randomUUID(), specHash: specHash(s, 3) };
    await expect(host.run(s, 3, mine, other.result.checkpoint.state, { ...quiet, onChunk: async () => {} })).rejects.toThrow(/checkpoint refused: it belongs to simulation/);
    // A v1 checkpoint (no identity) is refused too; another spec's hash as well.
    const v1 = encodeCheckpoint({ version: 1, step: 0, c: new Float32Array(), w: new Float32Array(), b: new Float32Array(), extra: {} });
    await expect(host.run(s, 3, mine, v1, { ...quiet, onChunk: async () => {} })).rejects.toThrow(/records no simulation id/);
    const otherSpec = { ...other.identity, specHash: specHash(spec(4), 4) };
    await expect(host.run(s, 3, otherSpec, other.result.checkpoint.state, { ...quiet, onChunk: async () => {} })).rejects.toThrow(/another spec or seed/);
    // The host still runs after refusals.
    expect((await runAll(host, s, randomUUID())).result.stopped).toBe(false);
  }, 120_000);
});
