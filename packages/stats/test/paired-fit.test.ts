import { describe, expect, it } from 'vitest';
import {
  aggregateSweep, createRandom, excessScaling, fitFiniteWidthCorrection, scalingExponent, summarizeReplicas,
  type SimulationRecords, type WidthMean,
} from '../src/index.ts';
import { below } from './calibration.ts';

// A sweep whose replica r shares a random effect u_r at every width (its particles come from one
// stream), so the widths' means are positively correlated. The independent chi-square then sees
// residuals far smaller than the widths' standard errors say (p piles up near 1); the GLS chi-square
// with the covariance from the paired replicas should give p-values that are roughly uniform.

const WIDTHS = [16, 32, 64, 128, 256];

/** loss_{n,r} = mean(n) + shared u_r + own e_{n,r}, Gaussian: [W][R]. */
function pairedLosses(mean: (n: number) => number, replicas: number, shared: number, own: number, seed: number): number[][] {
  const random = createRandom(seed);
  const u = Array.from({ length: replicas }, () => random.normal());
  return WIDTHS.map((n) => u.map((ur) => mean(n) + shared * ur + own * random.normal()));
}

function widthMeans(losses: number[][]): WidthMean[] {
  return WIDTHS.map((width, i) => {
    const s = summarizeReplicas(losses[i]);
    return { width, mean: s.mean!, standardError: s.standardError!, replicas: losses[i] };
  });
}


