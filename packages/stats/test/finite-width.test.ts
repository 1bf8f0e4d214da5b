import { describe, expect, it } from 'vitest';
import { createRandom, decomposeOutputVariance, fitFiniteWidthCorrection, summarizeReplicas, type WidthMean } from '../src/index.ts';

/** Per width the replica mean and standard error of value(n) * (1 + relative * z). */
function widthMeans(value: (n: number) => number, widths: number[], replicas: number, relative: number, seed: number): WidthMean[] {
  const random = createRandom(seed);
  return widths.map((width) => {
    const s = summarizeReplicas(Array.from({ length: replicas }, () => value(width) * (1 + relative * random.normal())));
    return { width, mean: s.mean!, standardError: s.standardError! };
  });
}

describe('fitFiniteWidthCorrection', () => {
  it('recovers L_inf and a from exact data', () => {
    const points = [16, 64, 256].map((width) => ({ width, mean: 0.02 + 3 / width, standardError: 1e-4 }));
    const fit = fitFiniteWidthCorrection(points);
    expect(fit.parameters).toBe(2);
    expect(fit.lInf!.value).toBeCloseTo(0.02, 12);
    expect(fit.a!.value).toBeCloseTo(3, 9);
    expect(fit.b).toBeNull();
    expect(fit.goodness).toMatchObject({ degreesOfFreedom: 1, passes: true });
  });

  it('on noisy L_inf + a/n data: the 95% intervals cover L_inf and the fit passes about 95% of the time', () => {
    const widths = [16, 32, 64, 128];
    let covered = 0;
    let passed = 0;
    for (let rep = 0; rep < 300; rep++) {
      const fit = fitFiniteWidthCorrection(widthMeans((n) => 0.02 + 1 / n, widths, 32, 0.2, 100 + rep));
      if (fit.lInf!.lower <= 0.02 && 0.02 <= fit.lInf!.upper) covered++;
      if (fit.goodness!.passes) passed++;
    }
    expect(covered).toBeGreaterThanOrEqual(270);
    expect(passed).toBeGreaterThanOrEqual(270);
    expect(passed).toBeLessThan(300);
  });

  it('adds b/n^2 with 5 widths, and the 2-parameter form fails on data that need it', () => {
    const widths = [4, 8, 16, 32, 64, 128];
    const means = widthMeans((n) => 0.1 + 1 / n + 8 / (n * n), widths, 64, 0.05, 9);
    const fit = fitFiniteWidthCorrection(means);
    expect(fit.parameters).toBe(3);
    expect(fit.b!.lower).toBeLessThan(8);
    expect(fit.b!.upper).toBeGreaterThan(8);
    expect(fit.goodness!.passes).toBe(true);
    const linear = fitFiniteWidthCorrection(means, { quadraticFrom: Infinity });
    expect(linear.goodness!.passes).toBe(false);
  });

  it('says why it cannot fit', () => {
    expect(fitFiniteWidthCorrection([{ width: 8, mean: 0.1, standardError: 0.01 }]).reason).toMatch(/at least 2 widths/);
    expect(fitFiniteWidthCorrection([{ width: 8, mean: 0.1, standardError: 0 }, { width: 16, mean: 0.1, standardError: 0.01 }]).lInf).toBeNull();
  });
});

describe('decomposeOutputVariance', () => {
  it('separates the n-independent SGD noise from the CLT part: Var f = 5.4e-4 + 0.034/n', () => {
    // Mean over 16 independent probes of the sample variance of R Gaussian outputs per width, with
    // its standard error sqrt(2/(R-1)/16) v. Over 100 sweeps the intervals cover sigma2_noise and the
    // fit passes about 95% of the time.
    const R = 64;
    let covered = 0;
    let passed = 0;
    let aF = 0;
    for (let seed = 0; seed < 100; seed++) {
      const random = createRandom(seed);
      const points = [16, 32, 64, 128, 256, 512].map((width) => {
        const variance = 5.4e-4 + 0.034 / width;
        let acc = 0;
        for (let j = 0; j < 16; j++) {
          acc += summarizeReplicas(Array.from({ length: R }, () => Math.sqrt(variance) * random.normal())).variance!;
        }
        const mean = acc / 16;
        return { width, mean, standardError: mean * Math.sqrt(2 / (R - 1) / 16) };
      });
      const d = decomposeOutputVariance(points);
      if (d.sigma2Noise!.lower <= 5.4e-4 && 5.4e-4 <= d.sigma2Noise!.upper) covered++;
      if (d.goodness!.passes) passed++;
      aF += d.aF!.value / 100;
    }
    expect(covered).toBeGreaterThanOrEqual(88);
    expect(passed).toBeGreaterThanOrEqual(88);
    expect(aF).toBeCloseTo(0.034, 3);
  });
});
