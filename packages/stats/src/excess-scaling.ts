// The scaling of the excess loss over a mean-field reference: e_n(t) = m_n(t) - L_ref(t), where
// L_ref(t) is the mean test loss of one run much wider than the sweep's widths (its `reference`).
// Subtracting it removes the part of the loss that the mean-field limit itself still has at finite
// t, which otherwise bends the plain log m_n against log n line. Fitted exactly as the plain
// scaling (powerLawFit: weighted log-space power law, goodness, local slopes), each width's
// standard error combined with the reference's, sqrt(se_n^2 + se_ref^2). The interval bootstraps
// the replicas of the widths and of the reference together (jointly when they share seeds and
// counts), so it carries the correlation that one shared L_ref puts between the widths' excesses.
// So does the chi-square when the replicas are paired: the covariance of the excesses is then
// A C A' (C: the paired covariance of the widths' and the reference's means, A: subtract the last),
// and the fit is GLS with it (paired-fit.ts); otherwise the widths are treated as independent.
import { pairedMeanCovariance, type MeanCovariance } from './paired-fit.ts';
import { bootstrapMeans } from './replica-bootstrap.ts';
import { powerLawFit, prepareWidths, type ScalingExponent, type ScalingPoint, type WidthLosses } from './scaling-exponent.ts';

/** The reference run at one recorded time. */
export interface ReferenceLoss {
  width: number;
  /** L_ref(t): mean over its finite, stable replicas. */
  meanLoss: number;
  /** sqrt(sample variance / count). */
  standardError: number;
  count: number;
}

export interface ExcessScaling extends ScalingExponent {
  /** L_ref(t) that was subtracted; null when the reference had too few finite losses at this time. */
  reference: ReferenceLoss | null;
  /** Widths whose excess m_n - L_ref was not positive (no logarithm): left out of the fit. */
  nonPositiveWidths: number[];
}

export interface ExcessOptions {
  level?: number;
  /** Bootstrap resamples; default 1000; 0 skips the interval. */
  resamples?: number;
  seed?: number;
  /** Replica r of every width and of the reference shares its seed: resample jointly (needs equal counts). */
  sharedSeeds?: boolean;
}

/** widths: [W] of { width, losses [R_w] }, reference: { width, losses [R_ref] } -> the excess power law. */
export function excessScaling(widths: readonly WidthLosses[], reference: WidthLosses, options: ExcessOptions = {}): ExcessScaling {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const prepared = prepareWidths(widths);
  const ref = prepareWidths([reference]);
  if (ref.points.length === 0) {
    const reason = `the reference run (n = ${reference.width}) has fewer than 2 finite, stable losses with a spread at this time (or no record: it failed, diverged or was cancelled)`;
    const fit = powerLawFit({ points: [], samples: [], excludedWidths: prepared.excludedWidths }, null, { level, joint: false, resamplesRequested: 0 });
    return { ...fit, reason, intervalReason: reason, verdict: `no exponent: ${reason}`, reference: null, nonPositiveWidths: [] };
  }
  const l = ref.points[0];
  const points: ScalingPoint[] = [];
  const samples: Float64Array[] = [];
  const nonPositiveWidths: number[] = [];
  for (let i = 0; i < prepared.points.length; i++) {
    const p = prepared.points[i];
    const excess = p.meanLoss - l.meanLoss;
    if (!(excess > 0)) {
      nonPositiveWidths.push(p.width);
      continue;
    }
    points.push({ width: p.width, meanLoss: excess, standardError: Math.hypot(p.standardError, l.standardError), count: p.count });
    samples.push(prepared.samples[i]);
  }
  const excludedWidths = [...prepared.excludedWidths, ...nonPositiveWidths].sort((a, b) => a - b);
  const withReference = [...samples, ref.samples[0]];
  const joint = options.sharedSeeds === true && withReference.every((s) => s.length === withReference[0].length);
  let boot: Float64Array | null = null;
  if (resamples > 0 && points.length >= 2) {
    // [B * (W + 1)] means, the reference last -> [B * W] excesses.
    const means = bootstrapMeans(withReference, joint, resamples, options.seed ?? 0);
    const w = points.length;
    boot = new Float64Array(resamples * w);
    for (let b = 0; b < resamples; b++) {
      const r = means[b * (w + 1) + w];
      for (let i = 0; i < w; i++) boot[b * w + i] = means[b * (w + 1) + i] - r;
    }
  }
  const fit = powerLawFit({ points, samples, excludedWidths }, boot, { level, joint, resamplesRequested: resamples, covariance: excessCovariance(withReference, joint) });
  if (fit.alpha === null && nonPositiveWidths.length > 0) {
    const reason = `${fit.reason}; m_n - L_ref is not positive at n = ${nonPositiveWidths.join(', ')} (their mean loss is at or below L_ref)`;
    return { ...fit, reason, intervalReason: reason, verdict: `no exponent: ${reason}`, reference: l, nonPositiveWidths };
  }
  return { ...fit, reference: l, nonPositiveWidths };
}

/** samples: [W + 1] the widths' replicas and the reference's last -> the covariance of the W excesses m_i - L_ref. */
function excessCovariance(samples: readonly Float64Array[], joint: boolean): MeanCovariance {
  if (!joint) return { kind: 'independent', reason: 'replicas are not paired across the widths and the reference (no shared seeds, or different counts)' };
  const full = pairedMeanCovariance(samples);
  if (full.kind === 'independent') return full;
  const n = samples.length;
  const w = n - 1;
  const c = full.matrix;
  const matrix = new Float64Array(w * w);
  for (let i = 0; i < w; i++) {
    for (let j = 0; j < w; j++) matrix[i * w + j] = c[i * n + j] - c[i * n + w] - c[w * n + j] + c[w * n + w];
  }
  return { kind: 'paired', matrix, replicas: full.replicas };
}
