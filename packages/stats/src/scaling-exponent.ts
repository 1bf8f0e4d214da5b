// Scaling of the mean test loss with the width: log m_n = c + slope * log n, alpha = -slope
// (loss ~ n^-alpha), with a percentile bootstrap interval over replicas.
import { fitLine } from './line-fit.ts';

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/** The test losses of the replicas of one width at one recorded time. */
export interface WidthLosses {
  width: number;
  /** [R]; null or non-finite values are ignored. */
  losses: ArrayLike<number | null | undefined>;
}

export interface ScalingPoint {
  width: number;
  /** Mean over the finite replica losses. */
  meanLoss: number;
  /** Finite replicas behind meanLoss. */
  count: number;
}

export interface ScalingInterval {
  /** Bounds on alpha. */
  lower: number;
  upper: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Bootstrap resamples the bounds come from (those whose means were all positive). */
  resamples: number;
}

export interface ScalingExponent {
  /** -slope; null with a reason when it cannot be fitted. */
  alpha: number | null;
  /** Intercept of log m_n against log n. */
  logIntercept: number | null;
  /** Percentile bootstrap interval; null with intervalReason when it would mean nothing. */
  interval: ScalingInterval | null;
  /** The widths the slope was fitted on, in input order. */
  points: ScalingPoint[];
  /** Widths left out: no finite loss, or a mean loss that is not positive. */
  excludedWidths: number[];
  reason: string | null;
  intervalReason: string | null;
}

export interface ScalingOptions {
  /** Bootstrap resamples; default 1000; 0 skips the interval. */
  resamples?: number;
  /** Confidence level; default 0.95. */
  level?: number;
  /** PRNG seed; default 0. */
  seed?: number;
}

/**
 * widths: [W] of { width, losses [R_w] } -> alpha and its interval.
 * The bootstrap resamples R_w replicas with replacement within each width, recomputes the
 * means and refits the slope; the interval is the (1-level)/2 and (1+level)/2 quantiles
 * (linear interpolation between order statistics) of -slope.
 */
export function scalingExponent(widths: readonly WidthLosses[], options: ScalingOptions = {}): ScalingExponent {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const seed = options.seed ?? 0;

  const points: ScalingPoint[] = [];
  const excludedWidths: number[] = [];
  const samples: Float64Array[] = [];
  for (const { width, losses } of widths) {
    const finite: number[] = [];
    for (let i = 0; i < losses.length; i++) {
      const v = losses[i];
      if (typeof v === 'number' && Number.isFinite(v)) finite.push(v);
    }
    const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
    if (finite.length === 0 || !(mean > 0) || !(width > 0)) {
      excludedWidths.push(width);
      continue;
    }
    points.push({ width, meanLoss: mean, count: finite.length });
    samples.push(Float64Array.from(finite));
  }
  const empty = { logIntercept: null, interval: null, points, excludedWidths };
  if (points.length < 2) {
    const reason = `needs at least 2 widths with a positive mean loss, has ${points.length}`;
    return { ...empty, alpha: null, reason, intervalReason: reason };
  }
  const logWidths = Float64Array.from(points, (p) => Math.log(p.width));
  const fit = fitLine(logWidths, Float64Array.from(points, (p) => Math.log(p.meanLoss)));
  if (fit === null) {
    const reason = 'all widths are equal';
    return { ...empty, alpha: null, reason, intervalReason: reason };
  }
  const result: ScalingExponent = {
    alpha: 0 - fit.slope, // 0 - x: never -0
    logIntercept: fit.intercept,
    interval: null,
    points,
    excludedWidths,
    reason: null,
    intervalReason: null,
  };
  if (resamples <= 0) {
    result.intervalReason = 'no resamples requested';
  } else if (points.some((p) => p.count < 2)) {
    // One replica gives a resample that never varies: the interval would look falsely sure.
    result.intervalReason = 'needs at least 2 replicas at every width';
  } else {
    const slopes = bootstrapSlopes(samples, logWidths, resamples, seed);
    if (slopes.length < 2) {
      result.intervalReason = 'too few resamples with positive means';
    } else {
      slopes.sort();
      result.interval = {
        lower: 0 - quantile(slopes, (1 + level) / 2),
        upper: 0 - quantile(slopes, (1 - level) / 2),
        level,
        resamples: slopes.length,
      };
    }
  }
  return result;
}

/** samples: [W][R_w], logWidths: [W] -> slopes: [<= resamples] (resamples with a non-positive mean are skipped). */
function bootstrapSlopes(
  samples: readonly Float64Array[],
  logWidths: Float64Array,
  resamples: number,
  seed: number,
): Float64Array {
  const w = samples.length;
  // slope = sum_i c_i * y_i with c_i = (x_i - mean x) / Sxx: x is fixed across resamples.
  let mx = 0;
  for (let i = 0; i < w; i++) mx += logWidths[i];
  mx /= w;
  let sxx = 0;
  for (let i = 0; i < w; i++) sxx += (logWidths[i] - mx) ** 2;
  const c = new Float64Array(w);
  for (let i = 0; i < w; i++) c[i] = (logWidths[i] - mx) / sxx;

  // SplitMix32 inlined (same stream as createRandom(seed)): this loop is the hot spot.
  let state = seed | 0;
  const slopes = new Float64Array(resamples);
  let used = 0;
  for (let b = 0; b < resamples; b++) {
    let slope = 0;
    let ok = true;
    for (let i = 0; i < w; i++) {
      const values = samples[i];
      const r = values.length;
      let sum = 0;
      for (let k = 0; k < r; k++) {
        state = (state + 0x9e3779b9) | 0;
        let z = Math.imul(state ^ (state >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        sum += values[Math.floor(((z ^ (z >>> 16)) >>> 0) * TWO_POW_MINUS_32 * r)];
      }
      const mean = sum / r;
      if (!(mean > 0)) {
        ok = false;
        break;
      }
      slope += c[i] * Math.log(mean);
    }
    if (ok) slopes[used++] = slope;
  }
  return slopes.subarray(0, used);
}

/** sorted: ascending -> the p-quantile, linear between order statistics (R's type 7). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