describe('fitFiniteWidthCorrection with paired replicas (GLS)', () => {
  it('gives calibrated p-values and unbiased L_inf on correlated L_inf + a/n sweeps; the independent chi-square does not', () => {
    const lInf = 0.02;
    const a = 0.5;
    const sweeps = 400;
    const pPaired: number[] = [];
    const pIndependent: number[] = [];
    let sumLInf = 0;
    let sumA = 0;
    let covered = 0;
    for (let s = 0; s < sweeps; s++) {
      // shared 2e-3 against own 1e-3: a correlation of 0.8 between widths; R = 16 replicas
      const points = widthMeans(pairedLosses((n) => lInf + a / n, 16, 2e-3, 1e-3, 7000 + s));
      const paired = fitFiniteWidthCorrection(points, { paired: true, quadraticFrom: Infinity });
      const independent = fitFiniteWidthCorrection(points, { quadraticFrom: Infinity });
      expect(paired.covariance).toBe('paired');
      expect(paired.covarianceReason).toBeNull();
      expect(independent.covariance).toBe('independent');
      pPaired.push(paired.goodness!.pValue!);
      pIndependent.push(independent.goodness!.pValue!);
      sumLInf += paired.lInf!.value;
      sumA += paired.a!.value;
      if (paired.lInf!.lower <= lInf && lInf <= paired.lInf!.upper) covered++;
    }
    // Uniform p: 5% below 0.05, 50% below 0.5, 90% below 0.9 (binomial sd over 400: 1.1%, 2.5%, 1.5%).
    expect(below(pPaired, 0.05)).toBeGreaterThan(0.02);
    expect(below(pPaired, 0.05)).toBeLessThan(0.09);
    expect(below(pPaired, 0.5)).toBeGreaterThan(0.42);
    expect(below(pPaired, 0.5)).toBeLessThan(0.58);
    expect(below(pPaired, 0.9)).toBeGreaterThan(0.85);
    expect(below(pPaired, 0.9)).toBeLessThan(0.95);
    // Independent widths: almost every fit "passes" with p near 1.
    expect(below(pIndependent, 0.05)).toBeLessThan(0.01);
    expect(below(pIndependent, 0.5)).toBeLessThan(0.2);
    // Unbiased: the sd of L_inf over sweeps is ~ 2e-3 / 4 = 5e-4, of its mean over 400 ~ 2.5e-5.
    expect(Math.abs(sumLInf / sweeps - lInf)).toBeLessThan(1e-4);
    expect(Math.abs(sumA / sweeps - a)).toBeLessThan(0.02);
    expect(covered / sweeps).toBeGreaterThan(0.9);
  });

  it('stays calibrated with unstable replicas left out (NaN) at some widths: pairwise covariance', () => {
    const pValues: number[] = [];
    let sumLInf = 0;
    for (let s = 0; s < 300; s++) {
      const losses = pairedLosses((n) => 0.02 + 0.5 / n, 16, 2e-3, 1e-3, 11000 + s);
      // replicas 3 and 7 went unstable at n = 16, replica 5 at n = 32
      losses[0][3] = NaN;
      losses[0][7] = NaN;
      losses[1][5] = NaN;
      const points = WIDTHS.map((width, i) => {
        const finite = losses[i].filter((v) => !Number.isNaN(v));
        const summary = summarizeReplicas(finite);
        return { width, mean: summary.mean!, standardError: summary.standardError!, replicas: losses[i] };
      });
      const fit = fitFiniteWidthCorrection(points, { paired: true, quadraticFrom: Infinity });
      expect(fit.covariance).toBe('paired');
      pValues.push(fit.goodness!.pValue!);
      sumLInf += fit.lInf!.value;
    }
    expect(below(pValues, 0.05)).toBeLessThan(0.1);
    expect(below(pValues, 0.5)).toBeGreaterThan(0.38);
    expect(below(pValues, 0.5)).toBeLessThan(0.62);
    expect(Math.abs(sumLInf / 300 - 0.02)).toBeLessThan(1.5e-4);
  });

  it('fits b/n^2 by GLS too, and rejects L_inf + a/n where the data need b', () => {
    const points = widthMeans(pairedLosses((n) => 0.02 + 0.5 / n + 40 / (n * n), 32, 2e-3, 2e-4, 3));
    const quadratic = fitFiniteWidthCorrection(points, { paired: true });
    expect(quadratic).toMatchObject({ parameters: 3, covariance: 'paired' });
    expect(quadratic.b!.lower).toBeLessThan(40);
    expect(quadratic.b!.upper).toBeGreaterThan(40);
    const linear = fitFiniteWidthCorrection(points, { paired: true, quadraticFrom: Infinity });
    expect(linear.covariance).toBe('paired');
    expect(linear.goodness!.passes).toBe(false);
  });

  it('falls back to independent widths, and says why, when there are too few replicas or no pairing', () => {
    const few = fitFiniteWidthCorrection(widthMeans(pairedLosses((n) => 0.02 + 0.5 / n, 5, 2e-3, 1e-3, 1)), { paired: true });
    expect(few.covariance).toBe('independent');
    expect(few.covarianceReason).toMatch(/5 paired replicas are too few .* 5 widths' means \(needs at least 6\)/);
    expect(few.goodness).not.toBeNull();
    const notPaired = fitFiniteWidthCorrection(widthMeans(pairedLosses((n) => 0.02 + 0.5 / n, 16, 2e-3, 1e-3, 1)));
    expect(notPaired.covariance).toBe('independent');
    expect(notPaired.covarianceReason).toMatch(/not paired/);
    const noValues = fitFiniteWidthCorrection(
      widthMeans(pairedLosses((n) => 0.02 + 0.5 / n, 16, 2e-3, 1e-3, 1)).map(({ replicas: _r, ...p }) => p),
      { paired: true },
    );
    expect(noValues.covarianceReason).toMatch(/no replica values/);
  });
});

describe('scalingExponent and excessScaling with paired replicas (GLS in log space)', () => {
  it('power law with a shared per-replica effect: GLS p-values near uniform, alpha unbiased; independent p near 1', () => {
    const alpha = 0.8;
    const pPaired: number[] = [];
    const pIndependent: number[] = [];
    let sumAlpha = 0;
    let covered = 0;
    const sweeps = 300;
    for (let s = 0; s < sweeps; s++) {
      // 5% own noise, 10% shared: small enough relative errors for the delta method.
      const losses = pairedLosses((n) => 2 * n ** -alpha, 24, 0, 0, 9000 + s);
      const random = createRandom(100 + s);
      const u = Array.from({ length: 24 }, () => random.normal());
      const data = WIDTHS.map((width, i) => ({ width, losses: losses[i].map((m, r) => m * (1 + 0.1 * u[r] + 0.05 * random.normal())) }));
      const paired = scalingExponent(data, { joint: true, resamples: 200, seed: s });
      const independent = scalingExponent(data, { resamples: 0 });
      expect(paired.covariance).toBe('paired');
      pPaired.push(paired.goodness!.pValue!);
      pIndependent.push(independent.goodness!.pValue!);
      sumAlpha += paired.alpha!;
      if (paired.interval!.lower <= alpha && alpha <= paired.interval!.upper) covered++;
    }
    expect(below(pPaired, 0.05)).toBeGreaterThan(0.015);
    expect(below(pPaired, 0.05)).toBeLessThan(0.1);
    expect(below(pPaired, 0.5)).toBeGreaterThan(0.4);
    expect(below(pPaired, 0.5)).toBeLessThan(0.6);
    expect(below(pIndependent, 0.5)).toBeLessThan(0.25);
    // sd of alpha per sweep ~ 0.01: the mean over 300 is within 2e-3 of 0.8 when unbiased.
    expect(Math.abs(sumAlpha / sweeps - alpha)).toBeLessThan(3e-3);
    expect(covered / sweeps).toBeGreaterThan(0.86);
  });

  it('the excess over a reference that shares the replicas: GLS with the reference in the covariance', () => {
    const pValues: number[] = [];
    for (let s = 0; s < 200; s++) {
      const random = createRandom(400 + s);
      const u = Array.from({ length: 16 }, () => random.normal());
      // L_ref = 0.05 shared by all; excess 1/n; the shared effect sits in the reference too.
      const widths = WIDTHS.map((width) => ({ width, losses: u.map((ur) => 0.05 + 1 / width + 2e-3 * ur + 5e-4 * random.normal()) }));
      const reference = { width: 1 << 20, losses: u.map((ur) => 0.05 + 2e-3 * ur + 5e-4 * random.normal()) };
      const excess = excessScaling(widths, reference, { resamples: 0, sharedSeeds: true });
      expect(excess.covariance).toBe('paired');
      pValues.push(excess.goodness!.pValue!);
      const unpaired = excessScaling(widths, reference, { resamples: 0 });
      expect(unpaired.covariance).toBe('independent');
    }
    expect(below(pValues, 0.05)).toBeLessThan(0.12);
    expect(below(pValues, 0.5)).toBeGreaterThan(0.35);
    expect(below(pValues, 0.5)).toBeLessThan(0.65);
  });

  it('aggregateSweep fits paired when replicas share seeds and reports it per recorded time', () => {
    const random = createRandom(2);
    const steps = [0, 10];
    const u = Array.from({ length: 12 }, () => random.normal());
    const records = (width: number): SimulationRecords => ({
      steps,
      times: steps,
      testLosses: u.map((ur) => steps.map((s) => 0.05 + 1 / (width * (1 + s)) + 2e-3 * ur + 5e-4 * random.normal())),
    });
    const points = WIDTHS.map((width) => ({ width, records: records(width) }));
    const shared = aggregateSweep(points, { resamples: 50, saturating: false, sharedSeeds: true });
    for (const row of shared.scaling) {
      expect(row).toMatchObject({ covariance: 'paired', covarianceReason: null });
      expect(row.finiteWidth).toMatchObject({ covariance: 'paired', covarianceReason: null });
    }
    const unshared = aggregateSweep(points, { resamples: 50, saturating: false });
    expect(unshared.scaling[0]).toMatchObject({ covariance: 'independent', covarianceReason: expect.stringMatching(/not paired/) });
    expect(unshared.scaling[0].finiteWidth.covariance).toBe('independent');
  });
});
