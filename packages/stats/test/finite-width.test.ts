import { describe, expect, it } from 'vitest';
import { cltFluctuation, createRandom, decomposeOutputVariance, fitFiniteWidthCorrection, summarizeReplicas, type WidthMean } from '../src/index.ts';
import { below, expectNearUniform } from './calibration.ts';

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

  it('with paired replicas (shared seeds): GLS on the replicas\' shares of Var f, calibrated where the independent fit passes nearly all', () => {
    // f_{n,r,p} = sqrt(s2) u_{r,p} + sqrt(a/n) e_{n,r,p}: the SGD noise part u is the same for replica r
    // at every width (its seed), so the widths' variances are correlated; Var f_n = s2 + a/n.
    const s2 = 5.4e-4;
    const a = 0.034;
    const R = 32;
    const probes = 8;
    const widths = [16, 32, 64, 128, 256];
    const paired: number[] = [];
    const independent: number[] = [];
    let covered = 0;
    for (let seed = 0; seed < 150; seed++) {
      const random = createRandom(500 + seed);
      const u = Array.from({ length: R * probes }, () => random.normal());
      const points = widths.map((width) => {
        const outputs = Float64Array.from(u, (v) => Math.sqrt(s2) * v + Math.sqrt(a / width) * random.normal());
        const { meanVariance, varianceShares: shares } = cltFluctuation(outputs, R, width, 'ntk');
        const mean = meanVariance!;
        expect(shares.reduce((x, y) => x + y, 0) / R).toBeCloseTo(mean, 12);
        return { width, mean, standardError: mean * Math.sqrt(2 / (R - 1)), replicas: shares };
      });
      const gls = decomposeOutputVariance(points, 0.95, true);
      const plain = decomposeOutputVariance(points);
      expect(gls.covariance).toBe('paired');
      expect(plain.covariance).toBe('independent');
      paired.push(gls.goodness!.pValue!);
      independent.push(plain.goodness!.pValue!);
      if (gls.sigma2Noise!.lower <= s2 && s2 <= gls.sigma2Noise!.upper) covered++;
    }
    // Measured over 400 such sweeps: 6% below 0.05, 52% below 0.5, 90% below 0.9 (independent: 0%, 0%).
    expectNearUniform(paired, [0.01, 0.11], [0.38, 0.66]);
    expect(below(independent, 0.5)).toBeLessThan(0.1);
    expect(covered / 150).toBeGreaterThan(0.85);
  });
});
