// A finished run's limits report: the prediction is made on the engine thread (while the run's last
// chunk is stored) and comes back with the run's result. The report stored from it is the one the
// main thread made before, value for value: for an ntk run with its NTK curve, for a mean-field run,
// and for a spec that has no limits (the field named); a stopped run brings no prediction back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specSchema, type Spec } from '@mfsim/contracts';
import { specHash, type Chunk } from '@mfsim/engine';
import { runReferenceSize } from '@mfsim/limits';
import { EngineHost } from '../src/engine/engine-host.ts';
import { KeptRecords } from '../src/kept-records.ts';
import { simulationLimitsReport } from '../src/simulation-limits.ts';

const spec = (student: Record<string, unknown>, training: Record<string, unknown>): Spec =>
  specSchema.parse({
    seed: 7,
    replicas: 3,
    inputs: { kind: 'gaussian', d: 4 },
    target: { kind: 'teacher', unit: 'tanh', width: 2 },
    student: { unit: 'tanh', width: 32, ...student },
    training: { dt: 0.05, steps: 60, ...training },
    record: { every: 10, testSize: 32, probes: 3 },
  });

let host: EngineHost;
beforeAll(async () => {
  host = await EngineHost.start({ kernelPreference: 'reference' });
}, 60_000);
afterAll(() => host?.stop());

async function run(s: Spec, stopAfterFirst = false) {
  const kept = new KeptRecords();
  const chunks: Chunk[] = [];
  const result = await host.run(s, 7, { simulationId: randomUUID(), specHash: specHash(s, 7) }, undefined, {
    onChunk: async (c) => {
      chunks.push(c);
      kept.add(c);
    },
    checkpointDue: () => false,
    stopRequested: () => stopAfterFirst,
  }, { predictLimitsFor: s });
  return { result, records: kept.inputs(s.replicas)!, chunks };
}

describe('the limits prediction on the engine thread', () => {
  it.each([
    ['an ntk gd run (with its NTK curve)', spec({ parameterization: 'ntk' }, { dynamics: 'gd', trainSize: 64 })],
    ['a mean-field sgd run', spec({}, { dynamics: 'sgd', batchSize: 8 })],
    ['a spec without limits (constant init)', spec({ init: { kind: 'constant' } }, { dynamics: 'sgd', batchSize: 8 })],
  ])('gives %s the report the main thread computes', async (_, s) => {
    const { result, records } = await run(s);
    expect(result.stopped).toBe(false);
    expect(result.limits).toBeDefined();
    const fromEngineThread = simulationLimitsReport(s, 7, records, result.limits);
    expect(fromEngineThread).toEqual(simulationLimitsReport(s, 7, records));
    expect(result.limitsDelaySeconds).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('names the field when the spec has no limits, and the ntk run has its curve', async () => {
    const none = await run(spec({ init: { kind: 'constant' } }, { dynamics: 'sgd', batchSize: 8 }));
    expect(simulationLimitsReport(spec({ init: { kind: 'constant' } }, { dynamics: 'sgd', batchSize: 8 }), 7, none.records, none.result.limits))
      .toMatchObject({ prediction: null, agreement: null, unavailable: { field: 'student.init.kind' } });
    const ntk = spec({ parameterization: 'ntk' }, { dynamics: 'gd', trainSize: 64 });
    const withCurve = await run(ntk);
    const report = simulationLimitsReport(ntk, 7, withCurve.records, withCurve.result.limits) as { prediction: { ntk: { steps: number[] } } };
    expect(report.prediction.ntk.steps).toEqual([0, 10, 20, 30, 40, 50, 60]);
  }, 120_000);

  it('gives an ntk sgd run its NTK curve on a reference sample: the default size when it fits, else the largest that does', async () => {
    const sgd = spec({ parameterization: 'ntk' }, { dynamics: 'sgd', batchSize: 8 });
    const ran = await run(sgd);
    const report = simulationLimitsReport(sgd, 7, ran.records, ran.result.limits) as {
      prediction: { notes: string[]; ntk: { sample: string; trainSize: number; steps: number[] } | null };
    };
    const size = runReferenceSize();
    expect(report.prediction.ntk).toMatchObject({ sample: 'reference sample', trainSize: size, steps: [0, 10, 20, 30, 40, 50, 60] });
    expect(report.prediction.notes.join(' ')).toContain(`reference sample of ${size} points`);
    expect(report.prediction.notes.join(' ')).not.toMatch(/no NTK curve/);
  }, 120_000);

  it('brings no prediction back for a stopped run (its end is not written)', async () => {
    const { result, chunks } = await run(spec({}, { dynamics: 'sgd', batchSize: 8, steps: 6000 }), true);
    expect(result.stopped).toBe(true);
    expect(chunks.length).toBe(1);
    expect(result.limits).toBeUndefined();
  }, 120_000);
});
