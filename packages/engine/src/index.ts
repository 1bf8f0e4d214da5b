// @mfsim/engine: the particle dynamics of science.md. Pure: spec + seed (+ state) -> records.
export type * from './types.ts';
export type * from './kernel.ts';
export { simulate, DEFAULT_CHUNK_MS, DEFAULT_CHUNK_MAX_STEPS } from './simulate.ts';
export { selectKernel, KERNEL_PREFERENCES, type KernelPreference, type KernelChoice } from './select.ts';
export { estimateMemory, memoryBudgetBytes, DEFAULT_MEMORY_BUDGET_BYTES, type MemoryEstimate } from './memory.ts';
export { recordedSteps, DEFAULT_LOG_POINTS } from './schedule.ts';
export { encodeCheckpoint, decodeCheckpoint } from './checkpoint.ts';
export { referenceKernel } from './kernels/reference.ts';
export { loadTfjsKernel, type TfjsBackend } from './kernels/tfjs.ts';
export { loadNativeKernel } from './kernels/native.ts';
export { loadCudaKernel } from './kernels/cuda.ts';
export { STREAMS } from './rng.ts';
