// Statistics of one simulation over its replicas, one row per recorded time. Replicas that went
// unstable (see instability.ts) are left out of every row and counted in `unstable`, so that all
// rows of a simulation describe the same set of replicas.
import { cltFluctuation, type Parameterization } from './clt-fluctuation.ts';
import { detectInstability, INSTABILITY_JUMP_FACTOR } from './instability.ts';
import { summarizeReplicas } from './replica-summary.ts';
import type { StatisticsRow } from '@mfsim/contracts';

/** What one simulation recorded, as read back from storage. */
export interface SimulationRecords {
  /** Recorded steps. [T] */
  steps: ArrayLike<number>;
  /** step * dt. [T] */
  times: ArrayLike<number>;
  /** Test loss per replica and recorded time; null where not finite or not recorded. [R][T] */
  testLosses: readonly ArrayLike<number | null | undefined>[];
  /** Per recorded time the outputs on the probes, [R * probes] replica-major; null where not recorded. [T] */
  probeOutputs?: readonly (ArrayLike<number> | null | undefined)[];
}

/**
 * One recorded time of one simulation: the row as the API serves it (`statisticsRowSchema` in
 * @mfsim/contracts declares it, field by field, once). Plain numbers and nulls: JSON and SQL rows alike.
 */
export type SimulationStatisticsRow = StatisticsRow;

export interface SimulationStatistics {
  width: number;
  replicas: number;
  /** Per replica the recorded step at which it went unstable, null when it stayed stable. [R] */
  unstableAtStep: (number | null)[];
  rows: SimulationStatisticsRow[];
}

export interface SimulationOptions {
  /** Default mean-field. */
  parameterization?: Parameterization;
  /** Loss jump between recorded steps that marks a replica unstable; default 10. */
  jumpFactor?: number;
}

/** The test losses of all replicas at recorded time t: [R][T] -> [R] (NaN for null). */
export function lossesAt(testLosses: readonly ArrayLike<number | null | undefined>[], t: number): Float64Array {
  const column = new Float64Array(testLosses.length);
  for (let r = 0; r < testLosses.length; r++) {
    const v = testLosses[r][t];
    column[r] = typeof v === 'number' ? v : NaN;
  }
  return column;
}

/** width n, records over R replicas and T times -> T rows, unstable replicas left out. */
export function aggregateSimulation(width: number, records: SimulationRecords, options: SimulationOptions = {}): SimulationStatistics {
  const { steps, testLosses } = records;
  const replicas = testLosses.length;
  const unstableAtStep = detectInstability(testLosses, steps, options.jumpFactor ?? INSTABILITY_JUMP_FACTOR);
  const stable = unstableAtStep.map((s) => s === null);
  const rows: SimulationStatisticsRow[] = [];
  for (let t = 0; t < steps.length; t++) {
    rows.push(rowAt(width, records, t, stableLossesAt(testLosses, t, stable), stable, options.parameterization).row);
  }
  return { width, replicas, unstableAtStep, rows };
}

/** lossesAt with unstable replicas set to NaN (index kept: replicas stay aligned across widths). */
export function stableLossesAt(testLosses: readonly ArrayLike<number | null | undefined>[], t: number, stable: readonly boolean[]): Float64Array {
  const column = lossesAt(testLosses, t);
  for (let r = 0; r < column.length; r++) if (!stable[r]) column[r] = NaN;
  return column;
}

/**
 * The row for recorded time t, given the loss column (unstable replicas NaN) already extracted, and
 * each replica's share of its mean output variance (null without probe outputs).
 */
export function rowAt(
  width: number,
  records: SimulationRecords,
  t: number,
  losses: Float64Array,
  stable: readonly boolean[] = new Array<boolean>(losses.length).fill(true),
  parameterization: Parameterization = 'mean-field',
): { row: SimulationStatisticsRow; varianceShares: Float64Array | null } {
  const unstable = stable.filter((s) => !s).length;
  const summary = summarizeReplicas(losses);
  const outputs = records.probeOutputs?.[t];
  const clt = outputs && outputs.length > 0 && losses.length > 0 ? cltFluctuation(outputs, losses.length, width, parameterization, stable) : null;
  const row = {
    step: records.steps[t],
    time: records.times[t],
    meanLoss: summary.mean,
    lossVariance: summary.variance,
    standardError: summary.standardError,
    count: summary.count,
    dropped: summary.dropped - unstable,
    unstable,
    fluctuation: clt?.fluctuation ?? null,
    meanOutputVariance: clt?.meanVariance ?? null,
    excessKurtosis: clt?.excessKurtosis ?? null,
    excessKurtosisError: clt?.excessKurtosisError ?? null,
    fourPoint: clt?.fourPoint ?? null,
    probes: clt?.probesUsed ?? 0,
  };
  return { row, varianceShares: clt?.varianceShares ?? null };
}
