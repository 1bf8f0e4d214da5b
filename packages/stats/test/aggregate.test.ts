import { describe, expect, it } from 'vitest';
import { aggregateSimulation, aggregateSweep, type SimulationRecords } from '../src/index.ts';

describe('aggregateSimulation', () => {
  it('gives one JSON-ready row per recorded time', () => {
    // width 4, R = 2, 2 probes
    // t0: losses 1, 3 -> mean 2, variance ((1)^2 + (1)^2) / 1 = 2, se sqrt(2/2) = 1
    //     outputs [[1, 0], [3, 2]]: probe variances 2 and 2 -> mean 2, fluctuation 4 * 2 = 8
    //     standardised values are all ±1 -> m4 / m2^2 = 1, excess -2
    // t1: losses 0.5, null -> mean 0.5, variance null, count 1, dropped 1; no probes recorded
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
      rows: [
        {
          step: 0, time: 0, meanLoss: 2, lossVariance: 2, standardError: 1, count: 2, dropped: 0,
          fluctuation: 8, meanOutputVariance: 2, excessKurtosis: -2, probes: 2,
        },
        {
          step: 10, time: 0.1, meanLoss: 0.5, lossVariance: null, standardError: null, count: 1, dropped: 1,
          fluctuation: null, meanOutputVariance: null, excessKurtosis: null, probes: 0,
        },
      ],
    });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });
});

describe('aggregateSweep', () => {
  const point = (width: number, steps: number[], losses: (number | null)[][], outputs: number[][]) => ({
    width,
    records: {
      steps,
      times: steps.map((s) => s * 0.1),
      testLosses: losses,
      probeOutputs: outputs.map((o) => Float32Array.from(o)),
    },
  });

  it('fits per time, and marks times with missing widths partial', () => {
    // R = 2 replicas, 1 probe. Width 1000 failed (no records).
    // step 0: means 1 (width 10) and 0.1 (width 100): alpha = 1
    //   outputs: width 10 mean (1 + 3)/2 = 2, width 100 mean 1.1 -> in 1/n: slope (2 - 1.1)/(0.1 - 0.01) = 10,
    //   intercept 2 - 10 * 0.1 = 1
    // step 10: width 100 stopped (diverged) before it: only width 10 -> no slope, partial
    const stats = aggregateSweep(
      [
        point(100, [0], [[0.05], [0.15]], [[1, 1.2]]),
        point(10, [0, 10], [[0.5, 0.2], [1.5, 0.2]], [[1, 3], [0, 0]]),
        { width: 1000, records: null },
      ],
      { resamples: 200, seed: 1 },
    );
    expect(stats.widths).toEqual([10, 100, 1000]);
    expect(stats.missingWidths).toEqual([1000]);
    expect(stats.partial).toBe(true);
    expect(stats.rows.map((r) => [r.width, r.step, r.meanLoss])).toEqual([
      [10, 0, 1],
      [10, 10, 0.2],
      [100, 0, expect.closeTo(0.1, 14)],
    ]);
    const [s0, s10] = stats.scaling;
    expect(s0).toMatchObject({ step: 0, time: 0, partial: true, missingWidths: [1000], reason: null });
    expect(s0.alpha).toBeCloseTo(1, 14);
    expect(s0.saturating!.reason).toMatch(/3 distinct widths/);
    expect(s10).toMatchObject({ step: 10, alpha: null, partial: true, missingWidths: [100, 1000] });
    expect(s10.reason).toMatch(/at least 2 widths/);
    expect(stats.extrapolation).toHaveLength(1);
    expect(stats.extrapolation[0].widths).toEqual([10, 100]);
    expect(stats.extrapolation[0].outputs[0]).toBeCloseTo(1, 5);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('treats a width whose losses are all null as missing at that time', () => {
    const stats = aggregateSweep(
      [
        point(10, [0], [[0.1], [0.1]], [[0, 0]]),
        point(20, [0], [[null], [null]], [[0, 0]]),
        point(40, [0], [[0.025], [0.025]], [[0, 0]]),
      ],
      { resamples: 50 },
    );
    expect(stats.scaling[0]).toMatchObject({ partial: true, missingWidths: [20], excludedWidths: [20] });
    expect(stats.scaling[0].alpha).toBeCloseTo(1, 14);
    expect(stats.rows.find((r) => r.width === 20)).toMatchObject({ meanLoss: null, count: 0, dropped: 2 });
    expect(stats.missingWidths).toEqual([]);
  });
});
