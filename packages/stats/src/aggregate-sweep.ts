// Statistics of a sweep over widths: per width and recorded time the simulation rows, and per
// recorded time the scaling of the mean loss with the width (weighted power law with its goodness
// of fit and local slopes, L_inf + a/n (+ b/n^2), the saturating fit), the noise decomposition of
// Var f, and the mean-field extrapolation of the outputs. Times are matched across widths by
// recorded step. Unstable replicas are left out everywhere and counted per width.
import { rowAt, stableLossesAt, type SimulationRecords, type SimulationStatisticsRow } from './aggregate-simulation.ts';
import type { Parameterization } from './clt-fluctuation.ts';
import { decomposeOutputVariance, fitFiniteWidthCorrection, type FiniteWidthFit, type NoiseDecomposition, type WidthMean } from './finite-width.ts';
import { excessScaling, type ExcessScaling } from './excess-scaling.ts';
import { detectInstability, INSTABILITY_JUMP_FACTOR } from './instability.ts';
import { extrapolateMeanField, replicaMeanOutputs } from './mean-field-extrapolation.ts';
import { mixSeed } from './random.ts';
import { bootstrapMeans } from './replica-bootstrap.ts';
import { saturatingFit, type SaturatingPowerLaw } from './saturating-power-law.ts';
import { powerLawFit, prepareWidths, type ScalingExponent, type WidthLosses } from './scaling-exponent.ts';

/** One width of the sweep; records null when its simulation failed or has nothing stored. */
export interface SweepPoint {
  width: number;
  records: SimulationRecords | null;
}

export interface SweepWidthRow extends SimulationStatisticsRow {
  width: number;
}

/** Scaling across widths at one recorded time. */
export interface SweepScalingRow extends ScalingExponent {
  step: number;
  time: number;
  /** True when some width of the sweep is not among the fitted points. */
  partial: boolean;
  /** Widths of the sweep not fitted at this time: no record, too few finite losses, or a non-positive mean. */
  missingWidths: number[];
  /** m_n = L_inf + A n^-alpha (weighted, L_inf >= 0, >= 4 widths); null when not requested. */
  saturating: SaturatingPowerLaw | null;
  /** m_n = L_inf + a/n (+ b/n^2 with 5 or more widths): lInf estimates the mean-field limit of the loss. */
  finiteWidth: FiniteWidthFit;
  /** Var f = sigma2_noise + a_f/n across widths; null without probe outputs at 2 or more widths. */
  noise: NoiseDecomposition | null;
  /** m_n - L_ref against n (L_ref: the reference run's mean loss at this step); null without a reference or a record of it at this step. */
  excess: ExcessScaling | null;
}

/** Replica-mean outputs per probe extrapolated in 1/n to infinite width, at one recorded time. */
export interface SweepExtrapolationRow {
  step: number;
  time: number;
  /** Widths with probe outputs at this time. */
  widths: number[];
  /** [probes] */
  outputs: (number | null)[];
  /** [probes] */
  slopes: (number | null)[];
  reason: string | null;
}

/** Replicas left out of a width's statistics because they went unstable. */
export interface SweepInstability {
  width: number;
  replicas: number;
  unstable: number;
  /** [R] recorded step of the instability, null for a stable replica. */
  unstableAtStep: (number | null)[];
}

export interface SweepStatistics {
  /** All widths of the sweep, ascending. */
  widths: number[];
  /** True when some width is missing at some recorded time. */
  partial: boolean;
  /** Widths with no records at all. */
  missingWidths: number[];
  /** Per width with records: unstable replicas (left out of every statistic). */
  instability: SweepInstability[];
  /** Per width (ascending) and recorded time (ascending step). */
  rows: SweepWidthRow[];
  /** Per recorded time, ascending step. */
  scaling: SweepScalingRow[];
  /** Per recorded time with probe outputs at 2 or more widths. */
  extrapolation: SweepExtrapolationRow[];
  /** The reference run's unstable replicas (left out of L_ref); null without a reference. */
  referenceInstability: SweepInstability | null;
}

