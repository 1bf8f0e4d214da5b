// CLT fluctuation of the network output across replicas (science.md, "Statistics").

export interface CltFluctuation {
  width: number;
  /** Probes whose variance over replicas is defined (at least 2 finite values). */
  probesUsed: number;
  /** Probes in the input. */
  probes: number;
  /** Mean over probes of the unbiased variance over replicas; null when no probe qualifies. */
  meanVariance: number | null;
  /** width * meanVariance: the CLT says this tends to a finite limit as the width grows. */
  fluctuation: number | null;
  /**
   * Excess kurtosis of the standardised fluctuations pooled over probes; 0 for a Gaussian.
   * Estimator: each probe's values are centred by their replica mean and divided by their
   * population std (divisor = count), then pooled; g2 = m4 / m2^2 - 3 with m_k the pooled
   * k-th moments. Not bias-corrected: for Gaussian data with R replicas its mean is about
   * -6 / (R + 1). Null when no probe has a non-zero spread.
   */
  excessKurtosis: number | null;
  /** Non-finite output values ignored. */
  dropped: number;
}

/** outputs: [R, probes] row-major (replica-major), at one recorded time -> fluctuation statistics. */
export function cltFluctuation(outputs: ArrayLike<number>, replicas: number, width: number): CltFluctuation {
  if (!(replicas > 0) || outputs.length % replicas !== 0) {
    throw new RangeError(`outputs has ${outputs.length} values, not a multiple of ${replicas} replicas`);
  }
  const probes = outputs.length / replicas;
  let dropped = 0;
  let probesUsed = 0;
  let varianceSum = 0;
  let pooledM2 = 0;
  let pooledM4 = 0;
  let pooledCount = 0;
  for (let j = 0; j < probes; j++) {
    let count = 0;
    let sum = 0;
    for (let r = 0; r < replicas; r++) {
      const v = outputs[r * probes + j];
      if (Number.isFinite(v)) {
        sum += v;
        count++;
      } else dropped++;
    }
    if (count < 2) continue;
    const mean = sum / count;
    let ss = 0;
    for (let r = 0; r < replicas; r++) {
      const v = outputs[r * probes + j];
      if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
    }
    probesUsed++;
    varianceSum += ss / (count - 1);
    if (ss === 0) continue; // a probe with no spread has no standardised fluctuations
    const std = Math.sqrt(ss / count);
    for (let r = 0; r < replicas; r++) {
      const v = outputs[r * probes + j];
      if (!Number.isFinite(v)) continue;
      const z = (v - mean) / std;
      const z2 = z * z;
      pooledM2 += z2;
      pooledM4 += z2 * z2;
      pooledCount++;
    }
  }
  const meanVariance = probesUsed > 0 ? varianceSum / probesUsed : null;
  let excessKurtosis: number | null = null;
  if (pooledCount > 0) {
    const m2 = pooledM2 / pooledCount;
    const m4 = pooledM4 / pooledCount;
    excessKurtosis = m4 / (m2 * m2) - 3;
  }
  return {
    width,
    probesUsed,
    probes,
    meanVariance,
    fluctuation: meanVariance === null ? null : width * meanVariance,
    excessKurtosis,
    dropped,
  };
}
