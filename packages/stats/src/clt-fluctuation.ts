// CLT fluctuation of the network output across replicas (science.md, "Statistics"): the mean over
// probes of Var f normalised by n * alpha_n^2 (n Var f under mean-field, Var f under ntk), the
// unbiased excess kurtosis of the fluctuations with a jackknife standard error, and the connected
// 4-point function across probe pairs. Unbiased here means Fisher's k-statistics: the plain
// m4 / m2^2 - 3 is biased by -6/(R+1), which swamps the ~1/n signal at small R.

export type Parameterization = 'mean-field' | 'ntk';

export interface CltFluctuation {
  width: number;
  parameterization: Parameterization;
  /** Probes whose variance over replicas is defined (at least 2 finite values). */
  probesUsed: number;
  /** Probes in the input. */
  probes: number;
  /** Mean over probes of the unbiased variance over replicas; null when no probe qualifies. */
  meanVariance: number | null;
  /** meanVariance / (n * alpha_n^2): tends to a finite limit as n grows (the NNGP variance at t = 0). */
  fluctuation: number | null;
  /**
   * Per replica its share of meanVariance: z_r = mean over probes of c_j / (c_j - 1) (f_rj - mean_j)^2
   * (c_j the replicas finite at probe j), whose mean over r is meanVariance when every replica is
   * finite at every probe; NaN for a replica left out or not finite at a probe. These pair across
   * widths as the losses do (replica r of every width shares its seed), so the covariance of the
   * widths' variances can be estimated from them (to O(1/R): each z_r also carries the probe means).
   */
  varianceShares: Float64Array;
  /**
   * Mean over probes of the unbiased excess kurtosis G2 = k4 / k2^2 (0 for a Gaussian), probes with
   * at least 4 finite values and a non-zero spread. Null when none.
   */
  excessKurtosis: number | null;
  /** Grouped jackknife over replicas of excessKurtosis (the probes' correlation kept); null under 5 replicas. */
  excessKurtosisError: number | null;
  /**
   * Connected 4-point function across probe pairs i < j, dimensionless: mean of
   * k(i,i,j,j) / (k(i,i) k(j,j) + 2 k(i,j)^2) over pairs of the first FOUR_POINT_PROBES probes
   * (0 for a Gaussian process, order 1/n at finite width). Null with fewer than 2 probes or 4 replicas.
   */
  fourPoint: number | null;
  /** Non-finite output values ignored. */
  dropped: number;
}

/** The 4-point function uses at most this many probes (its cost grows as probes^2). */
export const FOUR_POINT_PROBES = 8;

/** The kurtosis' jackknife leaves out one of this many groups of replicas at a time (one replica when R is smaller). */
export const JACKKNIFE_GROUPS = 16;

/** n * alpha_n^2: 1/n under mean-field (alpha_n = 1/n), 1 under ntk (alpha_n = 1/sqrt(n)). */
export function outputScale(width: number, parameterization: Parameterization): number {
  return parameterization === 'ntk' ? 1 : 1 / width;
}

/**
 * outputs: [R, probes] row-major (replica-major) at one recorded time; include: [R] replicas to use
 * (default all) -> fluctuation statistics.
 */
export function cltFluctuation(
  outputs: ArrayLike<number>,
  replicas: number,
  width: number,
  parameterization: Parameterization = 'mean-field',
  include?: ArrayLike<boolean>,
): CltFluctuation {
  if (!(replicas > 0) || outputs.length % replicas !== 0) {
    throw new RangeError(`outputs has ${outputs.length} values, not a multiple of ${replicas} replicas`);
  }
  const probes = outputs.length / replicas;
  // Replica-major input read once into probe-major columns [probes][R] (NaN = left out): the
  // loops below then run over contiguous float64 rows (this is the per-width hot path of a sweep).
  const columns = new Float64Array(probes * replicas);
  let dropped = 0;
  for (let r = 0; r < replicas; r++) {
    const skip = include !== undefined && !include[r];
    for (let j = 0; j < probes; j++) {
      const v = skip ? NaN : outputs[r * probes + j];
      if (v - v === 0) columns[j * replicas + r] = v; // finite
      else {
        columns[j * replicas + r] = NaN;
        if (!skip) dropped++;
      }
    }
  }
  let probesUsed = 0;
  let varianceSum = 0;
  const varianceShares = new Float64Array(replicas);
  // Per probe: centred values [R] (NaN = left out), for the kurtosis and the 4-point function.
  const centred: Float64Array[] = [];
  for (let j = 0; j < probes; j++) {
    const column = columns.subarray(j * replicas, (j + 1) * replicas);
    let count = 0;
    let sum = 0;
    for (let r = 0; r < replicas; r++) {
      const v = column[r];
      if (v === v) {
        sum += v;
        count++;
      }
    }
    if (count < 2) continue;
    const mean = sum / count;
    const unbiased = count / (count - 1);
    let ss = 0;
    for (let r = 0; r < replicas; r++) {
      const d = column[r] - mean; // NaN stays NaN
      column[r] = d;
      varianceShares[r] += unbiased * d * d;
      if (d === d) ss += d * d;
    }
    probesUsed++;
    varianceSum += ss / (count - 1);
    if (ss > 0) centred.push(column);
  }
  const meanVariance = probesUsed > 0 ? varianceSum / probesUsed : null;
  const kurtosis = pooledKurtosis(centred, replicas);
  return {
    width,
    parameterization,
    probesUsed,
    probes,
    meanVariance,
    fluctuation: meanVariance === null ? null : meanVariance / outputScale(width, parameterization),
    varianceShares: varianceShares.map((z) => (probesUsed > 0 ? z / probesUsed : NaN)),
    excessKurtosis: kurtosis.value,
    excessKurtosisError: kurtosis.standardError,
    fourPoint: fourPointRatio(centred.slice(0, FOUR_POINT_PROBES)),
    dropped,
  };
}

