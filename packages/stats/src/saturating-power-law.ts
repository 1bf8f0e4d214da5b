// The fit m_n = L_inf + A * n^-alpha across widths, weighted by each width's standard error,
// with L_inf >= 0, at least 4 widths (3 parameters and one degree of freedom to test them) and a
// bootstrap interval over replicas; otherwise no answer, with the reason (science.md, "Statistics").
// For fixed alpha the model is linear in (L_inf, A): the chi-square is a function of alpha alone,
// minimised by a log-spaced grid search refined by golden-section search.
// When the widths' replicas are paired (a sweep's shared seeds) the widths' means are correlated, and
// the fit is generalized least squares with their covariance estimated from the paired replicas, as
// the power law's (paired-fit.ts): everything is done on whitened values L^-1 y (C = L L'), which for
// independent widths is y / se. Its goodness is paired-fit's (Hotelling's p, Hartlap's chi-square)
// with q = W - 3, exact for a model linear in its parameters and here taken at the fitted alpha.
import { choleskyFactor, glsInflation, pairedGoodness, pairedMeanCovariance, pairedReplicasNeeded, type CovarianceKind, type MeanCovariance } from './paired-fit.ts';
import { quantile } from './replica-bootstrap.ts';
import type { PreparedWidths, ScalingInterval } from './scaling-exponent.ts';
import { goodnessOf, type GoodnessOfFit } from './weighted-fit.ts';

export interface SaturatingPowerLaw {
  /** Loss at infinite width, >= 0. */
  lInf: number | null;
  a: number | null;
  alpha: number | null;
  /** Percentile bootstrap intervals of alpha and L_inf; null with intervalReason. */
  alphaInterval: ScalingInterval | null;
  lInfInterval: ScalingInterval | null;
  /** Weighted (or GLS) chi-square with W - 3 degrees of freedom. */
  goodness: GoodnessOfFit | null;
  /** How the widths' means were treated: 'paired' (GLS with their covariance) or 'independent'. */
  covariance: CovarianceKind;
  /** Why the widths were treated as independent when their replicas are paired; null otherwise. */
  covarianceReason: string | null;
  /** True when the best alpha lies on the edge of the searched range: treat it with suspicion. */
  atBoundary: boolean;
  /** True when L_inf >= 0 binds (the unconstrained fit wanted a negative L_inf). */
  lInfAtZero: boolean;
  reason: string | null;
  intervalReason: string | null;
}

export interface SaturatingPowerLawOptions {
  /** Searched range of alpha; default [0.01, 8]. */
  minAlpha?: number;
  maxAlpha?: number;
  /** Grid points before refinement; default 200 (log-spaced); the bootstrap uses a quarter. */
  gridPoints?: number;
  /** Bootstrap resamples used (from the ones given); default 200. Each is searched within a factor 4 of the fitted alpha. */
  resamples?: number;
  /** Confidence level; default 0.95. */
  level?: number;
}

/** Minimum number of distinct widths. */
export const SATURATING_MIN_WIDTHS = 4;

interface Fit {
  alpha: number;
  lInf: number;
  a: number;
  chiSquare: number;
  atBoundary: boolean;
  lInfAtZero: boolean;
}

/**
 * prepared: the widths (means, standard errors), boot: bootstrap means [B * W] or null ->
 * the fit and its interval. joint: the replicas are paired across widths (their covariance is then
 * estimated from prepared.samples).
 */
export function saturatingFit(
  prepared: PreparedWidths, boot: Float64Array | null, options: SaturatingPowerLawOptions & { joint?: boolean } = {},
): SaturatingPowerLaw {
  const { points } = prepared;
  return fitSaturatingPowerLaw(
    points.map((p) => p.width),
    points.map((p) => p.meanLoss),
    points.map((p) => p.standardError),
    { ...options, boot, covariance: options.joint ? pairedMeanCovariance(prepared.samples) : undefined },
  );
}

