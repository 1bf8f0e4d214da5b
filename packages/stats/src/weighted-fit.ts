// Weighted linear least squares y = sum_k beta_k * basis_k(x) with known standard errors sigma_i,
// and its goodness of fit (chi-square, reduced chi-square, p-value). The fits of science.md's
// "Statistics" (power law in log space, L_inf + a/n (+ b/n^2), the noise decomposition) are all this.
import { chiSquarePValue, normalQuantile } from './special.ts';

/** Goodness of fit of a weighted fit. */
export interface GoodnessOfFit {
  /** sum_i ((y_i - fit_i) / sigma_i)^2 */
  chiSquare: number;
  /** points - parameters */
  degreesOfFreedom: number;
  /** chiSquare / degreesOfFreedom; null with no degrees of freedom. */
  reducedChiSquare: number | null;
  /** P(chi-square >= observed); null with no degrees of freedom (the fit cannot be tested). */
  pValue: number | null;
  /** pValue >= 0.05; null when it cannot be tested. */
  passes: boolean | null;
}

/** A parameter with its standard error and interval. */
export interface Estimate {
  value: number;
  /** From the covariance (X^T W X)^-1, scaled by sqrt(reducedChiSquare) when that exceeds 1. */
  standardError: number;
  lower: number;
  upper: number;
  level: number;
}

export interface WeightedFit {
  coefficients: Float64Array;
  /** [k * k] row-major, unscaled. */
  covariance: Float64Array;
  goodness: GoodnessOfFit;
}

/** The significance level below which a fit is said not to pass. */
export const FIT_P_THRESHOLD = 0.05;

export function goodnessOf(chiSquare: number, degreesOfFreedom: number): GoodnessOfFit {
  if (degreesOfFreedom <= 0) {
    return { chiSquare, degreesOfFreedom, reducedChiSquare: null, pValue: null, passes: null };
  }
  const pValue = chiSquarePValue(chiSquare, degreesOfFreedom);
  return { chiSquare, degreesOfFreedom, reducedChiSquare: chiSquare / degreesOfFreedom, pValue, passes: pValue >= FIT_P_THRESHOLD };
}

/**
 * design: [N][k] basis values, y: [N], sigma: [N] (all > 0) -> the fit; null when N < k or the
 * normal equations are singular.
 */
export function weightedLeastSquares(design: readonly ArrayLike<number>[], y: ArrayLike<number>, sigma: ArrayLike<number>): WeightedFit | null {
  const n = design.length;
  const k = n > 0 ? design[0].length : 0;
  if (k === 0 || n < k) return null;
  // Normal equations A beta = b with A = X^T W X, W = diag(1 / sigma^2); Gauss-Jordan for A^-1.
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const w = 1 / (sigma[i] * sigma[i]);
    const row = design[i];
    for (let p = 0; p < k; p++) {
      b[p] += w * row[p] * y[i];
      for (let q = 0; q < k; q++) a[p * k + q] += w * row[p] * row[q];
    }
  }
  const inverse = invert(a, k);
  if (inverse === null) return null;
  const beta = new Float64Array(k);
  for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) beta[p] += inverse[p * k + q] * b[q];
  let chiSquare = 0;
  for (let i = 0; i < n; i++) {
    let fit = 0;
    for (let p = 0; p < k; p++) fit += beta[p] * design[i][p];
    chiSquare += ((y[i] - fit) / sigma[i]) ** 2;
  }
  return { coefficients: beta, covariance: inverse, goodness: goodnessOf(chiSquare, n - k) };
}

/** Coefficient p of a fit with its interval at `level` (normal quantiles, error scaled when chi2_red > 1). */
export function estimateOf(fit: WeightedFit, p: number, level: number): Estimate {
  const k = fit.coefficients.length;
  const scale = Math.sqrt(Math.max(1, fit.goodness.reducedChiSquare ?? 1));
  const standardError = Math.sqrt(Math.max(0, fit.covariance[p * k + p])) * scale;
  const z = normalQuantile((1 + level) / 2);
  const value = fit.coefficients[p];
  return { value, standardError, lower: value - z * standardError, upper: value + z * standardError, level };
}

/** a: [k * k] symmetric -> its inverse, or null when (numerically) singular. */
export function invert(a: Float64Array, k: number): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  let maxDiagonal = 0;
  for (let i = 0; i < k; i++) maxDiagonal = Math.max(maxDiagonal, Math.abs(a[i * k + i]));
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(m[r * k + col]) > Math.abs(m[pivot * k + col])) pivot = r;
    if (!(Math.abs(m[pivot * k + col]) > maxDiagonal * 1e-14)) return null;
    if (pivot !== col) {
      for (let c = 0; c < k; c++) {
        [m[col * k + c], m[pivot * k + c]] = [m[pivot * k + c], m[col * k + c]];
        [inv[col * k + c], inv[pivot * k + c]] = [inv[pivot * k + c], inv[col * k + c]];
      }
    }
    const d = m[col * k + col];
    for (let c = 0; c < k; c++) {
      m[col * k + c] /= d;
      inv[col * k + c] /= d;
    }
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const f = m[r * k + col];
      if (f === 0) continue;
      for (let c = 0; c < k; c++) {
        m[r * k + c] -= f * m[col * k + c];
        inv[r * k + c] -= f * inv[col * k + c];
      }
    }
  }
  return inv;
}
