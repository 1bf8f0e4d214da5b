// A finished run against its limits: the t = 0 NNGP check on the stored step-0 probe outputs, and
// per recorded step the replicas' mean test loss against the NTK curve (a z-score with the
// standard error over replicas, and the relative gap). "within" is the lab's agreement rule:
// 3 standard errors or 2% relative.
import { nngpCheck, type NngpCheck } from './nngp-check.ts';
import type { LimitsReport } from './predict.ts';

export interface RunRecords {
  steps: ArrayLike<number>;
  /** [R][T], null where a replica has no finite value */
  testLosses: readonly ArrayLike<number | null | undefined>[];
  /** [T] of [R * probes] */
  probeOutputs?: readonly (ArrayLike<number> | null | undefined)[];
}

export interface StepAgreement {
  step: number;
  predicted: number | null;
  measuredMean: number | null;
  standardError: number | null;
  count: number;
  z: number | null;
  relativeGap: number | null;
  within: boolean | null;
}

export interface RunAgreement {
  nngp: NngpCheck | null;
  ntk: StepAgreement[] | null;
  /** Every step with both numbers within 3 SE or 2%. */
  ntkAgrees: boolean | null;
}

export function compareWithRun(report: LimitsReport, replicas: number, records: RunRecords): RunAgreement {
  const steps = Array.from(records.steps);
  const first = steps.indexOf(0);
  const probes0 = first >= 0 ? records.probeOutputs?.[first] : null;
  const nngp = probes0 && report.t0.probeNngp.length > 0
    ? nngpCheck(probes0, replicas, report.t0.probeCovariance, report.outputScale) : null;
  if (!report.ntk) return { nngp, ntk: null, ntkAgrees: null };
  const byStep = new Map(steps.map((s, t) => [s, t]));
  const ntk = report.ntk.steps.map((step, i): StepAgreement => {
    const predicted = report.ntk!.testLoss[i];
    const t = byStep.get(step);
    const values = t === undefined ? [] : records.testLosses.map((r) => r[t]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const count = values.length;
    if (count === 0 || predicted === null) {
      return { step, predicted, measuredMean: null, standardError: null, count, z: null, relativeGap: null, within: null };
    }
    const mean = values.reduce((a, b) => a + b, 0) / count;
    const se = count > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (count - 1) / count) : null;
    const gap = mean - predicted;
    const relativeGap = predicted !== 0 ? gap / predicted : null;
    const z = se !== null && se > 0 ? gap / se : null;
    const within = (z !== null && Math.abs(z) <= 3) || (relativeGap !== null && Math.abs(relativeGap) <= 0.02);
    return { step, predicted, measuredMean: mean, standardError: se, count, z, relativeGap, within };
  });
  const judged = ntk.filter((s) => s.within !== null);
  return { nngp, ntk, ntkAgrees: judged.length > 0 ? judged.every((s) => s.within) : null };
}
