import { describe, expect, it } from 'vitest';
import { fitLine, quantile } from '../src/index.ts';

describe('fitLine', () => {
  it('fits a least-squares line', () => {
    // x 0 1 2, y 1 3 4: mean x 1, mean y 8/3; Sxx = 2; Sxy = (-1)(-5/3) + (1)(4/3) = 3
    // slope 3/2, intercept 8/3 - 3/2 = 7/6; residuals -1/6, 1/3, -1/6; RSS = 6/36 = 1/6
    const fit = fitLine([0, 1, 2], [1, 3, 4])!;
    expect(fit.slope).toBeCloseTo(1.5, 14);
    expect(fit.intercept).toBeCloseTo(7 / 6, 14);
    expect(fit.residualSumOfSquares).toBeCloseTo(1 / 6, 14);
  });

  it('has no line through one point or a vertical set', () => {
    expect(fitLine([1], [2])).toBeNull();
    expect(fitLine([3, 3], [1, 2])).toBeNull();
  });
});

describe('quantile', () => {
  it('interpolates linearly between order statistics', () => {
    // h = (4 - 1) p: p = 0.5 -> h = 1.5 -> 2 + 0.5 (3 - 2) = 2.5; p = 0.25 -> h = 0.75 -> 1.75
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
  });
});
