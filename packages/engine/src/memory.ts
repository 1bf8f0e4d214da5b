// The working set of one worker running a spec, so the API can refuse what cannot fit.
import { DEFAULT_TRAIN_SIZE, inputDimension, type Spec } from '@mfsim/contracts';
import { pointsPerCall } from './targets.ts';

/** Default budget for one simulation's working set: 4 GiB. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 4 * 2 ** 30;

/** The budget: env MFSIM_MEMORY_BUDGET_BYTES when set to a positive number, else the default. */
export function memoryBudgetBytes(env: Record<string, string | undefined> = process.env): number {
  const v = Number(env.MFSIM_MEMORY_BUDGET_BYTES);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MEMORY_BUDGET_BYTES;
}

export interface MemoryEstimate {
  bytes: number;
  parts: Record<string, number>;
}

const F32 = 4;

/**
 * Estimated peak bytes of a run: particles (state, kernel copies, gradients: 4 copies), the largest
 * step's activations (about 4 live [R, B, n] float32 tensors: pre-activations, outputs, their
 * derivative, the gradient factor), data (training set, test set, probes, a batch), the p-spin
 * couplings (float64 J and its symmetrised copy) and one chunk's records.
 */
export function estimateMemory(spec: Spec): MemoryEstimate {
  const d = inputDimension(spec.inputs) ?? 1;
  const R = spec.replicas;
  const n = spec.student.width;
  const { dynamics } = spec.training;
  const inputs = spec.inputs;
  const trainSize = inputs.kind === 'dataset' ? (inputs.train?.x.length ?? 0) : dynamics === 'sgd' ? 0 : (spec.training.trainSize ?? DEFAULT_TRAIN_SIZE);
  // A dataset without inputs.test is tested on its training set (no second copy).
  const testSize = inputs.kind === 'dataset' ? (inputs.test?.x.length ?? 0) : spec.record.testSize;
  const B = dynamics === 'gd' || dynamics === 'sde' ? trainSize : (spec.training.batchSize ?? 0);
  const perStep = dynamics === 'sgd' || dynamics === 'minibatch' ? R * B : B;
  // Recording evaluates in blocks of pointsPerCall(R, n) points.
  const evalPoints = Math.min(Math.max(testSize, spec.record.probes, trainSize), pointsPerCall(R, n));
  const parts: Record<string, number> = {
    particles: 4 * R * n * (d + 2) * F32,
    activations: 4 * R * Math.max(B, evalPoints) * n * F32,
    data: (trainSize + testSize + spec.record.probes + perStep) * (d + 1) * F32 + (dynamics === 'sde' ? R * B * F32 : 0),
    target: spec.target.kind === 'p-spin' ? 2 * d ** spec.target.p * 8 : spec.target.kind === 'teacher' ? spec.target.width * (d + 2) * F32 : 0,
    records: (spec.record.snapshots.length > 0 ? R * n * (d + 2) * F32 : 0) + R * spec.record.probes * F32 * 64,
  };
  const bytes = Object.values(parts).reduce((a, b) => a + b, 0);
  return { bytes, parts };
}
