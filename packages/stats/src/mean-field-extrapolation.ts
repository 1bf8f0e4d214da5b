// Mean-field limit of the network output: replica-mean outputs per probe, regressed
// linearly on 1/n across widths; the intercept is the extrapolation to n = infinity.

export interface MeanFieldExtrapolation {
  /** Widths used (those with outputs), in input order. */
  widths: number[];
  /** Per probe: the intercept at 1/n = 0; null where fewer than 2 widths have a finite mean. [probes] */
  outputs: (number | null)[];
  /** Per probe: the slope against 1/n (the leading 1/n correction). [probes] */
  slopes: (number | null)[];
  reason: string | null;
}

/** outputs: [R, probes] row-major -> replica mean per probe [probes] (NaN where no finite value). */
export function replicaMeanOutputs(outputs: ArrayLike<number>, replicas: number): Float64Array {
  if (!(replicas > 0) || outputs.length % replicas !== 0) {
    throw new RangeError(`outputs has ${outputs.length} values, not a multiple of ${replicas} replicas`);
  }
  const probes = outputs.length / replicas;
  const sums = new Float64Array(probes);
  const counts = new Int32Array(probes);
  for (let r = 0; r < replicas; r++) {
    const row = r * probes;
    for (let j = 0; j < probes; j++) {
      const v = outputs[row + j];
      if (Number.isFinite(v)) {
        sums[j] += v;
        counts[j]++;
      }
    }
  }
  for (let j = 0; j < probes; j++) sums[j] = counts[j] > 0 ? sums[j] / counts[j] : NaN;
  return sums;
}

/** widths: [W], meanOutputs: [W][probes] (NaN = missing) -> per-probe intercept in 1/n. */
export function extrapolateMeanField(
  widths: readonly number[],
  meanOutputs: readonly ArrayLike<number>[],
): MeanFieldExtrapolation {
  if (widths.length !== meanOutputs.length) throw new RangeError('widths and meanOutputs differ in length');
  const probes = meanOutputs.length > 0 ? meanOutputs[0].length : 0;
  if (meanOutputs.some((m) => m.length !== probes)) {
    return { widths: [...widths], outputs: [], slopes: [], reason: 'widths have different numbers of probes' };
  }
  const outputs: (number | null)[] = new Array(probes).fill(null);
  const slopes: (number | null)[] = new Array(probes).fill(null);
  const distinct = new Set(widths).size;
  if (distinct < 2) {
    return { widths: [...widths], outputs, slopes, reason: `needs at least 2 distinct widths, has ${distinct}` };
  }
  const x = Float64Array.from(widths, (n) => 1 / n);
  for (let j = 0; j < probes; j++) {
    let count = 0;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < widths.length; i++) {
      const y = meanOutputs[i][j];
      if (!Number.isFinite(y)) continue;
      count++;
      sx += x[i];
      sy += y;
    }
    if (count < 2) continue;
    const mx = sx / count;
    const my = sy / count;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < widths.length; i++) {
      const y = meanOutputs[i][j];
      if (!Number.isFinite(y)) continue;
      sxx += (x[i] - mx) ** 2;
      sxy += (x[i] - mx) * (y - my);
    }
    if (!(sxx > 0)) continue;
    const slope = sxy / sxx;
    slopes[j] = slope;
    outputs[j] = my - slope * mx;
  }
  return { widths: [...widths], outputs, slopes, reason: null };
}
