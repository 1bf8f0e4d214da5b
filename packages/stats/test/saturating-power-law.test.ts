import { describe, expect, it } from 'vitest';
import { fitSaturatingPowerLaw } from '../src/index.ts';

describe('fitSaturatingPowerLaw', () => {
  it('recovers L_inf, A and alpha from exact data', () => {
    const widths = [8, 16, 32, 64, 128, 256];
    const means = widths.map((n) => 0.05 + 2 * n ** -0.7);
    const fit = fitSaturatingPowerLaw(widths, means);
    expect(fit.reason).toBeNull();
    expect(fit.alpha).toBeCloseTo(0.7, 6);
    expect(fit.lInf).toBeCloseTo(0.05, 6);
    expect(fit.a).toBeCloseTo(2, 5);
    expect(fit.residualSumOfSquares).toBeLessThan(1e-12);
    expect(fit.atBoundary).toBe(false);
  });

  it('recovers a steep exponent with no floor', () => {
    const widths = [10, 20, 40, 80];
    const fit = fitSaturatingPowerLaw(widths, widths.map((n) => 5 * n ** -2));
    expect(fit.alpha).toBeCloseTo(2, 6);
    expect(fit.lInf).toBeCloseTo(0, 8);
    expect(fit.a).toBeCloseTo(5, 4);
  });

  it('needs 3 distinct widths', () => {
    const fit = fitSaturatingPowerLaw([10, 20], [0.1, 0.05]);
    expect(fit.alpha).toBeNull();
    expect(fit.reason).toMatch(/3 distinct widths/);
  });
});