/** Unbiased excess kurtosis k4 / k2^2 from power sums of n values (any shift). */
function g2(n: number, s1: number, s2: number, s3: number, s4: number): number | null {
  if (n < 4) return null;
  const m = s1 / n;
  const m2 = s2 / n - m * m;
  if (!(m2 > 0)) return null;
  const mm = m * m;
  const m4 = (s4 - 4 * m * s3 + 6 * mm * s2) / n - 3 * mm * mm;
  const k2 = (n / (n - 1)) * m2;
  const k4 = (n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2)) / ((n - 1) * (n - 2) * (n - 3));
  return k4 / (k2 * k2);
}

/** columns: per probe [R] centred values (NaN = left out) -> mean over probes of G2 and its jackknife error. */
function pooledKurtosis(columns: readonly Float64Array[], replicas: number): { value: number | null; standardError: number | null } {
  const p = columns.length;
  const sums = new Float64Array(p * 5); // count, s1..s4 per probe
  columns.forEach((col, j) => {
    for (let r = 0; r < replicas; r++) {
      const v = col[r];
      if (v !== v) continue;
      const v2 = v * v;
      sums[j * 5] += 1;
      sums[j * 5 + 1] += v;
      sums[j * 5 + 2] += v2;
      sums[j * 5 + 3] += v2 * v;
      sums[j * 5 + 4] += v2 * v2;
    }
  });
  // Delete-a-group jackknife: replicas in JACKKNIFE_GROUPS groups (r mod groups), each left out in turn.
  const groups = Math.min(JACKKNIFE_GROUPS, replicas);
  const meanG2 = (group: number): number | null => {
    let total = 0;
    let count = 0;
    for (let j = 0; j < p; j++) {
      let n = sums[j * 5];
      let s1 = sums[j * 5 + 1];
      let s2 = sums[j * 5 + 2];
      let s3 = sums[j * 5 + 3];
      let s4 = sums[j * 5 + 4];
      if (group >= 0) {
        const column = columns[j];
        for (let r = group; r < replicas; r += groups) {
          const v = column[r];
          if (v !== v) continue;
          const v2 = v * v;
          n -= 1;
          s1 -= v;
          s2 -= v2;
          s3 -= v2 * v;
          s4 -= v2 * v2;
        }
      }
      const g = g2(n, s1, s2, s3, s4);
      if (g !== null) {
        total += g;
        count++;
      }
    }
    return count > 0 ? total / count : null;
  };
  const value = meanG2(-1);
  if (value === null) return { value: null, standardError: null };
  const leaveOut: number[] = [];
  for (let group = 0; group < groups; group++) {
    const g = meanG2(group);
    if (g !== null) leaveOut.push(g);
  }
  const k = leaveOut.length;
  if (k < 5) return { value, standardError: null };
  const mean = leaveOut.reduce((s, g) => s + g, 0) / k;
  const ss = leaveOut.reduce((s, g) => s + (g - mean) ** 2, 0);
  return { value, standardError: Math.sqrt(((k - 1) / k) * ss) };
}

/** Mean over probe pairs i < j of k(i,i,j,j) / (k(i,i) k(j,j) + 2 k(i,j)^2), replicas finite at both. */
function fourPointRatio(columns: readonly Float64Array[]): number | null {
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < columns.length; i++) {
    for (let j = i + 1; j < columns.length; j++) {
      const a = columns[i];
      const b = columns[j];
      let n = 0;
      let sa = 0;
      let sb = 0;
      for (let r = 0; r < a.length; r++) {
        if (a[r] === a[r] && b[r] === b[r]) {
          n++;
          sa += a[r];
          sb += b[r];
        }
      }
      if (n < 4) continue;
      const ma = sa / n;
      const mb = sb / n;
      let maa = 0;
      let mbb = 0;
      let mab = 0;
      let maabb = 0;
      for (let r = 0; r < a.length; r++) {
        if (!(a[r] === a[r] && b[r] === b[r])) continue;
        const x = a[r] - ma;
        const y = b[r] - mb;
        maa += x * x;
        mbb += y * y;
        mab += x * y;
        maabb += x * x * y * y;
      }
      maa /= n;
      mbb /= n;
      mab /= n;
      maabb /= n;
      const c = n / (n - 1);
      const kaa = c * maa;
      const kbb = c * mbb;
      const kab = c * mab;
      const kaabb = (n * n * ((n + 1) * maabb - (n - 1) * (maa * mbb + 2 * mab * mab))) / ((n - 1) * (n - 2) * (n - 3));
      const gauss = kaa * kbb + 2 * kab * kab;
      if (!(gauss > 0)) continue;
      total += kaabb / gauss;
      pairs++;
    }
  }
  return pairs > 0 ? total / pairs : null;
}

