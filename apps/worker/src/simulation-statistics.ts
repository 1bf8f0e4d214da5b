// Statistics of one simulation over its replicas, computed once when its run ends and stored.
import type { Spec } from '@mfsim/contracts';
import { readStatisticsInputs, writeSimulationStatistics, writeUnstableAtStep, type Database, type StatisticsInputs } from '@mfsim/db';
import { aggregateSimulation } from '@mfsim/stats';
import { withRetry } from './retry.ts';

/** The run's statistics per recorded step (unstable replicas left out) and which replicas went unstable. */
export function simulationStatistics(spec: Spec, records: StatisticsInputs) {
  return aggregateSimulation(spec.student.width, records, { parameterization: spec.student.parameterization });
}

/**
 * Reads the run's records (unless the caller read them already), aggregates them per recorded step
 * (unstable replicas left out), replaces its statistics rows and records which replicas went unstable.
 */
export async function storeSimulationStatistics(db: Database, simulationId: string, spec: Spec, records?: StatisticsInputs): Promise<number> {
  const inputs = records ?? (await withRetry(() => readStatisticsInputs(db, simulationId, spec.replicas)));
  const { rows, unstableAtStep } = simulationStatistics(spec, inputs);
  await withRetry(() => writeSimulationStatistics(db, [{ simulationId, rows }]));
  await withRetry(() => writeUnstableAtStep(db, [{ simulationId, unstableAtStep }]));
  return rows.length;
}

/** As storeSimulationStatistics, but a failure is logged, never thrown: the run itself is done. */
export async function storeSimulationStatisticsQuietly(
  db: Database,
  simulationId: string,
  spec: Spec,
  log: (msg: string, extra?: Record<string, unknown>) => void,
  records?: StatisticsInputs,
): Promise<void> {
  try {
    await storeSimulationStatistics(db, simulationId, spec, records);
  } catch (err) {
    log('could not store the statistics', { id: simulationId, error: (err as Error).message });
  }
}
