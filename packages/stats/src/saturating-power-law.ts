// The fit m_n = L_inf + A * n^-alpha across widths, weighted by each width's standard error,
// with L_inf >= 0, at least 4 widths (3 parameters and one degree of freedom to test them) and a
// bootstrap interval over replicas; otherwise no answer, with the reason (science.md, "Statistics").
// For fixed alpha the model is linear in (L_inf, A): the chi-square is a function of alpha alone,
// minimised by a log-spaced grid search refined by golden-section search.
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
  /** Weighted chi-square with W - 3 degrees of freedom. */
  goodness: GoodnessOfFit | null;
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
 * the fit and its interval.
 */
export function saturatingFit(prepared: PreparedWidths, boot: Float64Array | null, options: SaturatingPowerLawOptions = {}): SaturatingPowerLaw {
  const { points } = prepared;
  return fitSaturatingPowerLaw(
    points.map((p) => p.width),
    points.map((p) => p.meanLoss),
    points.map((p) => p.standardError),
    { ...options, boot },
  );
}

/** widths, meanLosses, standardErrors: [W] -> the fit; no answer with a reason under 4 widths. */
export function fitSaturatingPowerLaw(
  widths: ArrayLike<number>,
  meanLosses: ArrayLike<number>,
  standardErrors: ArrayLike<number>,
  options: SaturatingPowerLawOptions & { boot?: Float64Array | null } = {},
): SaturatingPowerLaw {
  const level = options.level ?? 0.95;
  const none = (reason: string): SaturatingPowerLaw => ({
    lInf: null, a: null, alpha: null, alphaInterval: null, lInfInterval: null, goodness: null,
    atBoundary: false, lInfAtZero: false, reason, intervalReason: reason,
  });
  const w = widths.length;
  if (meanLosses.length !== w || standardErrors.length !== w) throw new RangeError('widths, meanLosses and standardErrors differ in length');
  const distinct = new Set(Array.from(widths)).size;
  if (distinct < SATURATING_MIN_WIDTHS) return none(`needs at least ${SATURATING_MIN_WIDTHS} distinct widths for 3 parameters, has ${distinct}`);
  const y = Float64Array.from(meanLosses);
  if (!y.every(Number.isFinite)) return none('a mean loss is not finite');
  const weight = Float64Array.from(standardErrors, (s) => 1 / (s * s));
  if (!weight.every((v) => Number.isFinite(v) && v > 0)) return none('needs a positive standard error at every width');
  const logN = Float64Array.from(widths, Math.log);
  const search = { min: options.minAlpha ?? 0.01, max: options.maxAlpha ?? 8 };
  const grid = Math.max(8, options.gridPoints ?? 200);
  const fit = bestFit(logN, y, weight, search, grid);
  if (fit === null) return none('the design is singular at every alpha');
  const result: SaturatingPowerLaw = {
    lInf: fit.lInf,
    a: fit.a,
    alpha: fit.alpha,
    alphaInterval: null,
    lInfInterval: null,
    goodness: goodnessOf(fit.chiSquare, distinct - 3),
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
  for (let b = 0; b < resamples; b++) {
    let ok = true;
    for (let i = 0; i < w; i++) {
      yb[i] = boot[b * w + i];
      if (!Number.isFinite(yb[i])) ok = false;
    }
    if (!ok) continue;
    // Coarser for the resamples, and searched within a factor 4 of the fitted alpha (inside the
    // searched range): 1e-3 in log alpha is far below the interval's width.
    const f = bestFit(logN, yb, weight, near, 12, 1e-3);
    if (f === null) continue;
    alphas.push(f.alpha);
    lInfs.push(f.lInf);
  }
  if (alphas.length < 2) {
    result.intervalReason = 'too few usable resamples';
    return result;
  }
  const interval = (values: number[]): ScalingInterval => {
    const sorted = Float64Array.from(values).sort();
    return { lower: quantile(sorted, (1 - level) / 2), upper: quantile(sorted, (1 + level) / 2), level, resamples: values.length };
  };
  result.alphaInterval = interval(alphas);
  result.lInfInterval = interval(lInfs);
  return result;
}

function bestFit(
  logN: Float64Array, y: Float64Array, weight: Float64Array, search: { min: number; max: number }, grid: number, tolerance = 1e-10,
): Fit | null {
  const chiAt = (alpha: number): number => linearPart(logN, y, weight, alpha)?.chiSquare ?? Infinity;
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
  let part = linearPart(logN, y, weight, alpha);
  const gridAlpha = Math.exp(logMin + best * step);
  const gridPart = linearPart(logN, y, weight, gridAlpha);
  if (part === null || (gridPart !== null && gridPart.chiSquare < part.chiSquare)) {
    alpha = gridAlpha;
    part = gridPart;
  }
  if (part === null) return null;
  return { alpha, ...part, atBoundary: best === 0 || best === grid - 1 };
}

/** Reused by linearPart (single-threaded, never re-entered): no allocation per evaluation. */
let scratch = new Float64Array(16);

/** Weighted least squares of y on [1, n^-alpha] with L_inf >= 0; null when n^-alpha is constant. */
function linearPart(logN: Float64Array, y: Float64Array, weight: Float64Array, alpha: number) {
  const w = logN.length;
  let sw = 0;
  let mu = 0;
  let my = 0;
  const u = scratch.length >= w ? scratch : (scratch = new Float64Array(w));
  for (let i = 0; i < w; i++) {
    u[i] = Math.exp(-alpha * logN[i]);
    sw += weight[i];
    mu += weight[i] * u[i];
    my += weight[i] * y[i];
  }
  mu /= sw;
  my /= sw;
  let suu = 0;
  let suy = 0;
  for (let i = 0; i < w; i++) {
    suu += weight[i] * (u[i] - mu) ** 2;
    suy += weight[i] * (u[i] - mu) * (y[i] - my);
  }
  if (!(suu > 1e-300)) return null;
  let a = suy / suu;
  let lInf = my - a * mu;
  let lInfAtZero = false;
  if (lInf < 0) {
    // The constraint binds: L_inf = 0, A by weighted least squares through the origin.
    let uu = 0;
    let uy = 0;
    for (let i = 0; i < w; i++) {
      uu += weight[i] * u[i] * u[i];
      uy += weight[i] * u[i] * y[i];
    }
    lInf = 0;
    a = uy / uu;
    lInfAtZero = true;
  }
  let chiSquare = 0;
  for (let i = 0; i < w; i++) chiSquare += weight[i] * (y[i] - lInf - a * u[i]) ** 2;
  return { lInf, a, chiSquare, lInfAtZero };
}
