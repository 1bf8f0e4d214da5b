// The infinite-width predictions for one spec and seed, on the run's own data (same training set,
// test set and probes as the engine draws): t = 0 for every run (NNGP), and for `ntk` runs on the
// square loss without weight decay or temperature the whole NTK curve (ntk-dynamics.ts).
// gd: the training set; sde and minibatch: their training set (the drift; batch noise not
// included); sgd: a reference sample of `referenceSize` points of the input law.
import { inputDimension, type Spec } from '@mfsim/contracts';
import { recordedSteps, referenceKernel, setupProblem } from '@mfsim/engine';
import { limitKernel, NoKernelError } from './kernels.ts';
import { linalgBackend, type LinalgBackend } from './linalg.ts';
import { ntkGradientDescent, type NtkCurves } from './ntk-dynamics.ts';

/**
 * Largest training (or reference) sample whose NTK curve fits one request, per linear-algebra path
 * (linalg.ts): about a second of one core. bench:limits, one thread, 200 recorded steps, CPU
 * seconds: the addon's own solver 0.6 s at P = 512 and 2.5 s at 1024 (too slow for a request);
 * OpenBLAS 0.3 s at 512, 0.7 s at 1024 and 3.4 s at 2048 (too slow again); TypeScript about 10x
 * the addon, kept at 512 as before. The one definition of the bound: the API's 400 and the worker's
 * note read it through maxKernelTrainSize.
 */
export const KERNEL_TRAIN_SIZE_LIMITS: Readonly<Record<LinalgBackend, number>> = { openblas: 1024, native: 512, typescript: 512 };

/** The bound on the path that serves here (or on `backend`). */
export function maxKernelTrainSize(backend: LinalgBackend = linalgBackend()): number {
  return KERNEL_TRAIN_SIZE_LIMITS[backend];
}
/** sgd's reference sample when the caller names none. */
export const DEFAULT_REFERENCE_SIZE = 4096;

/**
 * sgd's reference sample for a run's own report (the worker, `mfsim run --local`): the default when
 * this host's linear algebra takes it, else the largest it takes, so every ntk sgd run gets its curve
 * (the report's note says the size). `POST /v1/limits` and `mfsim limits` keep the default and refuse.
 */
export function runReferenceSize(): number {
  return Math.min(DEFAULT_REFERENCE_SIZE, maxKernelTrainSize());
}

export interface LimitsOptions {
  referenceSize?: number;
  /** 'note' (the worker): a training set too large gives the t = 0 part and a note instead of an error. */
  oversize?: 'throw' | 'note';
  /** The bound on the training sample (default maxKernelTrainSize(); the benchmark lifts it). */
  maxTrainSize?: number;
}

export interface LimitsReport {
  parameterization: 'mean-field' | 'ntk';
  unit: string;
  width: number;
  /** n * alpha_n^2: Var f_0 = outputScale * K (1 under ntk, 1/n under mean-field). */
  outputScale: number;
  t0: {
    /** K(x_j, x_j) per probe: the limit of the CLT fluctuation at step 0. */
    probeNngp: number[];
    /** K between probes [J, J] row-major (the covariance of the measured variances). */
    probeCovariance: number[];
    expectedTestLoss: number;
  };
  ntk: null | {
    sample: 'training set' | 'reference sample';
    trainSize: number;
    steps: number[];
    times: number[];
    trainLoss: (number | null)[];
    testLoss: (number | null)[];
    probeMean: (number | null)[][];
    probeVariance: (number | null)[][];
    stepTimesLargestRate: number;
    smallestEigenvalue: number;
    largestEigenvalue: number;
  };
  /** Why there is no NTK curve, or what it leaves out. */
  notes: string[];
}

