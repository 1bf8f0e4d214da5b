// The limits of one run as CSV rows: one row per recorded step of the NTK curve (predicted train and
// test loss, the measured mean and its standard error when a run is compared), then the t = 0
// NNGP check per probe, then the pooled check. Rows only: the text is written by the one CSV
// writer (@mfsim/client's csvLine/toCsv) where a reply or a file is made.
import type { RunAgreement } from './compare.ts';
import type { LimitsReport } from './predict.ts';

export const LIMITS_CSV_COLUMNS = [
  'section', 'step', 'time', 'probe', 'predictedTrainLoss', 'predictedTestLoss', 'measuredMeanTestLoss',
  'standardError', 'z', 'predictedVariance', 'measuredVariance',
] as const;

export type LimitsCsvRow = Partial<Record<(typeof LIMITS_CSV_COLUMNS)[number], string | number | null>>;

export function limitsCsvRows(report: LimitsReport, agreement?: RunAgreement | null): LimitsCsvRow[] {
  const rows: LimitsCsvRow[] = [];
  const ntk = report.ntk;
  if (ntk) {
    ntk.steps.forEach((step, i) => {
      const a = agreement?.ntk?.[i];
      rows.push({
        section: 'ntk', step, time: ntk.times[i], predictedTrainLoss: ntk.trainLoss[i], predictedTestLoss: ntk.testLoss[i],
        measuredMeanTestLoss: a?.measuredMean, standardError: a?.standardError, z: a?.z,
      });
    });
  }
  report.t0.probeNngp.forEach((k, j) => {
    const p = agreement?.nngp?.probes[j];
    rows.push({ section: 'nngp', step: 0, time: 0, probe: j, z: p?.z, predictedVariance: k, measuredVariance: p?.measured });
  });
  const pooled = agreement?.nngp?.pooled;
  if (pooled) {
    rows.push({
      section: 'nngp-pooled', step: 0, time: 0, standardError: pooled.standardError, z: pooled.z,
      predictedVariance: pooled.predicted, measuredVariance: pooled.measured,
    });
  }
  return rows;
}