export interface SweepOptions {
  /** Bootstrap resamples per time; default 1000. */
  resamples?: number;
  /** Of those, the ones the saturating fit's interval uses; default 60 (each is a nonlinear fit). */
  saturatingResamples?: number;
  /** Confidence level; default 0.95. */
  level?: number;
  /** Base seed; each time's bootstrap uses mixSeed(seed, step), so a row does not depend on the others. Default 0. */
  seed?: number;
  /** Replica r of every width shares its seed (a sweep): resample replicas jointly. Default false. */
  sharedSeeds?: boolean;
  /** Default mean-field. */
  parameterization?: Parameterization;
  /** Loss jump between recorded steps that marks a replica unstable; default 10. */
  jumpFactor?: number;
  /** Also fit L_inf + A n^-alpha per time; default true. */
  saturating?: boolean;
  /** Also extrapolate the mean outputs in 1/n per time; default true. */
  extrapolate?: boolean;
  /**
   * A run much wider than `points` (the sweep's `reference`): not one of the widths fitted; its
   * mean loss L_ref(t) is subtracted for the excess scaling. Null or absent: no excess fit.
   */
  reference?: SweepPoint | null;
}

/** points: [W] of { width, records over R_w replicas and T_w times } -> sweep statistics. */
export function aggregateSweep(points: readonly SweepPoint[], options: SweepOptions = {}): SweepStatistics {
  const seed = options.seed ?? 0;
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 1000;
  const sorted = [...points].sort((a, b) => a.width - b.width);
  const widths = sorted.map((p) => p.width);
  const missingWidths = sorted.filter((p) => p.records === null || p.records.steps.length === 0).map((p) => p.width);
  const jumpFactor = options.jumpFactor ?? INSTABILITY_JUMP_FACTOR;
  const stability = sorted.map((p) => (p.records === null ? null : detectInstability(p.records.testLosses, p.records.steps, jumpFactor)));
  const stable = stability.map((s) => s?.map((v) => v === null) ?? []);
  const instability: SweepInstability[] = [];
  sorted.forEach((p, w) => {
    const s = stability[w];
    if (s !== null) instability.push({ width: p.width, replicas: s.length, unstable: s.filter((v) => v !== null).length, unstableAtStep: s });
  });

  // step -> (time, per point: index of that step in its records or -1)
  const times = new Map<number, { time: number; index: Int32Array }>();
  sorted.forEach((point, w) => {
    const records = point.records;
    if (records === null) return;
    for (let t = 0; t < records.steps.length; t++) {
      const step = records.steps[t];
      let entry = times.get(step);
      if (entry === undefined) {
        entry = { time: records.times[t], index: new Int32Array(sorted.length).fill(-1) };
        times.set(step, entry);
      }
      entry.index[w] = t;
    }
  });
  const steps = [...times.keys()].sort((a, b) => a - b);

  const reference = options.reference?.records ? { width: options.reference.width, records: options.reference.records } : null;
  const referenceUnstable = reference ? detectInstability(reference.records.testLosses, reference.records.steps, jumpFactor) : null;
  const referenceStable = referenceUnstable?.map((v) => v === null) ?? [];
  const referenceIndex = new Map<number, number>();
  if (reference) for (let t = 0; t < reference.records.steps.length; t++) referenceIndex.set(reference.records.steps[t], t);

  const rowsByWidth: SweepWidthRow[][] = sorted.map(() => []);
  const scaling: SweepScalingRow[] = [];
  const extrapolation: SweepExtrapolationRow[] = [];
  for (const step of steps) {
    const { time, index } = times.get(step)!;
    const losses: WidthLosses[] = [];
    const outputWidths: number[] = [];
    const meanOutputs: Float64Array[] = [];
    const variances: WidthMean[] = [];
    sorted.forEach((point, w) => {
      const t = index[w];
      const records = point.records;
      if (records === null || t < 0) return;
      const column = stableLossesAt(records.testLosses, t, stable[w]);
      const { row, varianceShares } = rowAt(point.width, records, t, column, stable[w], options.parameterization);
      rowsByWidth[w].push({ width: point.width, ...row });
      losses.push({ width: point.width, losses: column });
      if (row.meanOutputVariance !== null && row.count > 1) {
        // Standard error of a sample variance of R Gaussian values, sqrt(2/(R-1)) v; the probes are
        // correlated, so their mean is given no smaller error than one probe's. Each replica's share
        // of it pairs across widths like the losses: with shared seeds the fit is GLS on their covariance.
        variances.push({
          width: point.width,
          mean: row.meanOutputVariance,
          standardError: row.meanOutputVariance * Math.sqrt(2 / (row.count - 1)),
          replicas: varianceShares ?? undefined,
        });
      }
      const outputs = records.probeOutputs?.[t];
      if (options.extrapolate !== false && outputs && outputs.length > 0 && column.length > 0) {
        outputWidths.push(point.width);
        meanOutputs.push(replicaMeanOutputs(maskReplicas(outputs, stable[w]), column.length));
      }
    });

    const prepared = prepareWidths(losses);
    const joint = options.sharedSeeds === true && prepared.samples.length > 0 && prepared.samples.every((s) => s.length === prepared.samples[0].length);
    const boot = resamples > 0 && prepared.points.length >= 2 ? bootstrapMeans(prepared.samples, joint, resamples, mixSeed(seed, step)) : null;
    const fit = powerLawFit(prepared, boot, { level, joint, resamplesRequested: resamples });
    const fitted = new Set(fit.points.map((p) => p.width));
    const missing = widths.filter((n) => !fitted.has(n));
    scaling.push({
      step,
      time,
      ...fit,
      partial: missing.length > 0,
      missingWidths: missing,
      saturating: options.saturating === false ? null : saturatingFit(prepared, boot, { level, resamples: options.saturatingResamples ?? 60, joint }),
      finiteWidth: fitFiniteWidthCorrection(
        prepared.points.map((p, i) => ({ width: p.width, mean: p.meanLoss, standardError: p.standardError, replicas: prepared.samples[i] })),
        { level, paired: joint },
      ),
      noise: variances.length >= 2 ? decomposeOutputVariance(variances, level, joint) : null,
      // A reference without a record at this step (it failed or was cancelled) gives a fit with the reason.
      excess: options.reference
        ? excessScaling(losses, {
          width: options.reference.width,
          losses: reference && referenceIndex.has(step) ? stableLossesAt(reference.records.testLosses, referenceIndex.get(step)!, referenceStable) : [],
        }, { level, resamples, seed: mixSeed(seed ^ 0x5eed, step), sharedSeeds: options.sharedSeeds })
        : null,
    });
    if (outputWidths.length >= 2) {
      extrapolation.push({ step, time, ...extrapolateMeanField(outputWidths, meanOutputs) });
    }
  }
  return {
    widths,
    partial: missingWidths.length > 0 || scaling.some((s) => s.partial),
    missingWidths,
    instability,
    rows: rowsByWidth.flat(),
    scaling,
    extrapolation,
    referenceInstability: reference && referenceUnstable
      ? { width: reference.width, replicas: referenceUnstable.length, unstable: referenceUnstable.filter((v) => v !== null).length, unstableAtStep: referenceUnstable }
      : null,
  };
}

