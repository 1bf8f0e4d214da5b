import { describe, expect, it } from 'vitest';
import { aggregateSimulation, aggregateSweep, createRandom, meanFieldLossLimit, type SimulationRecords } from '../src/index.ts';

describe('aggregateSimulation', () => {
  it('gives one JSON-ready row per recorded time', () => {
    // width 4, R = 2, 2 probes
    // t0: losses 1, 3 -> mean 2, variance 2, se 1; outputs [[1, 0], [3, 2]]: probe variances 2 and 2
    //     -> mean 2, fluctuation 4 * 2 = 8 (mean-field), 2 (ntk); no kurtosis with 2 replicas
    // t1: losses 0.5, null -> mean 0.5, count 1, dropped 1; no probes recorded
    const records: SimulationRecords = {
      steps: [0, 10],
      times: [0, 0.1],
      testLosses: [
        [1, 0.5],
        [3, null],
      ],
      probeOutputs: [new Float32Array([1, 0, 3, 2]), null],
    };
    const stats = aggregateSimulation(4, records);
    expect(stats).toEqual({
      width: 4,
      replicas: 2,
      unstableAtStep: [null, null],
      rows: [
        {
          step: 0, time: 0, meanLoss: 2, lossVariance: 2, standardError: 1, count: 2, dropped: 0, unstable: 0,
          fluctuation: 8, meanOutputVariance: 2, excessKurtosis: null, excessKurtosisError: null, fourPoint: null, probes: 2,
        },
        {
          step: 10, time: 0.1, meanLoss: 0.5, lossVariance: null, standardError: null, count: 1, dropped: 1, unstable: 0,
          fluctuation: null, meanOutputVariance: null, excessKurtosis: null, excessKurtosisError: null, fourPoint: null, probes: 0,
        },
      ],
    });
    expect(aggregateSimulation(4, records, { parameterization: 'ntk' }).rows[0].fluctuation).toBe(2);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('marks a replica whose loss jumps more than 10x unstable at that step and leaves it out of every row', () => {
    const records: SimulationRecords = {
      steps: [0, 10, 20],
      times: [0, 5, 10],
      testLosses: [
        [1, 0.1, 0.05],
        [1, 0.2, 3], // 15x between step 10 and 20
        [1, 0.3, 0.1],
      ],
    };
    const stats = aggregateSimulation(16, records);
    expect(stats.unstableAtStep).toEqual([null, 20, null]);
    expect(stats.rows.map((r) => [r.count, r.unstable, r.dropped])).toEqual([[2, 1, 0], [2, 1, 0], [2, 1, 0]]);
    expect(stats.rows[1].meanLoss).toBeCloseTo(0.2, 14);
    expect(stats.rows[2].meanLoss).toBeCloseTo(0.075, 14);
  });
});

describe('aggregateSweep', () => {
  const point = (width: number, steps: number[], losses: (number | null)[][], outputs: number[][]) => ({
    width,
    records: {
      steps,
      times: steps.map((s) => s / 10),
      testLosses: losses,
      probeOutputs: outputs.map((o) => Float32Array.from(o)),
    },
  });

  it('fits per time, and marks times with missing widths partial', () => {
    // R = 2 replicas, 1 probe. Width 1000 failed (no records).
    // step 0: means 1 (width 10) and 0.1 (width 100), same relative error: alpha = 1
    //   outputs: width 10 mean (1 + 3)/2 = 2, width 100 mean 1.1 -> in 1/n: intercept 1
    // step 10: width 100 stopped before it: only width 10 -> no slope, partial
    const stats = aggregateSweep(
      [
        point(100, [0], [[0.05], [0.15]], [[1, 1.2]]),
        point(10, [0, 10], [[0.5, 0.2], [1.5, 0.3]], [[1, 3], [0, 0]]),
        { width: 1000, records: null },
      ],
      { resamples: 200, seed: 1, sharedSeeds: true },
    );
    expect(stats.widths).toEqual([10, 100, 1000]);
    expect(stats.missingWidths).toEqual([1000]);
    expect(stats.partial).toBe(true);
    expect(stats.rows.map((r) => [r.width, r.step, r.meanLoss])).toEqual([
      [10, 0, 1],
      [10, 10, 0.25],
      [100, 0, expect.closeTo(0.1, 14)],
    ]);
    const [s0, s10] = stats.scaling;
    expect(s0).toMatchObject({ step: 0, time: 0, partial: true, missingWidths: [1000], reason: null, joint: true, powerLaw: 'untested' });
    expect(s0.alpha).toBeCloseTo(1, 14);
    expect(s0.saturating!.reason).toMatch(/4 distinct widths/);
    expect(s0.finiteWidth.lInf!.value).toBeCloseTo(0, 12); // 1 = L + a/10, 0.1 = L + a/100 -> L = 0, a = 10
    expect(s0.finiteWidth.a!.value).toBeCloseTo(10, 10);
    expect(s10).toMatchObject({ step: 10, alpha: null, partial: true, missingWidths: [100, 1000] });
    expect(s10.reason).toMatch(/at least 2 widths/);
    expect(stats.extrapolation).toHaveLength(1);
    expect(stats.extrapolation[0].outputs[0]).toBeCloseTo(1, 5);
    expect(meanFieldLossLimit(stats).map((p) => p.step)).toEqual([0, 10]);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('on a synthetic L_inf + a/n sweep: rejects the power law, recovers L_inf(t), and counts unstable replicas', () => {
    const random = createRandom(3);
    const widths = [16, 32, 64, 128, 256];
    const R = 32;
    const lInf = (t: number) => 0.01 + 0.1 * Math.exp(-t);
    const points = widths.map((width) => {
      const testLosses = Array.from({ length: R }, (_, r) =>
        [0, 1, 2].map((t) => {
          // replica 0 of width 16 blows up at t = 2
          if (width === 16 && r === 0 && t === 2) return 50;
          return (lInf(t) + 2 / width) * (1 + 0.05 * random.normal());
        }),
      );
      return { width, records: { steps: [0, 10, 20], times: [0, 1, 2], testLosses } };
    });
    const stats = aggregateSweep(points, { resamples: 200, sharedSeeds: true });
    expect(stats.instability.find((i) => i.width === 16)).toMatchObject({ unstable: 1, replicas: R });
    expect(stats.rows.filter((r) => r.width === 16).every((r) => r.unstable === 1 && r.count === R - 1)).toBe(true);
    for (const [t, s] of stats.scaling.entries()) {
      expect(s.powerLaw).toBe('rejected');
      expect(s.finiteWidth.lInf!.lower).toBeLessThan(lInf(t));
      expect(s.finiteWidth.lInf!.upper).toBeGreaterThan(lInf(t));
      expect(s.finiteWidth.parameters).toBe(3);
      expect(s.saturating!.lInf).not.toBeNull();
    }
  });

  it('treats a width whose losses are all null as missing at that time', () => {
    const stats = aggregateSweep(
      [
        point(10, [0], [[0.1], [0.12]], [[0, 0]]),
        point(20, [0], [[null], [null]], [[0, 0]]),
        point(40, [0], [[0.025], [0.03]], [[0, 0]]),
      ],
      { resamples: 50 },
    );
    expect(stats.scaling[0]).toMatchObject({ partial: true, missingWidths: [20], excludedWidths: [20] });
    expect(stats.rows.find((r) => r.width === 20)).toMatchObject({ meanLoss: null, count: 0, dropped: 2 });
    expect(stats.missingWidths).toEqual([]);
  });
});
