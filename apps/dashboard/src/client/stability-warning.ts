// The form's warning that dt looks too large for the smallest width (science.md, "Stability"): a
// particle's self-interaction curvature grows like c^2/n, so the stable dt shrinks with n while the
// drift does not. The bound is the lab's measurement on the 3-spin model (tanh, mean-field): at
// dt = 0.5 widths n <= 64 went unstable and n >= 128 did not, i.e. trouble once dt >= n / 128.
// A heuristic, not a guarantee: the service still detects instability per replica.

/** dt * STABLE_WIDTH_PER_DT >= n: the warning threshold. */
export const STABLE_WIDTH_PER_DT = 128;

/** dt and the widths the run will use -> a warning sentence, or null. */
export function stabilityWarning(dt: number, widths: readonly number[]): string | null {
  const finite = widths.filter((n) => Number.isFinite(n) && n > 0);
  if (!(dt > 0) || finite.length === 0) return null;
  const smallest = Math.min(...finite);
  if (dt * STABLE_WIDTH_PER_DT < smallest) return null;
  const largestStableDt = smallest / STABLE_WIDTH_PER_DT;
  return `dt = ${dt} looks too large for width n = ${smallest}: narrow networks can go numerically unstable ` +
    `(a particle's self-interaction grows like c²/n). On the 3-spin model n ≤ 64 blew up at dt = 0.5; ` +
    `consider dt < ${largestStableDt.toPrecision(2)} or larger widths. Unstable replicas are detected and left out of the statistics.`;
}
