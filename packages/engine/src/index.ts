// @mfsim/engine: the particle dynamics of science.md. Pure: spec + seed (+ state) -> records.
//
// Conventions (details next to the code that implements them):
// - Random numbers: Philox4x32-10 keyed by (seed, stream), counter (block, step, replica, lane);
//   normals by a ziggurat on its words (rng.ts). Every draw is a function of its coordinates, so
//   chunking, resuming and thread counts do not change a run.
// - Shared by all replicas: target, training set (`trainSize`, default 1024), test set
//   (`record.testSize`), probes (`record.probes`). Datasets: inputs.train; the test set is
//   inputs.test, or the training set when there is none; sgd batches and probes are drawn with
//   replacement from inputs.train (problem.ts, inputs.ts).
// - Batches (dynamics.ts): gd the training set; sgd B fresh points per replica per step; minibatch
//   floor(P/B) batches per epoch, reshuffled per replica per epoch; sde the reference sample with
//   weights 1/P + (zeta - mean zeta)/sqrt(B P), zeta per replica per step.
// - Recording (schedule.ts, simulate.ts): trainLoss at step k = loss of the particles after k
//   updates on the sample step k uses (for k = K, the one it would use); steps 0 and K always.
// - Divergence: the first non-finite loss ends the run; values are stored as null, never NaN.
export type * from './types.ts';
export type * from './kernel.ts';
export { simulate, DEFAULT_CHUNK_MS, DEFAULT_CHUNK_MAX_STEPS } from './simulate.ts';
export { selectKernel, KERNEL_PREFERENCES, type KernelPreference, type KernelChoice } from './select.ts';
export { estimateMemory, memoryBudgetBytes, DEFAULT_MEMORY_BUDGET_BYTES, type MemoryEstimate } from './memory.ts';
export { recordedSteps, DEFAULT_LOG_POINTS } from './schedule.ts';
export {
  encodeCheckpoint, decodeCheckpoint, checkpointHeader, verifyCheckpoint, specHash, CheckpointMismatchError, type CheckpointIdentity,
} from './checkpoint.ts';
export { referenceKernel } from './kernels/reference.ts';
export { loadTfjsKernel, type TfjsBackend } from './kernels/tfjs.ts';
export { loadNativeKernel } from './kernels/native.ts';
export { loadCudaKernel } from './kernels/cuda.ts';
export { STREAMS } from './rng.ts';
// For the infinite-width limits (@mfsim/limits): the same units and the same data as a run.
export { activation, activationDerivative, erf } from './units.ts';
export { setupProblem, type Problem } from './problem.ts';
export { loadNativeAddon } from './kernels/native.ts';