/** widths, meanLosses, standardErrors: [W] -> the fit; no answer with a reason under 4 widths. */
export function fitSaturatingPowerLaw(
  widths: ArrayLike<number>,
  meanLosses: ArrayLike<number>,
  standardErrors: ArrayLike<number>,
  options: SaturatingPowerLawOptions & { boot?: Float64Array | null; covariance?: MeanCovariance } = {},
): SaturatingPowerLaw {
  const level = options.level ?? 0.95;
  const none = (reason: string): SaturatingPowerLaw => ({
    lInf: null, a: null, alpha: null, alphaInterval: null, lInfInterval: null, goodness: null,
    covariance: 'independent', covarianceReason: options.covariance?.kind === 'independent' ? options.covariance.reason : null,
    atBoundary: false, lInfAtZero: false, reason, intervalReason: reason,
  });
  const w = widths.length;
  if (meanLosses.length !== w || standardErrors.length !== w) throw new RangeError('widths, meanLosses and standardErrors differ in length');
  const distinct = new Set(Array.from(widths)).size;
  if (distinct < SATURATING_MIN_WIDTHS) return none(`needs at least ${SATURATING_MIN_WIDTHS} distinct widths for 3 parameters, has ${distinct}`);
  const y = Float64Array.from(meanLosses);
  if (!y.every(Number.isFinite)) return none('a mean loss is not finite');
  if (!Array.from(standardErrors).every((s) => Number.isFinite(s) && s > 0)) return none('needs a positive standard error at every width');
  const { whitening, covariance, covarianceReason, replicas } = whiteningFor(standardErrors, options.covariance);
  const logN = Float64Array.from(widths, Math.log);
  const search = { min: options.minAlpha ?? 0.01, max: options.maxAlpha ?? 8 };
  const grid = Math.max(8, options.gridPoints ?? 200);
  const model = new WhitenedModel(logN, whitening);
  const fit = bestFit(model, model.whiten(y), search, grid);
  if (fit === null) return none('the design is singular at every alpha');
  const q = w - 3;
  const result: SaturatingPowerLaw = {
    lInf: fit.lInf,
    a: fit.a,
    alpha: fit.alpha,
    alphaInterval: null,
    lInfInterval: null,
    goodness: covariance === 'paired' ? pairedGoodness(fit.chiSquare, q, replicas) : goodnessOf(fit.chiSquare, distinct - 3),
    covariance,
    covarianceReason,
    atBoundary: fit.atBoundary,
    lInfAtZero: fit.lInfAtZero,
    reason: null,
    intervalReason: null,
  };
  const boot = options.boot ?? null;
  if (boot === null) {
    result.intervalReason = 'no resamples requested';
    return result;
  }
  const available = boot.length / w;
  const resamples = Math.min(available, options.resamples ?? 200);
  const near = { min: Math.max(search.min, fit.alpha / 4), max: Math.min(search.max, fit.alpha * 4) };
  const alphas: number[] = [];
  const lInfs: number[] = [];
  const yb = new Float64Array(w);
  const ybWhite = new Float64Array(w);
  for (let b = 0; b < resamples; b++) {
    let ok = true;
    for (let i = 0; i < w; i++) {
      yb[i] = boot[b * w + i];
      if (!Number.isFinite(yb[i])) ok = false;
    }
    if (!ok) continue;
    // Coarser for the resamples, and searched within a factor 4 of the fitted alpha (inside the
    // searched range): 1e-3 in log alpha is far below the interval's width.
    const f = bestFit(model, model.whiten(yb, ybWhite), near, 12, 1e-3);
    if (f === null) continue;
    alphas.push(f.alpha);
    lInfs.push(f.lInf);
  }
  if (alphas.length < 2) {
    result.intervalReason = 'too few usable resamples';
    return result;
  }
  // As for the power law: the resamples hold the whitening (estimated once from all replicas) fixed,
  // so they miss the noise of the estimated covariance and the bootstrap's R / (R - 1); their spread
  // about the estimate is widened by that (1 for independent widths).
  const scale = covariance === 'paired' ? Math.sqrt((glsInflation(replicas, q) * replicas) / (replicas - 1)) : 1;
  const interval = (values: number[], estimate: number, floor = -Infinity): ScalingInterval => {
    const sorted = Float64Array.from(values).sort();
    const lower = quantile(sorted, (1 - level) / 2);
    const upper = quantile(sorted, (1 + level) / 2);
    return { lower: Math.max(floor, estimate - scale * (estimate - lower)), upper: estimate + scale * (upper - estimate), level, resamples: values.length };
  };
  result.alphaInterval = interval(alphas, fit.alpha);
  result.lInfInterval = interval(lInfs, fit.lInf, 0);
  return result;
}

/**
 * The whitening of the widths' means: the Cholesky factor of their paired covariance when it can be
 * used for a 3-parameter fit, else their standard errors (independent widths), with the reason.
 */
function whiteningFor(standardErrors: ArrayLike<number>, pairing: MeanCovariance | undefined) {
  const w = standardErrors.length;
  const independent = (reason: string | null) => ({
    whitening: { inverseSe: Float64Array.from(standardErrors, (se) => 1 / se) } as Whitening, covariance: 'independent' as CovarianceKind, covarianceReason: reason, replicas: 0,
  });
  if (pairing === undefined) return independent(null);
  if (pairing.kind === 'independent') return independent(pairing.reason);
  const needed = pairedReplicasNeeded(w, w - 3);
  if (pairing.replicas < needed) {
    return independent(`${pairing.replicas} paired replicas are too few to estimate the covariance of ${w} widths' means (needs at least ${needed})`);
  }
  const lower = choleskyFactor(pairing.matrix, w);
  if (lower === null) return independent('the covariance estimated from the paired replicas is not positive definite');
  return { whitening: { lower } as Whitening, covariance: 'paired' as CovarianceKind, covarianceReason: null, replicas: pairing.replicas };
}

/** y -> L^-1 y: y / se (independent widths: 1 / se given) or by a lower Cholesky factor [W * W]. */
type Whitening = { inverseSe: Float64Array } | { lower: Float64Array };

