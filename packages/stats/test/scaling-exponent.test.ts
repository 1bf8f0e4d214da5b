import { describe, expect, it } from 'vitest';
import { createRandom, scalingExponent } from '../src/index.ts';

/** loss_{n,r} = amplitude(n) * exp(0.4 z_r - 0.08), z ~ N(0, 1): E[loss] = amplitude(n). */
function sweep(amplitude: (n: number) => number, widths: number[], replicas: number, seed: number, shared = false) {
  const random = createRandom(seed);
  const z = Array.from({ length: replicas }, () => random.normal());
  return widths.map((width) => ({
    width,
    losses: Array.from({ length: replicas }, (_, r) => {
      // shared: replica r of every width has the same seed (most of its noise in common).
      const noise = shared ? 0.9 * z[r] + Math.sqrt(1 - 0.81) * random.normal() : random.normal();
      return amplitude(width) * Math.exp(0.4 * noise - 0.08);
    }),
  }));
}

describe('scalingExponent', () => {
  it('fits log m_n against log n weighted by sigma = se / m, and gives the local slopes', () => {
    // Two widths with the same relative error: alpha = -ln(0.01/1)/ln(100) = 1 exactly, untested.
    const s = scalingExponent([
      { width: 1, losses: [0.5, 1.5] },
      { width: 100, losses: [0.005, 0.015] },
    ]);
    expect(s.alpha).toBeCloseTo(1, 14);
    expect(s.powerLaw).toBe('untested');
    expect(s.goodness).toMatchObject({ degreesOfFreedom: 0, pValue: null, passes: null });
    expect(s.localSlopes).toEqual([{ fromWidth: 1, toWidth: 100, alpha: expect.closeTo(1, 14), standardError: expect.any(Number) }]);
    // se / m = 0.5 at both: sigma of the slope sqrt(0.25 + 0.25) / ln 100
    expect(s.localSlopes[0].standardError).toBeCloseTo(Math.sqrt(0.5) / Math.log(100), 12);
    expect(s.standardError).toBeCloseTo(Math.sqrt(0.5) / Math.log(100), 12);
  });

  it('on a noisy power law: the interval covers alpha and the fit passes about 95% of the time', () => {
    const alpha = 0.8;
    const widths = [16, 32, 64, 128, 256];
    let covered = 0;
    let passed = 0;
    for (let rep = 0; rep < 200; rep++) {
      const s = scalingExponent(sweep((n) => 3 * n ** -alpha, widths, 32, 1000 + rep), { resamples: 300, seed: rep });
      if (s.interval!.lower <= alpha && alpha <= s.interval!.upper) covered++;
      if (s.powerLaw === 'consistent') passed++;
    }
    expect(covered).toBeGreaterThanOrEqual(176); // 88%: the percentile bootstrap undercovers a little at R = 32
    expect(passed).toBeGreaterThanOrEqual(176);
    expect(passed).toBeLessThanOrEqual(199);
  });

  it('rejects a power law for L_inf + a/n data and the local slopes show the curvature', () => {
    const s = scalingExponent(sweep((n) => 0.02 + 1 / n, [8, 16, 32, 64, 128, 256, 512], 64, 5), { resamples: 200 });
    expect(s.powerLaw).toBe('rejected');
    expect(s.goodness!.pValue!).toBeLessThan(0.05);
    expect(s.verdict).toMatch(/not a power law/);
    const slopes = s.localSlopes.map((l) => l.alpha);
    expect(slopes[0]).toBeGreaterThan(0.6); // 8 -> 16: (0.145 / 0.0825) -> 0.81
    expect(slopes[slopes.length - 1]).toBeLessThan(0.3); // 256 -> 512: 0.0239 / 0.0220 -> 0.12
  });

  it('resamples replicas jointly across widths when they share seeds: a narrower interval that still covers', () => {
    const alpha = 1;
    const widths = [32, 64, 128, 256];
    let coveredJoint = 0;
    let widthJoint = 0;
    let widthIndependent = 0;
    for (let rep = 0; rep < 100; rep++) {
      const data = sweep((n) => n ** -alpha, widths, 32, 5000 + rep, true);
      const joint = scalingExponent(data, { resamples: 300, seed: rep, joint: true });
      const independent = scalingExponent(data, { resamples: 300, seed: rep });
      expect(joint.joint).toBe(true);
      if (joint.interval!.lower <= alpha && alpha <= joint.interval!.upper) coveredJoint++;
      widthJoint += joint.interval!.upper - joint.interval!.lower;
      widthIndependent += independent.interval!.upper - independent.interval!.lower;
    }
    expect(coveredJoint).toBeGreaterThanOrEqual(86);
    expect(widthJoint).toBeLessThan(0.6 * widthIndependent);
  });

  it('leaves out widths with fewer than 2 finite losses or no spread, and says why when too few remain', () => {
    const s = scalingExponent([
      { width: 10, losses: [0.1, 0.2] },
      { width: 20, losses: [null, 0.1] },
      { width: 40, losses: [0.05, 0.05] },
    ]);
    expect(s.excludedWidths).toEqual([20, 40]);
    expect(s.alpha).toBeNull();
    expect(s.reason).toMatch(/at least 2 widths/);
    expect(scalingExponent([]).reason).toMatch(/at least 2 widths/);
  });

  it('is deterministic for a seed', () => {
    const data = sweep((n) => n ** -0.5, [8, 64, 512], 8, 3);
    expect(scalingExponent(data, { seed: 5 })).toEqual(scalingExponent(data, { seed: 5 }));
    expect(scalingExponent(data, { seed: 5 }).interval).not.toEqual(scalingExponent(data, { seed: 6 }).interval);
  });
});
