// The infinite-width prediction a finished run is compared with (@mfsim/limits predictLimits): a
// pure function of the spec and seed, so the engine thread computes it while the main thread writes
// the run's first chunk, off the main thread (a large NTK curve takes seconds of CPU, which would
// hold up the main thread's lock and lease renewals). Its outcome crosses the thread as plain data.
import type { Spec } from '@mfsim/contracts';
import { NoKernelError, predictLimits, runReferenceSize, type LimitsReport } from '@mfsim/limits';

export type LimitsPrediction =
  | { report: LimitsReport }
  /** A spec whose limits are not defined (NoKernelError): stored as the report's `unavailable`. */
  | { unavailable: { field: string; message: string } }
  /** Any other failure: the run ends without its limits report, and says why in its log. */
  | { error: string };

/** sgd's reference sample: runReferenceSize(); a fixed training set too large gets t = 0 and a note. */
export function predictRunLimits(spec: Spec, seed: number): LimitsPrediction {
  try {
    return { report: predictLimits(spec, seed, { oversize: 'note', referenceSize: runReferenceSize() }) };
  } catch (err) {
    if (err instanceof NoKernelError) return { unavailable: { field: err.field, message: err.message } };
    return { error: (err as Error).message };
  }
}
