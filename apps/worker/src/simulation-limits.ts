// The infinite-width limits beside a finished run (@mfsim/limits), computed once when the run ends
// and stored as one report: the prediction for its spec and seed, the t = 0 NNGP check against its
// step-0 probe outputs, and its mean test loss against the NTK curve at every recorded step.
import type { Spec } from '@mfsim/contracts';
import { readStatisticsInputs, writeSimulationLimits, type Database, type StatisticsInputs } from '@mfsim/db';
import { compareWithRun, NoKernelError, predictLimits } from '@mfsim/limits';
import { withRetry } from './retry.ts';

export async function storeSimulationLimits(db: Database, simulationId: string, spec: Spec, seed: number, runRecords?: StatisticsInputs): Promise<void> {
  const records = runRecords ?? (await withRetry(() => readStatisticsInputs(db, simulationId, spec.replicas)));
  const report = simulationLimitsReport(spec, seed, records);
  await withRetry(() => writeSimulationLimits(db, simulationId, report));
}

/** The report stored for a run: the prediction and the run's agreement with it, or why there is none. */
export function simulationLimitsReport(spec: Spec, seed: number, records: StatisticsInputs): unknown {
  try {
    const prediction = predictLimits(spec, seed, { oversize: 'note' });
    return { prediction, agreement: compareWithRun(prediction, spec.replicas, records) };
  } catch (err) {
    if (!(err instanceof NoKernelError)) throw err;
    return { prediction: null, agreement: null, unavailable: { field: err.field, message: err.message } };
  }
}

/** As storeSimulationLimits, but a failure is logged, never thrown: the run itself is done. */
export async function storeSimulationLimitsQuietly(
  db: Database, simulationId: string, spec: Spec, seed: number,
  log: (msg: string, extra?: Record<string, unknown>) => void,
  records?: StatisticsInputs,
): Promise<void> {
  try {
    await storeSimulationLimits(db, simulationId, spec, seed, records);
  } catch (err) {
    log('could not store the limits', { id: simulationId, error: (err as Error).message });
  }
}
