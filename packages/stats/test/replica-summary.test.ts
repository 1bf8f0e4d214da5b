import { describe, expect, it } from 'vitest';
import { summarizeReplicas } from '../src/index.ts';

describe('summarizeReplicas', () => {
  it('gives mean, unbiased variance and standard error over the finite replicas', () => {
    // finite values 1, 2, 4: mean = 7/3
    // deviations -4/3, -1/3, 5/3; squares 16/9 + 1/9 + 25/9 = 42/9 = 14/3
    // variance = (14/3) / (3 - 1) = 7/3; standard error = sqrt((7/3) / 3) = sqrt(7) / 3
    const s = summarizeReplicas([1, 2, null, 4, NaN, Infinity]);
    expect(s.count).toBe(3);
    expect(s.dropped).toBe(3);
    expect(s.mean).toBeCloseTo(7 / 3, 14);
    expect(s.variance).toBeCloseTo(7 / 3, 14);
    expect(s.standardError).toBeCloseTo(Math.sqrt(7) / 3, 14);
  });

  it('reports the variance of one replica as null, not NaN', () => {
    const s = summarizeReplicas([0.5]);
    expect(s).toEqual({ mean: 0.5, variance: null, standardError: null, count: 1, dropped: 0 });
  });

  it('reports a time where every replica is null as empty', () => {
    expect(summarizeReplicas([null, null])).toEqual({ mean: null, variance: null, standardError: null, count: 0, dropped: 2 });
  });
});
