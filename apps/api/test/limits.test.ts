// The infinite-width limits through the real service: a finished ntk gd run carries its stored
// report (JSON and CSV), a sweep lists its children's, POST /v1/limits predicts for a spec that has
// not run, and refuses a unit/input law with no kernel or a training set too large, naming the field.
import { describe, expect, it } from 'vitest';
import { maxKernelTrainSize } from '@mfsim/limits';
import { finishedSimulation, useService, waitFor } from './harness.ts';

const service = useService({ worker: true });
const api = service.api;

const ntkSpec = {
  name: 'lazy erf',
  seed: 3,
  replicas: 4,
  inputs: { kind: 'sphere', d: 4 },
  target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'erf', width: 256, parameterization: 'ntk' },
  training: { dynamics: 'gd', trainSize: 32, dt: 1, steps: 40 },
  record: { logPoints: 6, testSize: 64, probes: 4 },
};

describe('limits', () => {
  it('a finished ntk gd run has its NTK curve, NNGP check and agreement; CSV too', async () => {
    const created = await api().post('/v1/simulations').send(ntkSpec).expect(201);
    const id = created.body.id;
    expect((await finishedSimulation(service.app, id, 120_000)).status).toBe('completed');
    const report = await waitFor(async () => {
      const r = await api().get(`/v1/simulations/${id}/limits`);
      return r.status === 200 ? r.body : undefined;
    }, 60_000, 'the limits report');
    expect(report.simulationId).toBe(id);
    expect(report.prediction.ntk.steps).toEqual(report.agreement.ntk.map((s: { step: number }) => s.step));
    expect(report.prediction.ntk.testLoss.every((v: number | null) => typeof v === 'number' && v > 0)).toBe(true);
    expect(report.agreement.nngp.probes).toHaveLength(4);
    expect(typeof report.agreement.nngp.pooled.z).toBe('number');
    // the run's own mean test loss is what the agreement compares: the same number as the trajectory
    const trajectory = await api().get(`/v1/simulations/${id}/trajectory`).expect(200);
    const at0 = trajectory.body.points.filter((p: { step: number }) => p.step === 0).map((p: { testLoss: number }) => p.testLoss);
    expect(report.agreement.ntk[0].measuredMean).toBeCloseTo(at0.reduce((a: number, b: number) => a + b, 0) / at0.length, 6);

    const csv = await api().get(`/v1/simulations/${id}/limits?format=csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toMatch(/^section,step,time,probe,predictedTrainLoss,predictedTestLoss/);
    expect(lines.filter((l) => l.startsWith('ntk,'))).toHaveLength(report.prediction.ntk.steps.length);
    expect(lines.filter((l) => l.startsWith('nngp,'))).toHaveLength(4);
  }, 240_000);

  it('a sweep lists each child\'s limits', async () => {
    const created = await api().post('/v1/sweeps').send({ base: ntkSpec, grid: { 'student.width': [64, 128] } });
    expect(created.status).toBeLessThan(300);
    const id = created.body.id;
    const body = await waitFor(async () => {
      const r = await api().get(`/v1/sweeps/${id}/limits`);
      return r.status === 200 && r.body.children.every((c: { limits: unknown }) => c.limits !== null) ? r.body : undefined;
    }, 180_000, 'the sweep\'s limits');
    expect(body.children.map((c: { width: number }) => c.width)).toEqual([64, 128]);
    const csv = await api().get(`/v1/sweeps/${id}/limits`).set('Accept', 'text/csv').expect(200);
    expect(csv.text.split('\n')[0]).toMatch(/^simulationId,width,section,/);
  }, 240_000);

  it('POST /v1/limits predicts without running particles', async () => {
    const r = await api().post('/v1/limits').send({ spec: ntkSpec }).expect(200);
    expect(r.body.ntk.steps[0]).toBe(0);
    expect(r.body.ntk.testLoss[0]).toBeCloseTo(r.body.t0.expectedTestLoss, 10);
    expect(r.body.ntk.testLoss.at(-1)).toBeLessThan(r.body.ntk.testLoss[0]);
  });

  it('refuses a training set too large, naming the field and the size that fits', async () => {
    const fits = maxKernelTrainSize(); // 1024 with OpenBLAS here, else 512
    const r = await api().post('/v1/limits').send({ spec: { ...ntkSpec, training: { ...ntkSpec.training, trainSize: 100_000 } } }).expect(400);
    expect(r.body.message).toMatch(new RegExp(`spec\\.training\\.trainSize.*100000.*at most ${fits}\\b`));
    const over = await api().post('/v1/limits').send({ spec: { ...ntkSpec, training: { ...ntkSpec.training, trainSize: fits + 1 } } }).expect(400);
    expect(over.body.message).toMatch(new RegExp(`${fits + 1} points.*at most ${fits}\\b`));
    const sgd = await api().post('/v1/limits').send({ spec: { ...ntkSpec, training: { dynamics: 'sgd', batchSize: 16, dt: 1, steps: 10 } } }).expect(400);
    expect(sgd.body.message).toMatch(new RegExp(`referenceSize.*4096.*at most ${fits}\\b`));
    await api().post('/v1/limits').send({ spec: { ...ntkSpec, training: { dynamics: 'sgd', batchSize: 16, dt: 1, steps: 10 } }, referenceSize: 128 }).expect(200);
    const largest = await api().post('/v1/limits').send({ spec: { ...ntkSpec, training: { ...ntkSpec.training, trainSize: fits } } }).expect(200);
    expect(largest.body.ntk.trainSize).toBe(fits);
    expect(largest.body.ntk.testLoss.at(-1)).toBeLessThan(largest.body.ntk.testLoss[0]);
  }, 60_000);

  it('refuses a unit and input law with no kernel, naming the field', async () => {
    const r = await api().post('/v1/limits').send({ spec: { ...ntkSpec, student: { unit: 'gaussian', width: 64, parameterization: 'ntk' } } }).expect(400);
    expect(r.body.message).toMatch(/spec\.inputs\.kind/);
    expect(JSON.stringify(r.body)).not.toMatch(/\/work\/|at .*\.ts/);
  });
});
