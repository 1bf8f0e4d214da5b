// Fits across widths whose replicas are paired. In a sweep, replica r of every width draws its initial
// particles from the same random stream (the narrow network's particles are the first ones of the
// wide network's), so the widths' mean losses are correlated and a chi-square that treats them as
// independent is not a test (it "passes" too easily when the correlation is positive). Here the
// covariance of the widths' means is estimated from the paired replicas and the fit is generalized
// least squares with it.
//
// The covariance is estimated from R replicas, so its inverse is biased and the chi-square is not
// chi-square distributed. We use the exact small-sample result for Gaussian replicas instead of an
// asymptotic fix: the GLS chi-square with the estimated covariance S/R of the means equals
// Hotelling's T^2 for the hypothesis that the W - k contrasts orthogonal to the model vanish
// (min_beta (d - X beta)' S^-1 (d - X beta) = d' Q (Q' S Q)^-1 Q' d with Q' X = 0), so
//   (R - q) / (q (R - 1)) * chi2 ~ F(q, R - q),   q = W - k,
// which gives the p-value. The chi-square reported is Hartlap's correction of the same statistic,
// chi2 * (R - q - 2) / (R - 1), whose expectation under the model is q (reduced chi-square ~ 1).
// The parameters' covariance is (X' S^-1 X / R)^-1 inflated by (R - 2)(R - 1) / ((R - 2 - q)(R - 1 - q)):
// the GLS estimator with an estimated covariance varies more than with the true one (growth-curve
// model, Khatri 1966), and E[(X' S^-1 X)^-1] = (R - 1 - q) / (R - 1) (X' Sigma^-1 X)^-1.
// This needs R >= W + 1 (S invertible) and R >= q + 3; with fewer replicas the fit falls back to the
// independent weighted fit and says so.
import { fPValue } from './special.ts';
import { FIT_P_THRESHOLD, goodnessOf, invert, type GoodnessOfFit, type WeightedFit } from './weighted-fit.ts';

/** How a fit across widths treated the covariance of the widths' means. */
export type CovarianceKind = 'paired' | 'independent';

/** The covariance of the widths' means, or why it was not estimated. */
export type MeanCovariance =
  | {
    kind: 'paired';
    /** [W * W] row-major, in the order of the samples. */
    matrix: Float64Array;
    /** The fewest replicas finite at both of two widths: the sample size of the estimate. */
    replicas: number;
  }
  | { kind: 'independent'; reason: string };

/**
 * samples: [W][R] replica values, replica r paired across widths (NaN = left out) -> the covariance
 * of the W means (each over its own finite replicas): Cov(m_i, m_j) = s_ij n_ij / (n_i n_j), s_ij the
 * sample covariance over the n_ij replicas finite at both widths (the diagonal is se_i^2).
 */
export function pairedMeanCovariance(samples: readonly ArrayLike<number>[]): MeanCovariance {
  const w = samples.length;
  const r = w > 0 ? samples[0].length : 0;
  if (samples.some((s) => s.length !== r)) {
    return { kind: 'independent', reason: 'the widths have different replica counts, so replicas cannot be paired' };
  }
  const finite = samples.map((s) => Array.from({ length: r }, (_, k) => Number.isFinite(s[k])));
  const counts = finite.map((f) => f.filter(Boolean).length);
  const matrix = new Float64Array(w * w);
  let replicas = r;
  for (let i = 0; i < w; i++) {
    for (let j = i; j < w; j++) {
      let n = 0;
      let si = 0;
      let sj = 0;
      for (let k = 0; k < r; k++) {
        if (!finite[i][k] || !finite[j][k]) continue;
        n++;
        si += samples[i][k];
        sj += samples[j][k];
      }
      replicas = Math.min(replicas, n);
      if (n < 2) return { kind: 'independent', reason: 'two widths share fewer than 2 finite replicas' };
      si /= n;
      sj /= n;
      let s = 0;
      for (let k = 0; k < r; k++) if (finite[i][k] && finite[j][k]) s += (samples[i][k] - si) * (samples[j][k] - sj);
      const c = ((s / (n - 1)) * n) / (counts[i] * counts[j]);
      matrix[i * w + j] = c;
      matrix[j * w + i] = c;
    }
  }
  return { kind: 'paired', matrix, replicas };
}

/** A GLS fit: beta = weights y (weights [k * W] row-major), and its goodness as described above. */
export interface PairedFit extends WeightedFit {
  weights: Float64Array;
  /**
   * (R - 2)(R - 1) / ((R - 2 - q)(R - 1 - q)): the variance of beta over the variance that
   * (X' C^-1 X)^-1 with the estimated C gives; already applied to `covariance`. A bootstrap that holds
   * `weights` fixed misses it too, so its spread is widened by this factor's square root.
   */
  inflation: number;
}