/** The model's columns whitened: 1 once, n^-alpha per alpha (into scratch space: no allocation per evaluation). */
class WhitenedModel {
  readonly ones: Float64Array;
  /** ones . ones */
  readonly onesNorm: number;
  private readonly u: Float64Array;
  private readonly uWhite: Float64Array;

  constructor(readonly logN: Float64Array, private readonly whitening: Whitening) {
    const w = logN.length;
    this.u = new Float64Array(w);
    this.uWhite = new Float64Array(w);
    this.ones = this.whiten(new Float64Array(w).fill(1));
    this.onesNorm = this.ones.reduce((sum, v) => sum + v * v, 0);
  }

  whiten(y: ArrayLike<number>, out: Float64Array = new Float64Array(y.length)): Float64Array {
    const w = y.length;
    if ('inverseSe' in this.whitening) {
      for (let i = 0; i < w; i++) out[i] = y[i] * this.whitening.inverseSe[i];
      return out;
    }
    const l = this.whitening.lower;
    for (let i = 0; i < w; i++) {
      let s = y[i];
      for (let j = 0; j < i; j++) s -= l[i * w + j] * out[j];
      out[i] = s / l[i * w + i];
    }
    return out;
  }

  /** n^-alpha, whitened (for independent widths in the same pass). */
  column(alpha: number): Float64Array {
    if ('inverseSe' in this.whitening) {
      const inverse = this.whitening.inverseSe;
      for (let i = 0; i < inverse.length; i++) this.uWhite[i] = Math.exp(-alpha * this.logN[i]) * inverse[i];
      return this.uWhite;
    }
    for (let i = 0; i < this.u.length; i++) this.u[i] = Math.exp(-alpha * this.logN[i]);
    return this.whiten(this.u, this.uWhite);
  }
}

/** y: the whitened means. */
function bestFit(
  model: WhitenedModel, y: Float64Array, search: { min: number; max: number }, grid: number, tolerance = 1e-10,
): Fit | null {
  const chiAt = (alpha: number): number => linearPart(model, y, alpha)?.chiSquare ?? Infinity;
  const logMin = Math.log(search.min);
  const step = (Math.log(search.max) - logMin) / (grid - 1);
  let best = 0;
  let bestChi = Infinity;
  for (let k = 0; k < grid; k++) {
    const r = chiAt(Math.exp(logMin + k * step));
    if (r < bestChi) {
      bestChi = r;
      best = k;
    }
  }
  if (!Number.isFinite(bestChi)) return null;
  let lo = logMin + Math.max(0, best - 1) * step;
  let hi = logMin + Math.min(grid - 1, best + 1) * step;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = chiAt(Math.exp(x1));
  let f2 = chiAt(Math.exp(x2));
  for (let it = 0; it < 60 && hi - lo > tolerance; it++) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = chiAt(Math.exp(x1));
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = chiAt(Math.exp(x2));
    }
  }
  let alpha = Math.exp((lo + hi) / 2);
  let part = linearPart(model, y, alpha);
  const gridAlpha = Math.exp(logMin + best * step);
  const gridPart = linearPart(model, y, gridAlpha);
  if (part === null || (gridPart !== null && gridPart.chiSquare < part.chiSquare)) {
    alpha = gridAlpha;
    part = gridPart;
  }
  if (part === null) return null;
  return { alpha, ...part, atBoundary: best === 0 || best === grid - 1 };
}

/**
 * Least squares of the whitened y on the whitened [1, n^-alpha] with L_inf >= 0 (for independent
 * widths: weighted by 1 / se^2); null when n^-alpha is constant across widths. The 1 column is
 * projected out first (the whitened form of centring on the weighted means).
 */
function linearPart(model: WhitenedModel, y: Float64Array, alpha: number) {
  const one = model.ones;
  const u = model.column(alpha);
  const w = y.length;
  let ou = 0;
  let oy = 0;
  for (let i = 0; i < w; i++) {
    ou += one[i] * u[i];
    oy += one[i] * y[i];
  }
  const mu = ou / model.onesNorm;
  const my = oy / model.onesNorm;
  let suu = 0;
  let suy = 0;
  for (let i = 0; i < w; i++) {
    suu += (u[i] - mu * one[i]) ** 2;
    suy += (u[i] - mu * one[i]) * (y[i] - my * one[i]);
  }
  if (!(suu > 1e-300)) return null;
  let a = suy / suu;
  let lInf = my - a * mu;
  let lInfAtZero = false;
  if (lInf < 0) {
    // The constraint binds: L_inf = 0, A by least squares through the origin.
    let uu = 0;
    let uy = 0;
    for (let i = 0; i < w; i++) {
      uu += u[i] * u[i];
      uy += u[i] * y[i];
    }
    lInf = 0;
    a = uy / uu;
    lInfAtZero = true;
  }
  let chiSquare = 0;
  for (let i = 0; i < w; i++) chiSquare += (y[i] - lInf * one[i] - a * u[i]) ** 2;
  return { lInf, a, chiSquare, lInfAtZero };
}
