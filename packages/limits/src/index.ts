// @mfsim/limits: the n -> infinity side of every run (science.md, "Limits"). Pure: spec + seed -> numbers.
// kernels.ts: NNGP K and NTK Theta per unit; ntk-dynamics.ts: the closed-form NTK curves (linalg.ts:
// OpenBLAS through the engine's C++ addon when the host has it, the addon's own code, else eigen.ts
// and plain loops);
// predict.ts: the report for one spec; nngp-check.ts: the t = 0 check against measured outputs.
export { limitKernel, NoKernelError, type LimitKernel, type KernelMatrices } from './kernels.ts';
export { type Eigen } from './eigen.ts';
export {
  symmetricEigen, matmulABt, linalgBackend, setLinalgBackend, setLinalgThreads, setEigenMethod, openblasStatus,
  type LinalgBackend, type OpenblasStatus,
} from './linalg.ts';
export { ntkGradientDescent, ntkTestLossSpread, type KernelBlocks, type NtkCurves, type NtkTimings } from './ntk-dynamics.ts';
export {
  predictLimits, checkLimitsSize, LimitsTooLargeError, maxKernelTrainSize, KERNEL_TRAIN_SIZE_LIMITS, DEFAULT_REFERENCE_SIZE, runReferenceSize,
  type LimitsReport, type LimitsOptions,
} from './predict.ts';
export { nngpCheck, type NngpCheck } from './nngp-check.ts';
export { compareWithRun, type RunAgreement, type RunRecords, type StepAgreement } from './compare.ts';
export { limitsCsvRows, LIMITS_CSV_COLUMNS, type LimitsCsvRow } from './csv.ts';