/**
 * design: [W][k], y: [W], covariance: [W * W] of y estimated from `replicas` paired replicas ->
 * the GLS fit, or the reason it cannot be made (too few replicas, a covariance that is not
 * positive definite, a singular design).
 */
export function pairedLeastSquares(
  design: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  covariance: Float64Array,
  replicas: number,
): PairedFit | { reason: string } {
  const w = design.length;
  const k = w > 0 ? design[0].length : 0;
  const q = w - k;
  if (k === 0 || q < 0) return { reason: `needs at least ${k} widths` };
  const needed = pairedReplicasNeeded(w, q);
  if (replicas < needed) {
    return { reason: `${replicas} paired replicas are too few to estimate the covariance of ${w} widths' means (needs at least ${needed})` };
  }
  const inverseCovariance = invert(covariance, w);
  if (inverseCovariance === null || !positiveDefinite(covariance, w)) {
    return { reason: 'the covariance estimated from the paired replicas is not positive definite' };
  }
  // A = X' C^-1 X, B = X' C^-1 ([k * W]).
  const b = new Float64Array(k * w);
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < w; j++) {
      let s = 0;
      for (let i = 0; i < w; i++) s += design[i][p] * inverseCovariance[i * w + j];
      b[p * w + j] = s;
    }
  }
  const a = new Float64Array(k * k);
  for (let p = 0; p < k; p++) for (let s = 0; s < k; s++) for (let j = 0; j < w; j++) a[p * k + s] += b[p * w + j] * design[j][s];
  const aInverse = invert(a, k);
  if (aInverse === null) return { reason: 'the fit is singular' };
  const weights = new Float64Array(k * w);
  for (let p = 0; p < k; p++) for (let j = 0; j < w; j++) for (let s = 0; s < k; s++) weights[p * w + j] += aInverse[p * k + s] * b[s * w + j];
  const beta = new Float64Array(k);
  for (let p = 0; p < k; p++) for (let j = 0; j < w; j++) beta[p] += weights[p * w + j] * y[j];
  const residual = Array.from({ length: w }, (_, i) => {
    let fit = 0;
    for (let p = 0; p < k; p++) fit += beta[p] * design[i][p];
    return y[i] - fit;
  });
  let chiSquare = 0;
  for (let i = 0; i < w; i++) for (let j = 0; j < w; j++) chiSquare += residual[i] * inverseCovariance[i * w + j] * residual[j];
  const inflation = glsInflation(replicas, q);
  return {
    coefficients: beta,
    covariance: aInverse.map((v) => v * inflation),
    goodness: pairedGoodness(chiSquare, q, replicas),
    weights,
    inflation,
  };
}

/** chi2 = min (d - X beta)' (S/R)^-1 (d - X beta) with q = W - k -> Hartlap-corrected chi-square, Hotelling's p. */
export function pairedGoodness(chiSquare: number, q: number, replicas: number): GoodnessOfFit {
  if (q <= 0) return goodnessOf(0, q);
  const corrected = (chiSquare * (replicas - q - 2)) / (replicas - 1);
  const pValue = fPValue(((replicas - q) / (q * (replicas - 1))) * chiSquare, q, replicas - q);
  return { chiSquare: corrected, degreesOfFreedom: q, reducedChiSquare: corrected / q, pValue, passes: pValue >= FIT_P_THRESHOLD };
}

/** Cholesky succeeds with positive pivots. */
function positiveDefinite(a: Float64Array, n: number): boolean {
  return choleskyFactor(a, n) !== null;
}

/** a [n * n] symmetric -> its lower Cholesky factor L (a = L L'), null unless every pivot is positive. */
export function choleskyFactor(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let p = 0; p < j; p++) s -= l[i * n + p] * l[j * n + p];
      if (i === j) {
        if (!(s > a[i * n + i] * 1e-12)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  return l;
}

/** The inflation (R - 2)(R - 1) / ((R - 2 - q)(R - 1 - q)) of a GLS fit with q = W - k degrees of freedom (see above). */
export function glsInflation(replicas: number, q: number): number {
  return ((replicas - 2) * (replicas - 1)) / ((replicas - 2 - q) * (replicas - 1 - q));
}

/** The fewest paired replicas that a GLS fit of W widths with q = W - k degrees of freedom needs. */
export function pairedReplicasNeeded(w: number, q: number): number {
  return Math.max(w + 1, q + 3);
}
