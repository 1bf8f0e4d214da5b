// npm run bench:limits: the numbers the limits issue asks for. Prints, never asserts.
// 1. Speed of the NTK prediction (erf, d = 8, test set 1024, 16 probes, 200 log-spaced recorded
//    steps) as P grows: CPU seconds of the kernel matrices, the eigendecomposition, the projections
//    (S = V K V^T, B, C, W) and the curves at 200 recorded steps, and the wall time; the linear algebra on
//    OpenBLAS through the engine's addon when the host has it (dsyevd's steps with a wider-blocked
//    back-transformation, `split`; or dsyevd whole with --eigen=dsyevd, dsyevr with --eigen=dsyevr),
//    the addon's own code (linalg.cc: `--builtin` or MFSIM_LAPACK=builtin) or TypeScript (`--ts`);
//    NumPy's numpy.linalg.eigh on the same Theta as the peer (python3 with NumPy on PATH; OpenBLAS
//    with --threads threads).
// 2. Agreement: ntk gd runs at n = 16384, R = 8 (one per seed), their mean test loss against the
//    infinite-width curve at every recorded step: the rule (3 sample standard errors or 2%)
//    and z against the standard error the infinite-width law predicts for R networks (sd / sqrt R,
//    ntkTestLossSpread): the sample SE of 8 draws of this skewed quantity scatters widely.
// 3. The pooled NNGP z at t = 0 for n = 64, 256, 1024 under both parameterisations (R = 64).
//   options: --sizes=512,1024,2048  --full (adds 4096)  --ts  --builtin  --eigen=split|dsyevd|dsyevr
//            --threads=T (linalg and NumPy, default 1)
//            --seeds=9,11  --agree-width=16384  --replicas=8  --no-speed --no-agree --no-nngp
//            --kernel=native|cuda|reference|...
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specSchema, type SpecInput } from '@mfsim/contracts';
import { recordedSteps, referenceKernel, selectKernel, setupProblem, simulate } from '@mfsim/engine';
import { compareWithRun } from '../src/compare.ts';
import { limitKernel } from '../src/kernels.ts';
import { linalgBackend, openblasStatus, setEigenMethod, setLinalgBackend, setLinalgThreads } from '../src/linalg.ts';
import { nngpCheck } from '../src/nngp-check.ts';
import { ntkGradientDescent, ntkTestLossSpread, type KernelBlocks, type NtkTimings } from '../src/ntk-dynamics.ts';
import { predictLimits } from '../src/predict.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const list = (s: string) => s.split(',').map(Number).filter((v) => Number.isFinite(v) && v > 0);
const sizes = list(flag('sizes') ?? '512,1024,2048');
if (args.includes('--full')) sizes.push(4096);
const threads = Number(flag('threads') ?? 1);
setLinalgThreads(threads);
if (args.includes('--ts')) setLinalgBackend('typescript');
else if (args.includes('--builtin')) setLinalgBackend('native');
const eigen = (['split', 'dsyevd', 'dsyevr'] as const).find((m) => m === flag('eigen')) ?? 'split';
setEigenMethod(eigen);
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const base = (seed: number, P: number, n: number, R: number, steps: number, parameterization: 'ntk' | 'mean-field' = 'ntk'): SpecInput => ({
  seed, replicas: R,
  inputs: { kind: 'sphere', d: 8 },
  target: { kind: 'teacher', unit: 'tanh', width: 4 },
  student: { unit: 'erf', width: n, parameterization },
  training: { dynamics: 'gd', trainSize: P, dt: 1, steps },
  record: { every: 10, testSize: 1024, probes: 16 },
});

/** The kernel blocks of a spec's NTK curve (what predictLimits builds), and K on the test set when asked. */
function blocksOf(input: SpecInput, withTestKernel = false) {
  const spec = specSchema.parse(input);
  const problem = setupProblem(spec, spec.seed ?? 0, referenceKernel);
  const kernel = limitKernel(spec, 8);
  const train = problem.train!;
  const P = train.count;
  const J = problem.probeCount;
  const M = problem.test.count;
  const XX = kernel.matrices(train.x, P, train.x, P);
  const TX = kernel.matrices(problem.test.x, M, train.x, P);
  const JX = kernel.matrices(problem.probes, J, train.x, P);
  const blocks: KernelBlocks = {
    P, thetaXX: XX.ntk, kXX: XX.nngp, y: train.y,
    M, thetaTX: TX.ntk, kTX: TX.nngp, kTT: kernel.diagonal(problem.test.x, M).nngp, yT: problem.test.y,
    J, thetaJX: JX.ntk, kJX: JX.nngp, kJJ: kernel.diagonal(problem.probes, J).nngp,
  };
  const kTTFull = withTestKernel ? kernel.matrices(problem.test.x, M, problem.test.x, M).nngp : null;
  return { spec, blocks, kTTFull, steps: recordedSteps(spec) };
}