/** outputs [R * probes] with the rows of unstable replicas set to NaN. */
function maskReplicas(outputs: ArrayLike<number>, stable: readonly boolean[]): ArrayLike<number> {
  if (stable.every(Boolean)) return outputs;
  const probes = outputs.length / stable.length;
  const out = Float64Array.from(outputs);
  stable.forEach((s, r) => {
    if (!s) out.fill(NaN, r * probes, (r + 1) * probes);
  });
  return out;
}

/** The mean-field limit of the loss per recorded time: L_inf(t) of the L_inf + a/n fit, with its interval. */
export interface MeanFieldLossPoint {
  step: number;
  time: number;
  lInf: number | null;
  lower: number | null;
  upper: number | null;
  /** p-value of the L_inf + a/n fit; null when it cannot be tested. */
  pValue: number | null;
  reason: string | null;
}

/** sweep statistics -> L_inf(t) for every recorded time (for comparing limits with a mean-field sweep). */
export function meanFieldLossLimit(statistics: Pick<SweepStatistics, 'scaling'>): MeanFieldLossPoint[] {
  return statistics.scaling.map(({ step, time, finiteWidth }) => ({
    step,
    time,
    lInf: finiteWidth.lInf?.value ?? null,
    lower: finiteWidth.lInf?.lower ?? null,
    upper: finiteWidth.lInf?.upper ?? null,
    pValue: finiteWidth.goodness?.pValue ?? null,
    reason: finiteWidth.reason,
  }));
}


