import { describe, expect, it } from 'vitest';
import { cltFluctuation } from '../src/index.ts';

describe('cltFluctuation', () => {
  it('scales the mean over probes of the replica variance by the width, and pools the kurtosis', () => {
    // [R = 4, probes = 2], width 10
    // probe 0: 1, 2, 3, 6  -> mean 3, deviations -2 -1 0 3, ss = 14, variance 14/3
    // probe 1: 0, 0, 2, 2  -> mean 1, deviations -1 -1 1 1, ss = 4,  variance 4/3
    // mean variance = (14/3 + 4/3) / 2 = 3; fluctuation = 10 * 3 = 30
    // kurtosis: population std of probe 0 = sqrt(14/4) = sqrt(3.5):
    //   z^2 = 4/3.5, 1/3.5, 0, 9/3.5 (sum 4); z^4 = (16 + 1 + 0 + 81) / 12.25 = 8
    // probe 1: population std 1, z = ±1: z^2 sum 4, z^4 sum 4
    // pooled over 8 values: m2 = 8/8 = 1, m4 = 12/8 = 1.5; excess = 1.5 / 1 - 3 = -1.5
    const outputs = [1, 0, 2, 0, 3, 2, 6, 2];
    const f = cltFluctuation(outputs, 4, 10);
    expect(f.probes).toBe(2);
    expect(f.probesUsed).toBe(2);
    expect(f.meanVariance).toBeCloseTo(3, 14);
    expect(f.fluctuation).toBeCloseTo(30, 13);
    expect(f.excessKurtosis).toBeCloseTo(-1.5, 14);
    expect(f.dropped).toBe(0);
  });

  it('drops non-finite outputs per probe', () => {
    // probe 0: 1, 3 (NaN dropped) -> variance 2; probe 1: 5, 5, 5 -> variance 0
    // mean variance = 1, fluctuation = 4 * 1 = 4
    // only probe 0 has spread: z = ±1, so m4 / m2^2 = 1 and the excess is -2
    const f = cltFluctuation(new Float32Array([1, 5, NaN, 5, 3, 5]), 3, 4);
    expect(f.dropped).toBe(1);
    expect(f.meanVariance).toBeCloseTo(1, 14);
    expect(f.fluctuation).toBeCloseTo(4, 14);
    expect(f.excessKurtosis).toBeCloseTo(-2, 14);
  });

  it('gives nulls for one replica', () => {
    const f = cltFluctuation([0.1, 0.2, 0.3], 1, 64);
    expect(f).toMatchObject({ probes: 3, probesUsed: 0, meanVariance: null, fluctuation: null, excessKurtosis: null });
  });

  it('is near 0 excess kurtosis for Gaussian fluctuations', async () => {
    const { createRandom } = await import('../src/index.ts');
    const random = createRandom(7);
    const replicas = 200;
    const probes = 200;
    const outputs = Float64Array.from({ length: replicas * probes }, () => random.normal() * 0.1);
    const f = cltFluctuation(outputs, replicas, 100);
    // the moment estimator's mean for Gaussians is about -6 / (R + 1) = -0.03; sd over 40000 pooled ~ 0.025
    expect(f.excessKurtosis!).toBeGreaterThan(-0.15);
    expect(f.excessKurtosis!).toBeLessThan(0.1);
    expect(f.fluctuation!).toBeCloseTo(100 * 0.01, 1);
  });
});
