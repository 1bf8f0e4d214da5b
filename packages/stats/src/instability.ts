// Numerical instability of a replica (science.md, "Stability"): a loss that jumps by more than a
// set factor between neighbouring recorded steps, or stops being finite, marks the replica unstable
// at that step. Small widths go unstable at a dt that is fine for large ones (the self-interaction
// curvature grows like c^2/n under mean-field), so an unstable replica is kept but left out of the
// statistics, with the count reported.

/** Default factor: a replica whose loss grows more than 10x between recorded steps is unstable. */
export const INSTABILITY_JUMP_FACTOR = 10;

/**
 * testLosses: [R][T] (null = not recorded), steps: [T] -> per replica the first recorded step at
 * which it went unstable, or null when it did not.
 */
export function detectInstability(
  testLosses: readonly ArrayLike<number | null | undefined>[],
  steps: ArrayLike<number>,
  factor: number = INSTABILITY_JUMP_FACTOR,
): (number | null)[] {
  return testLosses.map((losses) => {
    let previous: number | null = null;
    for (let t = 0; t < steps.length; t++) {
      const v = losses[t];
      if (v === null || v === undefined) continue;
      if (!Number.isFinite(v)) return steps[t];
      if (previous !== null && v > factor * previous) return steps[t];
      previous = v;
    }
    return null;
  });
}

/** Replicas that stayed stable: [R] of booleans. */
export function stableReplicas(unstableAtStep: readonly (number | null)[]): boolean[] {
  return unstableAtStep.map((s) => s === null);
}
