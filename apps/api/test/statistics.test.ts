// The statistics a referee would accept, end to end: a sweep's scaling reply carries the goodness
// of fit, the local slopes, L_inf + a/n and the noise decomposition; rows carry the unbiased
// kurtosis with its error and the unstable count; the probe outputs come back as JSON and CSV.
import { describe, expect, it } from 'vitest';
import { useService, waitFor } from './harness.ts';

const service = useService({ memoryBudgetBytes: 1024 ** 3, worker: true });
const api = service.api;

const base = {
  name: 'statistics sweep',
  seed: 21,
  inputs: { kind: 'sphere', d: 4 },
  target: { kind: 'p-spin', p: 3 },
  student: { unit: 'tanh', width: 8 },
  training: { dynamics: 'sgd', batchSize: 128, dt: 0.2, steps: 100 },
  record: { every: 50, testSize: 256, probes: 6 },
};

describe('statistics of a width sweep', () => {
  it('replies with the fit quality, local slopes, L_inf + a/n, the noise decomposition and the probe outputs', async () => {
    const post = await api().post('/v1/sweeps').send({ base, grid: { 'student.width': [8, 16, 32, 64] }, replicas: 6 });
    expect(post.status).toBe(201);
    await waitFor(async () => {
      const r = await api().get(`/v1/sweeps/${post.body.id}`);
      return r.body.status === 'completed' ? r.body : undefined;
    }, 180_000, 'the sweep to finish'); // 4 runs and the aggregation on the worker, on a loaded machine

    const scaling = await api().get(`/v1/sweeps/${post.body.id}/scaling`).query({ time: 20 });
    expect(scaling.status).toBe(200);
    const s = scaling.body;
    expect(s).toMatchObject({ step: 100, joint: true, missingWidths: [] });
    expect(['consistent', 'rejected']).toContain(s.powerLaw);
    expect(s.goodness).toMatchObject({ degreesOfFreedom: 2 });
    expect(s.goodness.pValue).toBeGreaterThanOrEqual(0);
    expect(s.verdict).toEqual(expect.any(String));
    expect(s.localSlopes.map((l: { fromWidth: number; toWidth: number }) => [l.fromWidth, l.toWidth])).toEqual([[8, 16], [16, 32], [32, 64]]);
    expect(s.points.every((p: { standardError: number }) => p.standardError > 0)).toBe(true);
    expect(s.finiteWidth).toMatchObject({ parameters: 2, widths: [8, 16, 32, 64], reason: null });
    expect(s.finiteWidth.lInf.lower).toBeLessThan(s.finiteWidth.lInf.upper);
    expect(s.noise.sigma2Noise).not.toBeNull();
    expect(s.noise).toMatchObject({ covariance: 'paired', covarianceReason: null }); // the replicas' shares of Var f pair across widths
    // 4 widths: the saturating fit answers (weighted, L_inf >= 0) or says why not.
    expect(s.saturating.lInf === null ? s.saturating.reason : s.saturating.lInf).not.toBeNull();
    if (s.saturating.lInf !== null) expect(s.saturating.lInf).toBeGreaterThanOrEqual(0);
    // The replicas share seeds across widths, 6 of them for 4 widths: fitted by GLS with their covariance.
    if (s.saturating.lInf !== null) expect(s.saturating).toMatchObject({ covariance: 'paired', covarianceReason: null });

    const stats = (await api().get(`/v1/sweeps/${post.body.id}/statistics`)).body;
    for (const w of stats.series[0].byWidth) {
      for (const row of w.rows) {
        expect(row).toMatchObject({ unstable: 0, count: 6 });
        expect(row.excessKurtosis).toEqual(expect.any(Number));
        expect(row.excessKurtosisError).toBeGreaterThan(0);
        expect(row.fourPoint).toEqual(expect.any(Number));
      }
    }
    const childId = stats.series[0].byWidth[0].simulationId;
    const one = await api().get(`/v1/simulations/${childId}/statistics`);
    expect(one.body.unstableAtStep).toEqual([null, null, null, null, null, null]);
    expect((await api().get(`/v1/simulations/${childId}`)).body.unstableAtStep).toHaveLength(6);

    const probes = await api().get(`/v1/simulations/${childId}/probes`);
    expect(probes.status).toBe(200);
    expect(probes.body).toMatchObject({ replicas: 6, probes: 6, d: 4, inputsReason: null });
    expect(probes.body.inputs).toHaveLength(6);
    // sphere inputs: |x|^2 = d
    for (const x of probes.body.inputs) expect(x.reduce((a: number, v: number) => a + v * v, 0)).toBeCloseTo(4, 4);
    expect(probes.body.steps.map((p: { step: number }) => p.step)).toEqual([0, 50, 100]);
    expect(probes.body.steps[2].time).toBeCloseTo(20, 9);
    expect(probes.body.steps[0].outputs).toHaveLength(6);
    expect(probes.body.steps[0].outputs[0]).toHaveLength(6);
    // The stored variance over replicas of the outputs is what the statistics row reports.
    const outputs: number[][] = probes.body.steps[2].outputs;
    let sum = 0;
    for (let j = 0; j < 6; j++) {
      const col = outputs.map((o) => o[j]);
      const m = col.reduce((a, v) => a + v, 0) / 6;
      sum += col.reduce((a, v) => a + (v - m) ** 2, 0) / 5;
    }
    expect(one.body.rows[2].meanOutputVariance).toBeCloseTo(sum / 6, 8);
    expect(one.body.rows[2].fluctuation).toBeCloseTo((8 * sum) / 6, 7); // mean-field: n Var f

    const csv = await api().get(`/v1/simulations/${childId}/probes`).query({ format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('step,time,replica,probe,output');
    expect(lines).toHaveLength(1 + 3 * 6 * 6);
    expect(Number(lines[1].split(',')[4])).toBeCloseTo(probes.body.steps[0].outputs[0][0], 6);

    expect((await api().get('/v1/simulations/00000000-0000-4000-8000-000000000000/probes')).status).toBe(404);
  }, 240_000);

  it('refuses training.sampling outside minibatch, naming the field', async () => {
    const r = await api().post('/v1/simulations').send({ ...base, training: { ...base.training, sampling: 'replacement' } });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/training\.sampling|sampling/);
  });
});
