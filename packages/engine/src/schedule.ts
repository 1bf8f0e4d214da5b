// Which steps are recorded.
import type { Spec } from '@mfsim/contracts';

/** Default when the spec gives no schedule: this many log-spaced points (at most steps + 1). */
export const DEFAULT_LOG_POINTS = 50;

/**
 * The recorded steps of a spec, sorted, unique, always with 0 and K = training.steps.
 * - `steps`: those steps.
 * - `every: N`: 0, N, 2N, ... and K.
 * - `logPoints: L` (default 50): 0 and round(K^(j/(L-2))), j = 0..L-2 (1 ... K, log-spaced),
 *   duplicates removed, so small K gives fewer points; L >= K + 1 gives every step.
 */
export function recordedSteps(spec: Pick<Spec, 'record' | 'training'>): number[] {
  const K = spec.training.steps;
  const { record } = spec;
  const out = new Set<number>([0, K]);
  if (record.steps) {
    for (const s of record.steps) if (s >= 0 && s <= K) out.add(s);
  } else if (record.every) {
    for (let s = 0; s <= K; s += record.every) out.add(s);
  } else {
    const L = Math.min(record.logPoints ?? DEFAULT_LOG_POINTS, K + 1);
    if (L >= K + 1) for (let s = 0; s <= K; s++) out.add(s);
    else if (L > 2) for (let j = 0; j <= L - 2; j++) out.add(Math.round(K ** (j / (L - 2))));
  }
  return [...out].sort((a, b) => a - b);
}
