// Statistics of one simulation over its replicas, one row per recorded time.
import { cltFluctuation } from './clt-fluctuation.ts';
import { summarizeReplicas } from './replica-summary.ts';

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

/** One recorded time of one simulation. Plain numbers and nulls: JSON and SQL rows alike. */
export interface SimulationStatisticsRow {
  step: number;
  time: number;
  /** Mean test loss m_n(t) over finite replicas; null when none. */
  meanLoss: number | null;
  /** Unbiased variance v_n(t) over replicas (divisor R - 1); null when fewer than 2. */
  lossVariance: number | null;
  /** sqrt(v_n(t) / R). */
  standardError: number | null;
  /** Replicas with a finite test loss. */
  count: number;
  /** Replicas whose test loss was null or not finite. */
  dropped: number;
  /** n * mean over probes of the variance over replicas of the output; null without probes. */
  fluctuation: number | null;
  /** Mean over probes of the variance over replicas of the output. */
  meanOutputVariance: number | null;
  /** Excess kurtosis of the standardised output fluctuations pooled over probes (see cltFluctuation). */
  excessKurtosis: number | null;
  /** Probes whose variance was defined. */
  probes: number;
}

export interface SimulationStatistics {
  width: number;
  replicas: number;
  rows: SimulationStatisticsRow[];
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

/** width n, records over R replicas and T times -> T rows. */
export function aggregateSimulation(width: number, records: SimulationRecords): SimulationStatistics {
  const { steps, testLosses } = records;
  const replicas = testLosses.length;
  const rows: SimulationStatisticsRow[] = [];
  for (let t = 0; t < steps.length; t++) {
    rows.push(rowAt(width, records, t, lossesAt(testLosses, t)));
  }
  return { width, replicas, rows };
}

/** The row for recorded time t, given the loss column already extracted. */
export function rowAt(width: number, records: SimulationRecords, t: number, losses: Float64Array): SimulationStatisticsRow {
  const summary = summarizeReplicas(losses);
  const outputs = records.probeOutputs?.[t];
  const clt = outputs && outputs.length > 0 && losses.length > 0 ? cltFluctuation(outputs, losses.length, width) : null;
  return {
    step: records.steps[t],
    time: records.times[t],
    meanLoss: summary.mean,
    lossVariance: summary.variance,
    standardError: summary.standardError,
    count: summary.count,
    dropped: summary.dropped,
    fluctuation: clt?.fluctuation ?? null,
    meanOutputVariance: clt?.meanVariance ?? null,
    excessKurtosis: clt?.excessKurtosis ?? null,
    probes: clt?.probesUsed ?? 0,
  };
}
