// @mfsim/stats: the statistics of science.md as pure functions of arrays. Results are plain
// numbers, arrays and nulls (never NaN), so they serialise to JSON and to SQL rows as they are.
export { summarizeReplicas, type ReplicaSummary } from './replica-summary.ts';
export { cltFluctuation, outputScale, FOUR_POINT_PROBES, type CltFluctuation, type Parameterization } from './clt-fluctuation.ts';
export { fitLine, type LineFit } from './line-fit.ts';
export { betaIncomplete, chiSquarePValue, fPValue, gammaQ, logGamma, normalQuantile } from './special.ts';
// GLS across widths whose replicas are paired (shared seeds): calibrated chi-square and intervals.
export { pairedLeastSquares, pairedMeanCovariance, type CovarianceKind, type MeanCovariance, type PairedFit } from './paired-fit.ts';
export {
  weightedLeastSquares,
  estimateOf,
  goodnessOf,
  FIT_P_THRESHOLD,
  type Estimate,
  type GoodnessOfFit,
  type WeightedFit,
} from './weighted-fit.ts';
// The L_inf(t) + a(t)/n fit: the mean-field limit of the loss from a width sweep.
export {
  fitFiniteWidthCorrection,
  decomposeOutputVariance,
  type FiniteWidthFit,
  type FiniteWidthOptions,
  type NoiseDecomposition,
  type WidthMean,
} from './finite-width.ts';
export { bootstrapMeans } from './replica-bootstrap.ts';
export {
  scalingExponent,
  powerLawFit,
  prepareWidths,
  quantile,
  type LocalSlope,
  type PowerLawVerdict,
  type PreparedWidths,
  type ScalingExponent,
  type ScalingInterval,
  type ScalingOptions,
  type ScalingPoint,
  type WidthLosses,
} from './scaling-exponent.ts';
export {
  fitSaturatingPowerLaw,
  saturatingFit,
  SATURATING_MIN_WIDTHS,
  type SaturatingPowerLaw,
  type SaturatingPowerLawOptions,
} from './saturating-power-law.ts';
export {
  extrapolateMeanField,
  replicaMeanOutputs,
  type MeanFieldExtrapolation,
} from './mean-field-extrapolation.ts';
export { detectInstability, stableReplicas, INSTABILITY_JUMP_FACTOR } from './instability.ts';
export {
  aggregateSimulation,
  lossesAt,
  type SimulationOptions,
  type SimulationRecords,
  type SimulationStatistics,
  type SimulationStatisticsRow,
} from './aggregate-simulation.ts';
export { excessScaling, type ExcessOptions, type ExcessScaling, type ReferenceLoss } from './excess-scaling.ts';
export {
  aggregateSweep,
  meanFieldLossLimit,
  type MeanFieldLossPoint,
  type SweepExtrapolationRow,
  type SweepInstability,
  type SweepOptions,
  type SweepPoint,
  type SweepScalingRow,
  type SweepStatistics,
  type SweepWidthRow,
} from './aggregate-sweep.ts';
export { createRandom, mixSeed, type Random } from './random.ts';
