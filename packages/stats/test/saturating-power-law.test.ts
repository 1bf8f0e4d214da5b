import { describe, expect, it } from 'vitest';
import { bootstrapMeans, createRandom, fitSaturatingPowerLaw, prepareWidths, saturatingFit } from '../src/index.ts';

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
