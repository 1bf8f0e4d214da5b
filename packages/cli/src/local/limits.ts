// The infinite-width limits beside a local run (limits.json, limits.csv), as the worker stores them
// beside a service run: the prediction, the t = 0 NNGP check and the NTK agreement.
import { toCsv } from '@mfsim/client';
import type { Spec } from '@mfsim/contracts';
import { compareWithRun, LIMITS_CSV_COLUMNS, limitsCsvRows, LimitsTooLargeError, NoKernelError, predictLimits, runReferenceSize, type RunRecords } from '@mfsim/limits';

export interface LocalLimits {
  json: unknown;
  csv: string;
}

/** Without records: the prediction only (`mfsim limits`). A spec with no kernel gives {unavailable}. */
export function localLimits(spec: Spec, seed: number, records?: RunRecords, options: { referenceSize?: number; oversize?: 'throw' | 'note' } = {}): LocalLimits {
  try {
    // A run's own report (`run --local`, notes on) takes the reference sample the worker would.
    const oversize = options.oversize ?? 'note';
    const referenceSize = options.referenceSize ?? (oversize === 'note' ? runReferenceSize() : undefined);
    const prediction = predictLimits(spec, seed, { oversize, referenceSize });
    const agreement = records ? compareWithRun(prediction, spec.replicas, records) : null;
    return { json: { prediction, agreement }, csv: toCsv(limitsCsvRows(prediction, agreement), LIMITS_CSV_COLUMNS) };
  } catch (err) {
    if (!(err instanceof NoKernelError) && !(err instanceof LimitsTooLargeError)) throw err;
    return { json: { prediction: null, agreement: null, unavailable: { field: err.field, message: err.message } }, csv: '' };
  }
}
