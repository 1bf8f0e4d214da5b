// The infinite-width limits beside a finished run (@mfsim/limits), computed once when the run ends
// and stored as one report: the prediction for its spec and seed, the t = 0 NNGP check against its
// step-0 probe outputs, and its mean test loss against the NTK curve at every recorded step.
import type { Spec } from '@mfsim/contracts';
import { readStatisticsInputs, writeSimulationLimits, type Database, type StatisticsInputs } from '@mfsim/db';
import { compareWithRun } from '@mfsim/limits';
import { predictRunLimits, type LimitsPrediction } from './engine/limits-prediction.ts';
import { withRetry } from './retry.ts';

export async function storeSimulationLimits(
  db: Database, simulationId: string, spec: Spec, seed: number, runRecords?: StatisticsInputs, predicted?: LimitsPrediction,
): Promise<void> {
  const records = runRecords ?? (await withRetry(() => readStatisticsInputs(db, simulationId, spec.replicas)));
  const report = simulationLimitsReport(spec, seed, records, predicted);
  await withRetry(() => writeSimulationLimits(db, simulationId, report));
}

/**
 * The report stored for a run: the prediction and the run's agreement with it, or why there is none.
 * `predicted`: the prediction for this spec and seed when already made (by the engine thread); else made here.
 */
export function simulationLimitsReport(spec: Spec, seed: number, records: StatisticsInputs, predicted = predictRunLimits(spec, seed)): unknown {
  if ('error' in predicted) throw new Error(predicted.error);
  if ('unavailable' in predicted) return { prediction: null, agreement: null, unavailable: predicted.unavailable };
  return { prediction: predicted.report, agreement: compareWithRun(predicted.report, spec.replicas, records) };
}

/** As storeSimulationLimits, but a failure is logged, never thrown: the run itself is done. */
export async function storeSimulationLimitsQuietly(
  db: Database, simulationId: string, spec: Spec, seed: number,
  log: (msg: string, extra?: Record<string, unknown>) => void,
  records?: StatisticsInputs,
  predicted?: LimitsPrediction,
): Promise<void> {
  try {
    await storeSimulationLimits(db, simulationId, spec, seed, records, predicted);
  } catch (err) {
    log('could not store the limits', { id: simulationId, error: (err as Error).message });
  }
}
