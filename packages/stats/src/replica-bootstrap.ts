// Bootstrap over replicas of the per-width mean loss. When the widths' replicas share seeds
// (a sweep: replica r of every width comes from the same seed), replica indices are resampled
// jointly across widths, so the correlation between widths is kept in the resamples.

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/**
 * samples: [W][R_w] (NaN = left out: unstable, dropped), joint: one index draw shared by all widths
 * (needs equal R_w) -> means [resamples * W] row-major, a row of NaN where some width's resample
 * had no finite value. SplitMix32 (same stream as createRandom(seed)), inlined: this is the hot loop.
 */
export function bootstrapMeans(samples: readonly Float64Array[], joint: boolean, resamples: number, seed: number): Float64Array {
  const w = samples.length;
  const out = new Float64Array(resamples * w);
  let state = seed | 0;
  if (joint) {
    const r = samples[0]?.length ?? 0;
    if (samples.some((s) => s.length !== r)) throw new RangeError('a joint bootstrap needs the same replicas at every width');
    // Replica-major copy [R][W]: one draw reads one contiguous row.
    const rows = new Float64Array(r * w);
    let missing = false;
    for (let i = 0; i < w; i++) {
      for (let k = 0; k < r; k++) {
        const v = samples[i][k];
        rows[k * w + i] = v;
        if (v !== v) missing = true;
      }
    }
    const sums = new Float64Array(w);
    const counts = new Int32Array(w);
    for (let b = 0; b < resamples; b++) {
      sums.fill(0);
      if (missing) counts.fill(0);
      for (let k = 0; k < r; k++) {
        state = (state + 0x9e3779b9) | 0;
        let z = Math.imul(state ^ (state >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        const row = Math.floor(((z ^ (z >>> 16)) >>> 0) * TWO_POW_MINUS_32 * r) * w;
        if (missing) {
          for (let i = 0; i < w; i++) {
            const v = rows[row + i];
            if (v === v) {
              sums[i] += v;
              counts[i]++;
            }
          }
        } else {
          for (let i = 0; i < w; i++) sums[i] += rows[row + i];
        }
      }
      for (let i = 0; i < w; i++) {
        const c = missing ? counts[i] : r;
        out[b * w + i] = c > 0 ? sums[i] / c : NaN;
      }
    }
    return out;
  }
  // Independent: each width's finite values resampled on their own.
  const finite = samples.map((s) => Float64Array.from(Array.from(s).filter((v) => v === v)));
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < w; i++) {
      const values = finite[i];
      const r = values.length;
      let sum = 0;
      for (let k = 0; k < r; k++) {
        state = (state + 0x9e3779b9) | 0;
        let z = Math.imul(state ^ (state >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        sum += values[Math.floor(((z ^ (z >>> 16)) >>> 0) * TWO_POW_MINUS_32 * r)];
      }
      out[b * w + i] = r > 0 ? sum / r : NaN;
    }
  }
  return out;
}

/** sorted: ascending -> the p-quantile, linear between order statistics (R's type 7). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
