// The limits of one run as CSV: one row per recorded step of the NTK curve (predicted train and
// test loss, the measured mean and its standard error when a run is compared), then the t = 0
// NNGP check per probe.
import type { RunAgreement } from './compare.ts';
import type { LimitsReport } from './predict.ts';

const cell = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

export function limitsCsv(report: LimitsReport, agreement?: RunAgreement | null): string {
  const lines = ['section,step,time,probe,predictedTrainLoss,predictedTestLoss,measuredMeanTestLoss,standardError,z,predictedVariance,measuredVariance'];
  const ntk = report.ntk;
  if (ntk) {
    ntk.steps.forEach((step, i) => {
      const a = agreement?.ntk?.[i];
      lines.push(`ntk,${step},${ntk.times[i]},,${cell(ntk.trainLoss[i])},${cell(ntk.testLoss[i])},${cell(a?.measuredMean)},${cell(a?.standardError)},${cell(a?.z)},,`);
    });
  }
  report.t0.probeNngp.forEach((k, j) => {
    const p = agreement?.nngp?.probes[j];
    lines.push(`nngp,0,0,${j},,,,,${cell(p?.z)},${k},${cell(p?.measured)}`);
  });
  const pooled = agreement?.nngp?.pooled;
  if (pooled) lines.push(`nngp-pooled,0,0,,,,,${pooled.standardError},${cell(pooled.z)},${pooled.predicted},${cell(pooled.measured)}`);
  return lines.join('\n') + '\n';
}
