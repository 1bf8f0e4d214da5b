// The predictions against the engine's own wide networks: at t = 0 the measured CLT fluctuation per
// probe against the NNGP variance (under both normalisations), and an `ntk` gd run's mean test loss
// against the infinite-width curve at every recorded step.
import { specSchema, type SpecInput } from '@mfsim/contracts';
import { referenceKernel, simulate } from '@mfsim/engine';
import { describe, expect, it } from 'vitest';
import { nngpCheck } from '../src/nngp-check.ts';
import { predictLimits } from '../src/predict.ts';

async function run(input: SpecInput) {
  const spec = specSchema.parse(input);
  const chunks = [];
  for await (const chunk of await simulate(spec, spec.seed ?? 0, { kernel: referenceKernel })) chunks.push(chunk);
  return { spec, points: chunks.flatMap((c) => c.points), probes: chunks.flatMap((c) => c.probes) };
}

const problem = (parameterization: 'ntk' | 'mean-field', width: number, replicas: number): SpecInput => ({
  seed: 5,
  replicas,
  inputs: { kind: 'sphere', d: 4 },
  target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'erf', width, parameterization },
  training: { dynamics: 'gd', trainSize: 48, dt: parameterization === 'ntk' ? 1 : 0.2, steps: 60 },
  record: { logPoints: 8, testSize: 96, probes: 8 },
});

describe('limits against the engine', () => {
  for (const parameterization of ['ntk', 'mean-field'] as const) {
    it(`${parameterization}: the t = 0 fluctuation matches the NNGP variance (pooled z within 3)`, async () => {
      const { spec, probes } = await run({ ...problem(parameterization, 512, 48), training: { dynamics: 'gd', trainSize: 48, dt: 0.1, steps: 1 } });
      const report = predictLimits(spec, 5);
      const check = nngpCheck(probes[0].values, spec.replicas, report.t0.probeCovariance, report.outputScale);
      expect(probes[0].step).toBe(0);
      expect(check.pooled.measured).not.toBeNull();
      expect(Math.abs(check.pooled.z!)).toBeLessThan(3);
      expect(check.probes.every((p) => p.z !== null && Math.abs(p.z) < 4.5)).toBe(true);
    }, 120_000);
  }

  it('ntk gd at n = 2048: the mean test loss follows the infinite-width curve (3 SE or 2%) at every recorded step', async () => {
    const { spec, points } = await run(problem('ntk', 2048, 8));
    const report = predictLimits(spec, 5);
    expect(report.ntk).not.toBeNull();
    const ntk = report.ntk!;
    ntk.steps.forEach((step, i) => {
      const losses = points.filter((p) => p.step === step).map((p) => p.testLoss!);
      expect(losses).toHaveLength(spec.replicas);
      const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
      const se = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / (losses.length - 1) / losses.length);
      const predicted = ntk.testLoss[i]!;
      const ok = Math.abs(mean - predicted) <= 3 * se || Math.abs(mean - predicted) <= 0.02 * predicted;
      expect(ok, `step ${step}: measured ${mean} +- ${se}, predicted ${predicted}`).toBe(true);
    });
    // and it is a real test: the loss moved
    expect(ntk.testLoss.at(-1)!).toBeLessThan(0.8 * ntk.testLoss[0]!);
  }, 300_000);

  it('mean-field runs get t = 0 and a note, no NTK curve', () => {
    const report = predictLimits(specSchema.parse(problem('mean-field', 64, 2)), 5);
    expect(report.ntk).toBeNull();
    expect(report.outputScale).toBeCloseTo(1 / 64, 12);
    expect(report.notes.join(' ')).toMatch(/mean-field/);
  });
});