function numpyEigh(theta: Float64Array, P: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mfsim-bench-limits-'));
  try {
    const file = join(dir, 'theta.f64');
    writeFileSync(file, theta);
    const script = 'import sys, time, numpy as np\n'
      + `a = np.fromfile(sys.argv[1], dtype=np.float64).reshape(${P}, ${P})\n`
      + 't = time.perf_counter(); c = time.process_time(); np.linalg.eigh(a)\n'
      + 'print(f"{time.perf_counter() - t:.2f} s wall, {time.process_time() - c:.2f} s CPU")\n';
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
    const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8', env, timeout: 900_000 });
    return r.status === 0 ? r.stdout.trim() : `not measured (${(r.stderr || r.error?.message || 'python3 failed').trim().split('\n').at(-1)})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!args.includes('--no-speed')) {
  const blas = openblasStatus();
  const backend = linalgBackend() === 'openblas' && 'library' in blas ? `openblas (${eigen}, dgemm: ${blas.library}, ${blas.config})`
    : `${linalgBackend()} (${'reason' in blas ? blas.reason : ''})`;
  console.log(`# NTK prediction: erf, d = 8, test set 1024, 16 probes, recorded steps 0, 10, .., 1990; linear algebra: ${backend}, ${threads} thread(s)`);
  console.log('P  times  kernels  eigen  projections  curves  (CPU s)  total wall  total CPU  |  numpy.linalg.eigh');
  for (const P of sizes) {
    const t0 = performance.now();
    const c0 = cpuSeconds();
    const { blocks, steps } = blocksOf(base(9, P, 1024, 1, 1990));
    const kernels = cpuSeconds() - c0;
    const timings: NtkTimings = { eigen: 0, projections: 0, curves: 0 };
    ntkGradientDescent(blocks, 1, steps, timings);
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - c0;
    const f = (v: number) => v.toFixed(2);
    console.log(`${P}  ${steps.length}  ${f(kernels)}  ${f(timings.eigen)}  ${f(timings.projections)}  ${f(timings.curves)}  ${f(wall)} s  ${f(cpu)} s  |  ${numpyEigh(blocks.thetaXX, P)}`);
  }
  if (!sizes.includes(4096)) console.log('P = 4096 not run (--full runs it: about 8x the P = 2048 time, O(P^3))');
}

async function run(input: SpecInput) {
  const spec = specSchema.parse(input);
  const { kernel } = await selectKernel(flag('kernel'));
  const chunks = [];
  for await (const chunk of await simulate(spec, spec.seed ?? 0, { kernel })) chunks.push(chunk);
  const points = chunks.flatMap((c) => c.points);
  const probes = chunks.flatMap((c) => c.probes);
  const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
  const testLosses = Array.from({ length: spec.replicas }, (_, r) => steps.map((s) => points.find((p) => p.step === s && p.replica === r)?.testLoss ?? null));
  return { spec, kernel: kernel.name, records: { steps, testLosses, probeOutputs: steps.map((s) => probes.find((p) => p.step === s)?.values ?? null) } };
}

if (!args.includes('--no-agree')) {
  const n = Number(flag('agree-width') ?? 16384);
  const replicas = Number(flag('replicas') ?? 8);
  for (const seed of list(flag('seeds') ?? '9,11')) {
    const input = { ...base(seed, 256, n, replicas, 200), record: { logPoints: 20, testSize: 512, probes: 16 } };
    const t0 = performance.now();
    const { spec, kernel, records } = await run(input);
    const report = predictLimits(spec, seed);
    const agreement = compareWithRun(report, spec.replicas, records);
    const { blocks, kTTFull, steps } = blocksOf(input, true);
    const spread = ntkTestLossSpread(blocks, kTTFull!, spec.training.dt, steps);
    console.log(`\n# agreement: ntk gd, erf, n = ${n}, R = ${replicas}, P = 256, test set 512, seed ${seed}, ${kernel} kernel (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    console.log('step  predicted  measured  sample SE  z  relative gap  within (3 SE or 2%)  |  predicted SE  z vs predicted SE');
    let worstPredicted = 0;
    (agreement.ntk ?? []).forEach((s, i) => {
      const se = spread[i] / Math.sqrt(replicas);
      const z = s.measuredMean !== null && s.predicted !== null ? (s.measuredMean - s.predicted) / se : null;
      if (z !== null) worstPredicted = Math.max(worstPredicted, Math.abs(z));
      console.log(`${s.step}  ${s.predicted?.toFixed(5)}  ${s.measuredMean?.toFixed(5)}  ${s.standardError?.toFixed(5)}  ${s.z?.toFixed(2)}  ${s.relativeGap !== null ? (100 * s.relativeGap).toFixed(2) + '%' : ''}  ${s.within}  |  ${se.toFixed(5)}  ${z?.toFixed(2)}`);
    });
    const judged = (agreement.ntk ?? []).filter((s) => s.within !== null);
    console.log(`within 3 sample SE or 2%: ${judged.filter((s) => s.within).length} of ${judged.length} recorded steps; largest |z| against the predicted SE: ${worstPredicted.toFixed(2)}`);
  }
}

if (!args.includes('--no-nngp')) {
  console.log('\n# NNGP at t = 0: pooled z over 16 probes, R = 64, seed 9');
  for (const parameterization of ['ntk', 'mean-field'] as const) {
    for (const n of [64, 256, 1024]) {
      const { spec, records } = await run({ ...base(9, 64, n, 64, 1, parameterization), record: { every: 1, testSize: 64, probes: 16 } });
      const report = predictLimits(spec, 9);
      const check = nngpCheck(records.probeOutputs[0]!, spec.replicas, report.t0.probeCovariance, report.outputScale);
      console.log(`${parameterization} n = ${n}: measured ${check.pooled.measured?.toFixed(4)}, NNGP ${check.pooled.predicted.toFixed(4)}, SE ${check.pooled.standardError.toFixed(4)}, z = ${check.pooled.z?.toFixed(2)}`);
    }
  }
}
