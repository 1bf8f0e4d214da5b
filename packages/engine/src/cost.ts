// What a spec will cost before it runs: floating-point operations and bytes written, so the API can
// refuse a submission over a project's quota with the estimate in the message (issue 13). Rough by
// design (within a small factor): the training steps dominate compute, the trajectory rows and
// particle snapshots dominate storage.
import { DEFAULT_TRAIN_SIZE, inputDimension, type Spec } from '@mfsim/contracts';

/** Bytes of one stored trajectory point (six values, tuple header, primary key entry). */
export const TRAJECTORY_ROW_BYTES = 96;
/** Operations per sample per student unit per input coordinate: forward, backward and update. */
const FLOPS_PER_PARAMETER = 6;
const DEFAULT_LOG_POINTS = 50;

export interface CostEstimate {
  flops: number;
  bytes: number;
  parts: { trainingFlops: number; recordingFlops: number; trajectoryBytes: number; snapshotBytes: number; recordedSteps: number };
}

/** How many steps are recorded, counted without listing them (every: 1 of 1e7 steps is 1e7 + 1). */
export function recordedStepCount(spec: Pick<Spec, 'record' | 'training'>): number {
  const K = spec.training.steps;
  const { record } = spec;
  if (record.steps) return Math.min(record.steps.length + 2, K + 1);
  if (record.every) return Math.floor(K / record.every) + 2;
  return Math.min(record.logPoints ?? DEFAULT_LOG_POINTS, K + 1);
}

export function estimateCost(spec: Spec): CostEstimate {
  const d = inputDimension(spec.inputs) ?? 1;
  const R = spec.replicas;
  const n = spec.student.width;
  const { dynamics, steps } = spec.training;
  const inputs = spec.inputs;
  const trainSize = inputs.kind === 'dataset' ? (inputs.train?.x.length ?? DEFAULT_TRAIN_SIZE) : (spec.training.trainSize ?? DEFAULT_TRAIN_SIZE);
  const testSize = inputs.kind === 'dataset' ? (inputs.test?.x.length ?? trainSize) : spec.record.testSize;
  const perReplica = dynamics === 'sgd' || dynamics === 'minibatch' ? (spec.training.batchSize ?? 1) : trainSize;
  const perSample = FLOPS_PER_PARAMETER * n * (d + 2);
  const targetPerSample = spec.target.kind === 'p-spin' ? d ** spec.target.p : spec.target.kind === 'teacher' ? 2 * spec.target.width * (d + 1) : 0;
  const trainingFlops = steps * R * perReplica * (perSample + (dynamics === 'sgd' ? targetPerSample : 0));
  const recorded = recordedStepCount(spec);
  const recordingFlops = recorded * R * (testSize + Math.min(trainSize, testSize) + spec.record.probes) * (perSample / 3);
  const trajectoryBytes = recorded * R * TRAJECTORY_ROW_BYTES;
  const snapshotBytes = spec.record.snapshots.length * R * n * (d + 2) * 4;
  return {
    flops: trainingFlops + recordingFlops,
    bytes: trajectoryBytes + snapshotBytes,
    parts: { trainingFlops, recordingFlops, trajectoryBytes, snapshotBytes, recordedSteps: recorded },
  };
}
