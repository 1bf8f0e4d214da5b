// @mfsim/stats: the statistics of science.md as pure functions of arrays. Results are plain
// numbers, arrays and nulls (never NaN), so they serialise to JSON and to SQL rows as they are.
export { summarizeReplicas, type ReplicaSummary } from './replica-summary.ts';
export { cltFluctuation, type CltFluctuation } from './clt-fluctuation.ts';
export { fitLine, type LineFit } from './line-fit.ts';
export {
  scalingExponent,
  quantile,
  type ScalingExponent,
  type ScalingInterval,
  type ScalingOptions,
  type ScalingPoint,
  type WidthLosses,
} from './scaling-exponent.ts';
export {
  fitSaturatingPowerLaw,
  type SaturatingPowerLaw,
  type SaturatingPowerLawOptions,
} from './saturating-power-law.ts';
export {
  extrapolateMeanField,
  replicaMeanOutputs,
  type MeanFieldExtrapolation,
} from './mean-field-extrapolation.ts';
export {
  aggregateSimulation,
  lossesAt,
  type SimulationRecords,
  type SimulationStatistics,
  type SimulationStatisticsRow,
} from './aggregate-simulation.ts';
export {
  aggregateSweep,
  type SweepExtrapolationRow,
  type SweepOptions,
  type SweepPoint,
  type SweepScalingRow,
  type SweepStatistics,
  type SweepWidthRow,
} from './aggregate-sweep.ts';
export { createRandom, mixSeed, type Random } from './random.ts';
