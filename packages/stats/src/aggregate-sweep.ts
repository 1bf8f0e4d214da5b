// Statistics of a sweep over widths: per width and recorded time the simulation rows, and per
// recorded time the scaling of the mean loss with the width and the mean-field extrapolation.
// Times are matched across widths by recorded step.
import { lossesAt, rowAt, type SimulationRecords, type SimulationStatisticsRow } from './aggregate-simulation.ts';
import { extrapolateMeanField, replicaMeanOutputs } from './mean-field-extrapolation.ts';
import { mixSeed } from './random.ts';
import { fitSaturatingPowerLaw, type SaturatingPowerLaw } from './saturating-power-law.ts';
import { scalingExponent, type ScalingExponent, type WidthLosses } from './scaling-exponent.ts';

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
  /** Widths of the sweep not fitted at this time: no record, no finite loss, or a non-positive mean. */
  missingWidths: number[];
  /** m_n = L_inf + A n^-alpha on the fitted points; null when not requested. */
  saturating: SaturatingPowerLaw | null;
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

export interface SweepStatistics {
  /** All widths of the sweep, ascending. */
  widths: number[];
  /** True when some width is missing at some recorded time. */
  partial: boolean;
  /** Widths with no records at all. */
  missingWidths: number[];
  /** Per width (ascending) and recorded time (ascending step). */
  rows: SweepWidthRow[];
  /** Per recorded time, ascending step. */
  scaling: SweepScalingRow[];
  /** Per recorded time with probe outputs at 2 or more widths. */
  extrapolation: SweepExtrapolationRow[];
}

export interface SweepOptions {
  /** Bootstrap resamples per time; default 1000. */
  resamples?: number;
  /** Confidence level; default 0.95. */
  level?: number;
  /** Base seed; each time's bootstrap uses mixSeed(seed, step), so a row does not depend on the others. Default 0. */
  seed?: number;
  /** Also fit L_inf + A n^-alpha per time; default true. */
  saturating?: boolean;
  /** Also extrapolate the mean outputs in 1/n per time; default true. */
  extrapolate?: boolean;
}

/** points: [W] of { width, records over R_w replicas and T_w times } -> sweep statistics. */
export function aggregateSweep(points: readonly SweepPoint[], options: SweepOptions = {}): SweepStatistics {
  const seed = options.seed ?? 0;
  const sorted = [...points].sort((a, b) => a.width - b.width);
  const widths = sorted.map((p) => p.width);
  const missingWidths = sorted.filter((p) => p.records === null || p.records.steps.length === 0).map((p) => p.width);

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

  const rowsByWidth: SweepWidthRow[][] = sorted.map(() => []);
  const scaling: SweepScalingRow[] = [];
  const extrapolation: SweepExtrapolationRow[] = [];
  for (const step of steps) {
    const { time, index } = times.get(step)!;
    const losses: WidthLosses[] = [];
    const outputWidths: number[] = [];
    const meanOutputs: Float64Array[] = [];
    sorted.forEach((point, w) => {
      const t = index[w];
      const records = point.records;
      if (records === null || t < 0) return;
      const column = lossesAt(records.testLosses, t);
      rowsByWidth[w].push({ width: point.width, ...rowAt(point.width, records, t, column) });
      losses.push({ width: point.width, losses: column });
      const outputs = records.probeOutputs?.[t];
      if (options.extrapolate !== false && outputs && outputs.length > 0 && column.length > 0) {
        outputWidths.push(point.width);
        meanOutputs.push(replicaMeanOutputs(outputs, column.length));
      }
    });

    const fit = scalingExponent(losses, { resamples: options.resamples, level: options.level, seed: mixSeed(seed, step) });
    const fitted = new Set(fit.points.map((p) => p.width));
    const missing = widths.filter((n) => !fitted.has(n));
    scaling.push({
      step,
      time,
      ...fit,
      partial: missing.length > 0,
      missingWidths: missing,
      saturating:
        options.saturating === false
          ? null
          : fitSaturatingPowerLaw(
              fit.points.map((p) => p.width),
              fit.points.map((p) => p.meanLoss),
            ),
    });
    if (outputWidths.length >= 2) {
      extrapolation.push({ step, time, ...extrapolateMeanField(outputWidths, meanOutputs) });
    }
  }
  return {
    widths,
    partial: missingWidths.length > 0 || scaling.some((s) => s.partial),
    missingWidths,
    rows: rowsByWidth.flat(),
    scaling,
    extrapolation,
  };
}
