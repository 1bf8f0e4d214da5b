import { describe, expect, it } from 'vitest';
import { aggregateSweep, createRandom, excessScaling, scalingExponent, type SimulationRecords } from '../src/index.ts';

/** m_n = lRef + a/n: replica losses with 5% relative Gaussian noise, R replicas. */
function widthLosses(mean: number, replicas: number, random: ReturnType<typeof createRandom>) {
  return Array.from({ length: replicas }, () => mean * (1 + 0.05 * random.normal()));
}

describe('excessScaling', () => {
  it('removes the mean-field loss from the exponent: plain alpha bends, the excess recovers 1', () => {
    const random = createRandom(11);
    const lRef = 0.1;
    const widths = [16, 32, 64, 128, 256].map((width) => ({ width, losses: widthLosses(lRef + 2 / width, 64, random) }));
    const reference = { width: 8192, losses: widthLosses(lRef + 2 / 8192, 64, random) };
    const plain = scalingExponent(widths, { resamples: 400 });
    const excess = excessScaling(widths, reference, { resamples: 400, seed: 3 });
    // m_n = 0.1 + 2/n: the plain slope is well below 1 and the power law is rejected
    expect(plain.alpha!).toBeLessThan(0.7);
    expect(plain.powerLaw).toBe('rejected');
    // m_n - L_ref = 2/n - 2/8192: alpha close to 1, a passing fit, an interval around it
    expect(excess.alpha!).toBeGreaterThan(0.9);
    expect(excess.alpha!).toBeLessThan(1.1);
    expect(excess.interval!.lower).toBeLessThan(excess.alpha!);
    expect(excess.interval!.upper).toBeGreaterThan(excess.alpha!);
    expect(excess.interval!.lower).toBeGreaterThan(0.7);
    expect(excess.goodness!.degreesOfFreedom).toBe(3);
    expect(excess.localSlopes).toHaveLength(4);
    expect(excess.reference!.width).toBe(8192);
    expect(excess.reference!.count).toBe(64);
  });

  it('propagates the reference standard error into each width\'s and subtracts its mean', () => {
    const widths = [
      { width: 8, losses: [1.0, 1.2] },
      { width: 16, losses: [0.6, 0.7] },
      { width: 32, losses: [0.4, 0.44] },
    ];
    const reference = { width: 1024, losses: [0.2, 0.3] };
    const e = excessScaling(widths, reference, { resamples: 0 });
    // reference: mean 0.25, se = sqrt(0.005 / 2) = 0.05
    expect(e.reference).toEqual({ width: 1024, meanLoss: expect.closeTo(0.25, 12), standardError: expect.closeTo(0.05, 12), count: 2 });
    // width 8: mean 1.1, se = sqrt(0.02 / 2) = 0.1 -> excess 0.85, se sqrt(0.1^2 + 0.05^2)
    expect(e.points[0]).toEqual({ width: 8, meanLoss: expect.closeTo(0.85, 12), standardError: expect.closeTo(Math.hypot(0.1, 0.05), 12), count: 2 });
    expect(e.points.map((p) => p.width)).toEqual([8, 16, 32]);
    expect(e.intervalReason).toBe('no resamples requested');
  });

  it('leaves out widths whose loss is not above the reference, and says so when nothing is left', () => {
    const widths = [
      { width: 8, losses: [0.5, 0.6] },
      { width: 16, losses: [0.2, 0.21] },
      { width: 32, losses: [0.19, 0.2] },
    ];
    const e = excessScaling(widths, { width: 512, losses: [0.2, 0.22] }, { resamples: 0 });
    expect(e.nonPositiveWidths).toEqual([16, 32]);
    expect(e.excludedWidths).toEqual([16, 32]);
    expect(e.alpha).toBeNull();
    expect(e.reason).toMatch(/not positive at n = 16, 32/);

    const noReference = excessScaling(widths, { width: 512, losses: [0.2, null] }, { resamples: 0 });
    expect(noReference.reference).toBeNull();
    expect(noReference.alpha).toBeNull();
    expect(noReference.reason).toMatch(/reference run \(n = 512\)/);
  });
});

describe('aggregateSweep with a reference run', () => {
  it('fits the excess per recorded time, and keeps the reference out of the plain scaling', () => {
    const random = createRandom(5);
    const steps = [0, 10, 20];
    const records = (width: number, replicas: number): SimulationRecords => {
      const losses = Array.from({ length: replicas }, () => steps.map((s) => (0.1 + 1 / (1 + s)) + (2 / width) * (1 + 0.05 * random.normal())));
      return { steps, times: steps.map((s) => s * 0.5), testLosses: losses };
    };
    const points = [16, 32, 64].map((width) => ({ width, records: records(width, 8) }));
    const stats = aggregateSweep(points, { resamples: 100, saturating: false, sharedSeeds: true, reference: { width: 4096, records: records(4096, 8) } });
    expect(stats.widths).toEqual([16, 32, 64]);
    expect(stats.scaling).toHaveLength(3);
    for (const row of stats.scaling) {
      expect(row.points.map((p) => p.width)).toEqual([16, 32, 64]);
      expect(row.excess).not.toBeNull();
      expect(row.excess!.reference!.width).toBe(4096);
      expect(row.excess!.points.map((p) => p.width)).toEqual([16, 32, 64]);
      expect(row.excess!.joint).toBe(true);
      // plain: 0.1 + 1/(1+s) + 2/n bends; excess: 2/n - 2/4096 gives alpha near 1
      expect(row.excess!.alpha!).toBeGreaterThan(0.85);
      expect(row.alpha!).toBeLessThan(row.excess!.alpha!);
    }
    expect(stats.referenceInstability).toMatchObject({ width: 4096, replicas: 8, unstable: 0 });
    expect(JSON.parse(JSON.stringify(stats.scaling[0].excess))).toEqual(stats.scaling[0].excess);

    const without = aggregateSweep(points, { resamples: 0, saturating: false });
    expect(without.scaling.every((s) => s.excess === null)).toBe(true);
    expect(without.referenceInstability).toBeNull();
  });
});

describe('aggregateSweep with a reference that has no records', () => {
  it('gives each time an excess fit with no exponent and the reason', () => {
    const records: SimulationRecords = { steps: [0, 5], times: [0, 1], testLosses: [[1, 0.5], [1.2, 0.6]] };
    const stats = aggregateSweep([{ width: 8, records }, { width: 16, records }], { resamples: 0, saturating: false, reference: { width: 512, records: null } });
    expect(stats.scaling.map((s) => s.excess?.alpha)).toEqual([null, null]);
    expect(stats.scaling[0].excess!.reason).toMatch(/reference run \(n = 512\).*no record/);
    expect(stats.referenceInstability).toBeNull();
  });
});
