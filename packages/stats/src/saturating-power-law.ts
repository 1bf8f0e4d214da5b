// The fit m_n = L_inf + A * n^-alpha across widths (nonlinear least squares).
// For fixed alpha the model is linear in (L_inf, A), so the residual is a function of alpha
// alone: a grid search over alpha, refined by golden-section search, with L_inf and A in
// closed form at each alpha.

export interface SaturatingPowerLaw {
  /** Loss at infinite width. */
  lInf: number | null;
  a: number | null;
  alpha: number | null;
  /** Sum of squared residuals (unweighted, in loss units). */
  residualSumOfSquares: number | null;
  /** True when the best alpha lies on the edge of the searched range: treat it with suspicion. */
  atBoundary: boolean;
  reason: string | null;
}

export interface SaturatingPowerLawOptions {
  /** Searched range of alpha; default [0.01, 8]. */
  minAlpha?: number;
  maxAlpha?: number;
  /** Grid points before refinement; default 400 (log-spaced). */
  gridPoints?: number;
}

interface LinearPart {
  lInf: number;
  a: number;
  rss: number;
}

/** widths: [W], meanLosses: [W] -> the fit; null fields with a reason when W < 3. */
export function fitSaturatingPowerLaw(
  widths: ArrayLike<number>,
  meanLosses: ArrayLike<number>,
  options: SaturatingPowerLawOptions = {},
): SaturatingPowerLaw {
  const minAlpha = options.minAlpha ?? 0.01;
  const maxAlpha = options.maxAlpha ?? 8;
  const gridPoints = Math.max(3, options.gridPoints ?? 400);
  const none = (reason: string): SaturatingPowerLaw => ({
    lInf: null,
    a: null,
    alpha: null,
    residualSumOfSquares: null,
    atBoundary: false,
    reason,
  });
  if (widths.length !== meanLosses.length) throw new RangeError('widths and meanLosses differ in length');
  const distinct = new Set(Array.from(widths)).size;
  if (distinct < 3) return none(`needs at least 3 distinct widths, has ${distinct}`);
  const logN = Float64Array.from(widths, Math.log);
  const y = Float64Array.from(meanLosses);
  if (!y.every(Number.isFinite)) return none('a mean loss is not finite');

  const rssAt = (alpha: number): number => linearPart(logN, y, alpha)?.rss ?? Infinity;
  const logMin = Math.log(minAlpha);
  const step = (Math.log(maxAlpha) - logMin) / (gridPoints - 1);
  let best = 0;
  let bestRss = Infinity;
  for (let k = 0; k < gridPoints; k++) {
    const r = rssAt(Math.exp(logMin + k * step));
    if (r < bestRss) {
      bestRss = r;
      best = k;
    }
  }
  if (!Number.isFinite(bestRss)) return none('the design is singular at every alpha');
  // Golden-section search on log alpha in the bracket around the best grid point.
  let lo = logMin + Math.max(0, best - 1) * step;
  let hi = logMin + Math.min(gridPoints - 1, best + 1) * step;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = rssAt(Math.exp(x1));
  let f2 = rssAt(Math.exp(x2));
  for (let it = 0; it < 200 && hi - lo > 1e-13; it++) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = rssAt(Math.exp(x1));
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = rssAt(Math.exp(x2));
    }
  }
  let alpha = Math.exp((lo + hi) / 2);
  let fit = linearPart(logN, y, alpha);
  const gridAlpha = Math.exp(logMin + best * step);
  const gridFit = linearPart(logN, y, gridAlpha);
  if (fit === null || (gridFit !== null && gridFit.rss < fit.rss)) {
    alpha = gridAlpha;
    fit = gridFit;
  }
  if (fit === null) return none('the design is singular at the best alpha');
  return {
    lInf: fit.lInf,
    a: fit.a,
    alpha,
    residualSumOfSquares: fit.rss,
    atBoundary: best === 0 || best === gridPoints - 1,
    reason: null,
  };
}

/** Least squares of y on [1, n^-alpha]: closed form; null when n^-alpha is constant. */
function linearPart(logN: Float64Array, y: Float64Array, alpha: number): LinearPart | null {
  const w = logN.length;
  let mu = 0;
  let my = 0;
  const u = new Float64Array(w);
  for (let i = 0; i < w; i++) {
    u[i] = Math.exp(-alpha * logN[i]);
    mu += u[i];
    my += y[i];
  }
  mu /= w;
  my /= w;
  let suu = 0;
  let suy = 0;
  for (let i = 0; i < w; i++) {
    suu += (u[i] - mu) ** 2;
    suy += (u[i] - mu) * (y[i] - my);
  }
  if (!(suu > 1e-300)) return null;
  const a = suy / suu;
  const lInf = my - a * mu;
  let rss = 0;
  for (let i = 0; i < w; i++) rss += (y[i] - lInf - a * u[i]) ** 2;
  return { lInf, a, rss };
}
