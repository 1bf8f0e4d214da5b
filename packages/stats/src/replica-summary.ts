// Mean, variance and standard error over replicas of one quantity at one recorded time.

export interface ReplicaSummary {
  /** Mean over the finite values; null when there are none. */
  mean: number | null;
  /** Unbiased sample variance (divisor count - 1); null when count < 2. */
  variance: number | null;
  /** sqrt(variance / count); null when count < 2. */
  standardError: number | null;
  /** Number of finite values used. */
  count: number;
  /** Number of null or non-finite values ignored. */
  dropped: number;
}

/** values: [R] (null/NaN/±Infinity are dropped) -> summary over replicas. */
export function summarizeReplicas(values: ArrayLike<number | null | undefined>): ReplicaSummary {
  // Two passes (mean, then squared deviations): exact enough and cheap for R in the tens.
  let count = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  const dropped = values.length - count;
  if (count === 0) return { mean: null, variance: null, standardError: null, count, dropped };
  const mean = sum / count;
  if (count < 2) return { mean, variance: null, standardError: null, count, dropped };
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) ss += (v - mean) * (v - mean);
  }
  const variance = ss / (count - 1);
  return { mean, variance, standardError: Math.sqrt(variance / count), count, dropped };
}
