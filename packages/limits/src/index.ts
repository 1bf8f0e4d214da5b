// @mfsim/limits: the n -> infinity side of every run (science.md, "Limits"). Pure: spec + seed -> numbers.
// kernels.ts: NNGP K and NTK Theta per unit; ntk-dynamics.ts: the closed-form NTK curves (eigen.ts);
// predict.ts: the report for one spec; nngp-check.ts: the t = 0 check against measured outputs.
export { limitKernel, NoKernelError, type LimitKernel, type KernelMatrices } from './kernels.ts';
export { symmetricEigen, type Eigen } from './eigen.ts';
export { ntkGradientDescent, type KernelBlocks, type NtkCurves } from './ntk-dynamics.ts';
export {
  predictLimits, checkLimitsSize, LimitsTooLargeError, MAX_KERNEL_TRAIN_SIZE, DEFAULT_REFERENCE_SIZE,
  type LimitsReport, type LimitsOptions,
} from './predict.ts';
export { nngpCheck, type NngpCheck } from './nngp-check.ts';
export { compareWithRun, type RunAgreement, type RunRecords, type StepAgreement } from './compare.ts';
export { limitsCsv } from './csv.ts';
