import { describe, expect, it } from 'vitest';
import { bootstrapMeans, createRandom, fitSaturatingPowerLaw, prepareWidths, saturatingFit } from '../src/index.ts';
import { below, expectNearUniform } from './calibration.ts';

describe('fitSaturatingPowerLaw', () => {
  it('recovers L_inf, A and alpha from exact data, weighted', () => {
    const widths = [8, 16, 32, 64, 128, 256];
    const means = widths.map((n) => 0.05 + 2 * n ** -0.7);
    const fit = fitSaturatingPowerLaw(widths, means, means.map((m) => 0.01 * m));
    expect(fit.reason).toBeNull();
    expect(fit.alpha).toBeCloseTo(0.7, 5);
    expect(fit.lInf).toBeCloseTo(0.05, 6);
    expect(fit.a).toBeCloseTo(2, 4);
    expect(fit.goodness!.chiSquare).toBeLessThan(1e-6);
    expect(fit.lInfAtZero).toBe(false);
  });

  it('keeps L_inf >= 0: data falling faster than any floor allows give L_inf = 0', () => {
    // 5 n^-2 minus a little: the unconstrained fit wants a negative L_inf.
    const widths = [10, 20, 40, 80];
    const means = widths.map((n) => 5 * n ** -2 - 1e-4 + 1e-3);
    const fit = fitSaturatingPowerLaw(widths.slice(), means.map((m) => m - 1e-3), means.map(() => 1e-5));
    expect(fit.lInf).toBe(0);
    expect(fit.lInfAtZero).toBe(true);
  });

  it('gives no answer under 4 widths, and says why', () => {
    const fit = fitSaturatingPowerLaw([10, 20, 40], [0.1, 0.05, 0.03], [0.01, 0.01, 0.01]);
    expect(fit.alpha).toBeNull();
    expect(fit.reason).toMatch(/at least 4 distinct widths/);
  });

  it('gives a bootstrap interval that covers the true exponent on noisy data', () => {
    const widths = [8, 16, 32, 64, 128, 256];
    let covered = 0;
    for (let rep = 0; rep < 40; rep++) {
      const random = createRandom(77 + rep);
      const data = widths.map((width) => ({
        width,
        losses: Array.from({ length: 32 }, () => (0.05 + 2 * width ** -0.7) * (1 + 0.1 * random.normal())),
      }));
      const prepared = prepareWidths(data);
      const fit = saturatingFit(prepared, bootstrapMeans(prepared.samples, false, 200, rep), { resamples: 200 });
      expect(fit.alphaInterval).not.toBeNull();
      if (fit.alphaInterval!.lower <= 0.7 && 0.7 <= fit.alphaInterval!.upper) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(34);
  });
});

describe('the saturating fit with paired replicas (GLS)', () => {
  // Replica r of every width shares a random effect (a sweep's shared seeds): the widths' means are
  // correlated, and a chi-square that treats them as independent passes almost every fit.
  const widths = [8, 16, 32, 64, 128, 256];
  const sweep = (seed: number, replicas = 24) => {
    const random = createRandom(seed);
    const shared = Array.from({ length: replicas }, () => random.normal());
    return prepareWidths(widths.map((width) => ({
      width,
      losses: shared.map((u) => 0.05 + 2 * width ** -0.7 + 4e-3 * u + 2e-3 * random.normal()),
    })));
  };

  it('equals the weighted fit when the covariance is diagonal', () => {
    const prepared = sweep(5);
    const se = prepared.points.map((p) => p.standardError);
    const diagonal = new Float64Array(se.length * se.length);
    se.forEach((s, i) => (diagonal[i * se.length + i] = s * s));
    const args = [prepared.points.map((p) => p.width), prepared.points.map((p) => p.meanLoss), se] as const;
    const weighted = fitSaturatingPowerLaw(...args);
    const gls = fitSaturatingPowerLaw(...args, { covariance: { kind: 'paired', matrix: diagonal, replicas: 24 } });
    expect(gls.covariance).toBe('paired');
    expect(weighted.covariance).toBe('independent');
    expect(gls.alpha).toBeCloseTo(weighted.alpha!, 8);
    expect(gls.lInf).toBeCloseTo(weighted.lInf!, 10);
    expect(gls.a).toBeCloseTo(weighted.a!, 8);
  });

  it('gives p-values near uniform on correlated sweeps where the independent fit passes nearly all', () => {
    const paired: number[] = [];
    const independent: number[] = [];
    let covered = 0;
    for (let s = 0; s < 200; s++) {
      const prepared = sweep(9000 + s);
      const gls = saturatingFit(prepared, bootstrapMeans(prepared.samples, true, 100, s), { joint: true, resamples: 100 });
      const plain = saturatingFit(prepared, null);
      expect(gls.covariance).toBe('paired');
      expect(gls.covarianceReason).toBeNull();
      paired.push(gls.goodness!.pValue!);
      independent.push(plain.goodness!.pValue!);
      if (gls.lInfInterval!.lower <= 0.05 && 0.05 <= gls.lInfInterval!.upper) covered++;
    }
    // The model is nonlinear in alpha, so Hotelling's p is approximate: bounds around uniform a little
    // wider than the binomial spread over 200 (1.5% at 0.05, 3.5% at 0.5). Measured: 5.5%, 50%.
    expectNearUniform(paired, [0.01, 0.11], [0.38, 0.62]);
    expect(below(independent, 0.5)).toBeLessThan(0.15);
    expect(covered / 200).toBeGreaterThan(0.85);
  });

  it('says why it treats paired widths as independent when there are too few replicas', () => {
    const fit = saturatingFit(sweep(3, 6), null, { joint: true });
    expect(fit.covariance).toBe('independent');
    expect(fit.covarianceReason).toMatch(/6 paired replicas are too few .*\(needs at least 7\)/);
    expect(fit.alpha).not.toBeNull();
  });
});