/** A spec (or option) that asks for more than fits: `field` names it, `limit` the size that fits. */
export class LimitsTooLargeError extends Error {
  constructor(readonly field: string, readonly size: number, readonly limit: number) {
    super(`${field}: ${size} points are more than the ${limit} whose kernel eigendecomposition fits one request`);
  }
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** The training sample the NTK curve uses, or the reason there is none. */
function ntkPlan(spec: Spec, options: LimitsOptions): { reason: string } | { spec: Spec; sample: 'training set' | 'reference sample'; field: string; note?: string } {
  const { training, student } = spec;
  if (student.parameterization !== 'ntk') {
    return { reason: 'mean-field: no closed form after t = 0; see the sweep\'s L_inf(t) or its reference width' };
  }
  if (training.weightDecay !== 0 || training.temperature !== 0) {
    return { reason: 'weight decay or temperature: the NTK curve here is for plain gradient flow' };
  }
  if (training.dynamics === 'sgd') {
    const size = options.referenceSize ?? DEFAULT_REFERENCE_SIZE;
    return {
      spec: { ...spec, training: { ...training, dynamics: 'gd', trainSize: size } },
      sample: 'reference sample', field: 'referenceSize',
      note: `sgd: gradient flow on a reference sample of ${size} points of the input law (the mean over batches)${size < DEFAULT_REFERENCE_SIZE ? `, fewer than the default ${DEFAULT_REFERENCE_SIZE}: a finite sample's kernel regression drifts from the input law's at long times` : ''}`,
    };
  }
  const note = training.dynamics === 'gd' ? undefined
    : `${training.dynamics}: the drift on the training set; the batch noise (order dt/B) is not included`;
  return { spec, sample: 'training set', field: 'training.trainSize', note };
}

/** The size check alone (for a 400 before any work). */
export function checkLimitsSize(spec: Spec, options: LimitsOptions = {}): void {
  const plan = ntkPlan(spec, options);
  if ('reason' in plan) return;
  const train = plan.spec.inputs.kind === 'dataset' ? (plan.spec.inputs.train?.x.length ?? 0) : (plan.spec.training.trainSize ?? 1024);
  const limit = options.maxTrainSize ?? maxKernelTrainSize();
  if (train > limit) {
    throw new LimitsTooLargeError(plan.spec.inputs.kind === 'dataset' ? 'inputs.train' : plan.field, train, limit);
  }
}

/** Throws NoKernelError or LimitsTooLargeError (both name the spec field). */
export function predictLimits(spec: Spec, seed: number, options: LimitsOptions = {}): LimitsReport {
  const d = inputDimension(spec.inputs);
  if (d === undefined) throw new NoKernelError('inputs.train', 'the input dimension is unknown (a dataset by id must be resolved first)');
  const kernel = limitKernel(spec, d);
  let oversize: string | null = null;
  try {
    checkLimitsSize(spec, options);
  } catch (err) {
    if (!(err instanceof LimitsTooLargeError) || options.oversize !== 'note') throw err;
    oversize = `no NTK curve: ${err.message}`;
  }
  const n = spec.student.width;
  const outputScale = spec.student.parameterization === 'ntk' ? 1 : 1 / n;
  const problem = setupProblem(spec, seed, referenceKernel);
  const J = problem.probeCount;
  const probeBlock = kernel.matrices(problem.probes, J, problem.probes, J);
  const testDiagonal = kernel.diagonal(problem.test.x, problem.test.count);
  let t0Loss = 0;
  for (let x = 0; x < problem.test.count; x++) t0Loss += problem.test.y[x] ** 2 + outputScale * testDiagonal.nngp[x];
  const report: LimitsReport = {
    parameterization: spec.student.parameterization,
    unit: spec.student.unit,
    width: n,
    outputScale,
    t0: {
      probeNngp: Array.from({ length: J }, (_, j) => probeBlock.nngp[j * J + j]),
      probeCovariance: Array.from(probeBlock.nngp),
      expectedTestLoss: t0Loss / (2 * problem.test.count),
    },
    ntk: null,
    notes: [],
  };
  const plan = ntkPlan(spec, options);
  if ('reason' in plan || oversize) {
    report.notes.push('reason' in plan ? plan.reason : oversize!);
    return report;
  }
  if (plan.note) report.notes.push(plan.note);
  const data = plan.spec === spec ? problem : setupProblem(plan.spec, seed, referenceKernel);
  const train = data.train!;
  const P = train.count;
  const XX = kernel.matrices(train.x, P, train.x, P);
  const TX = kernel.matrices(problem.test.x, problem.test.count, train.x, P);
  const JX = kernel.matrices(problem.probes, J, train.x, P);
  const steps = recordedSteps(spec);
  const curves: NtkCurves = ntkGradientDescent({
    P, thetaXX: XX.ntk, kXX: XX.nngp, y: train.y,
    M: problem.test.count, thetaTX: TX.ntk, kTX: TX.nngp, kTT: testDiagonal.nngp, yT: problem.test.y,
    J, thetaJX: JX.ntk, kJX: JX.nngp, kJJ: Float64Array.from(report.t0.probeNngp),
  }, spec.training.dt, steps);
  if (curves.stepTimesLargestRate > 2) {
    report.notes.push(`dt * lambda_max / P = ${curves.stepTimesLargestRate.toPrecision(3)} > 2: the infinite-width dynamics diverge at this dt`);
  }
  report.ntk = {
    sample: plan.sample,
    trainSize: P,
    steps,
    times: steps.map((k) => k * spec.training.dt),
    trainLoss: curves.trainLoss.map(finite),
    testLoss: curves.testLoss.map(finite),
    probeMean: curves.probeMean.map((r) => r.map(finite)),
    probeVariance: curves.probeVariance.map((r) => r.map(finite)),
    stepTimesLargestRate: curves.stepTimesLargestRate,
    smallestEigenvalue: curves.smallestEigenvalue,
    largestEigenvalue: curves.largestEigenvalue,
  };
  return report;
}
