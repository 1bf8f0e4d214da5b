// The finite-width correction m_n(t) = L_inf(t) + a(t)/n (+ b(t)/n^2 with 5 or more widths),
// weighted by each width's standard error (science.md, "Statistics"). L_inf(t) estimates the
// mean-field limit of the loss. The same fit in 1/n gives the noise decomposition
// Var f = sigma2_noise + a_f/n (Dean's n-independent SGD noise plus the CLT part).
// With replicas paired across widths (`paired`, each point's `replicas`), the fit is generalized
// least squares with the covariance of the means estimated from the paired replicas (paired-fit.ts).
import { pairedLeastSquares, pairedMeanCovariance, type CovarianceKind } from './paired-fit.ts';
import { estimateOf, weightedLeastSquares, type Estimate, type GoodnessOfFit } from './weighted-fit.ts';

/** One width's replica mean of a quantity and its standard error. */
export interface WidthMean {
  width: number;
  mean: number;
  standardError: number;
  /** [R] the replica values behind `mean` (NaN = left out), replica r paired across widths; used with `paired`. */
  replicas?: ArrayLike<number>;
}

export interface FiniteWidthFit {
  /** The value at n = infinity (L_inf(t) for the loss); null with a reason. */
  lInf: Estimate | null;
  /** Coefficient of 1/n. */
  a: Estimate | null;
  /** Coefficient of 1/n^2; null when fewer than `quadraticFrom` widths (not fitted). */
  b: Estimate | null;
  /** 2 (L_inf, a) or 3 (with b). */
  parameters: number;
  /**
   * Weighted (independent widths), or with `covariance` paired the GLS chi-square with Hartlap's
   * correction and the p-value of Hotelling's T^2 (paired-fit.ts).
   */
  goodness: GoodnessOfFit | null;
  /** paired: GLS with the covariance of the widths' means from the paired replicas; independent: weighted fit. */
  covariance: CovarianceKind;
  /** Why the widths were treated as independent; null when paired. */
  covarianceReason: string | null;
  /** Widths fitted, ascending. */
  widths: number[];
  reason: string | null;
}

export interface FiniteWidthOptions {
  /** Confidence level of the intervals; default 0.95. */
  level?: number;
  /** Fit b/n^2 too with at least this many widths; default 5 (Infinity: never). */
  quadraticFrom?: number;
  /** Replica r of every point is paired (shared seeds): fit with their covariance from `replicas`. Default false. */
  paired?: boolean;
}

/**
 * points: [W] (mean and standard error per width) -> L_inf + a/n (+ b/n^2). Widths whose standard
 * error is not positive cannot be weighted and are left out. Intervals are normal, from the fit's
 * covariance scaled by sqrt(reduced chi-square) when that exceeds 1.
 */
export function fitFiniteWidthCorrection(points: readonly WidthMean[], options: FiniteWidthOptions = {}): FiniteWidthFit {
  const level = options.level ?? 0.95;
  const quadraticFrom = options.quadraticFrom ?? 5;
  const usable = points
    .filter((p) => p.width > 0 && Number.isFinite(p.mean) && p.standardError > 0 && Number.isFinite(p.standardError))
    .sort((x, y) => x.width - y.width);
  const widths = usable.map((p) => p.width);
  let covarianceReason: string | null = options.paired ? null : 'replicas are not paired across widths (no shared seeds)';
  const none = (reason: string, parameters = 2): FiniteWidthFit => ({
    lInf: null, a: null, b: null, parameters, goodness: null, covariance: 'independent', covarianceReason, widths, reason,
  });
  const distinct = new Set(widths).size;
  if (distinct < 2) return none(`needs at least 2 widths with a positive standard error, has ${distinct}`);
  const parameters = distinct >= quadraticFrom ? 3 : 2;
  const design = usable.map((p) => (parameters === 3 ? [1, 1 / p.width, 1 / (p.width * p.width)] : [1, 1 / p.width]));
  let paired = null;
  if (options.paired) {
    const replicas = usable.map((p) => p.replicas);
    const pairing = replicas.every((r) => r !== undefined)
      ? pairedMeanCovariance(replicas as ArrayLike<number>[])
      : { kind: 'independent' as const, reason: 'no replica values given' };
    if (pairing.kind === 'independent') covarianceReason = pairing.reason;
    else {
      const gls = pairedLeastSquares(design, usable.map((p) => p.mean), pairing.matrix, pairing.replicas);
      if ('reason' in gls) covarianceReason = gls.reason;
      else paired = gls;
    }
  }
  const fit = paired ?? weightedLeastSquares(design, usable.map((p) => p.mean), usable.map((p) => p.standardError));
  if (fit === null) return none('the fit is singular', parameters);
  return {
    covariance: paired ? 'paired' : 'independent',
    covarianceReason,
    lInf: estimateOf(fit, 0, level),
    a: estimateOf(fit, 1, level),
    b: parameters === 3 ? estimateOf(fit, 2, level) : null,
    parameters,
    goodness: fit.goodness,
    widths,
    reason: null,
  };
}

/** The noise decomposition Var f = sigma2_noise + a_f / n (never a 1/n^2 term). */
export interface NoiseDecomposition {
  sigma2Noise: Estimate | null;
  aF: Estimate | null;
  goodness: GoodnessOfFit | null;
  /** 'paired': GLS with the covariance of the widths' variances from the replicas' shares of them. */
  covariance: CovarianceKind;
  covarianceReason: string | null;
  widths: number[];
  reason: string | null;
}

/**
 * points: per width the mean over probes of Var f over replicas and its standard error, and with
 * `paired` each replica's share of it (cltFluctuation's varianceShares) in `replicas`.
 */
export function decomposeOutputVariance(points: readonly WidthMean[], level = 0.95, paired = false): NoiseDecomposition {
  const fit = fitFiniteWidthCorrection(points, { level, quadraticFrom: Infinity, paired });
  return {
    sigma2Noise: fit.lInf, aF: fit.a, goodness: fit.goodness, covariance: fit.covariance, covarianceReason: fit.covarianceReason,
    widths: fit.widths, reason: fit.reason,
  };
}
