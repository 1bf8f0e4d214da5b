// npm run bench:limits: the numbers the limits issue asks for. Prints, never asserts.
// 1. The NTK prediction (kernel matrices + eigendecomposition + 200 recorded times) as P grows,
//    wall and CPU time; P = 4096 only with --full (tred2 + tql2 in plain TypeScript is O(P^3)).
// 2. Agreement: an ntk gd run at n = 16384, R = 8 (--agree-width to change), its mean test loss
//    against the infinite-width curve at every recorded step (3 SE or 2%).
// 3. The pooled NNGP z at t = 0 for n = 64, 256, 1024 under both parameterisations.
//   options: --sizes=256,512,1024  --full  --no-agree  --no-nngp  --kernel=native|cuda|reference|...
//            --seed=S  --replicas=R (agreement run; default 9 and 8)
import { specSchema, type SpecInput } from '@mfsim/contracts';
import { selectKernel, simulate } from '@mfsim/engine';
import { compareWithRun } from '../src/compare.ts';
import { nngpCheck } from '../src/nngp-check.ts';
import { MAX_KERNEL_TRAIN_SIZE, predictLimits } from '../src/predict.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const sizes = (flag('sizes') ?? '256,512,1024').split(',').map(Number).filter((P) => P > 0);
if (args.includes('--full')) sizes.push(4096);

const seed = Number(flag('seed') ?? 9);
const base = (P: number, n: number, R: number, steps: number, parameterization: 'ntk' | 'mean-field' = 'ntk'): SpecInput => ({
  seed, replicas: R,
  inputs: { kind: 'sphere', d: 8 },
  target: { kind: 'teacher', unit: 'tanh', width: 4 },
  student: { unit: 'erf', width: n, parameterization },
  training: { dynamics: 'gd', trainSize: P, dt: 1, steps },
  record: { logPoints: 200, testSize: 1024, probes: 16 },
});

console.log('# NTK prediction: erf, d = 8, test set 1024, 16 probes, 200 recorded times');
for (const P of sizes) {
  const spec = specSchema.parse(base(P, 1024, 1, 2000));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  predictLimits(spec, seed, { maxTrainSize: Math.max(P, MAX_KERNEL_TRAIN_SIZE) });
  const cpu = process.cpuUsage(c0);
  console.log(`P = ${P}: ${((performance.now() - t0) / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU`);
}

async function run(input: SpecInput, kernelName?: string) {
  const spec = specSchema.parse(input);
  const { kernel } = await selectKernel(kernelName ?? flag('kernel'));
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
  const input = { ...base(256, n, replicas, 200), record: { logPoints: 20, testSize: 512, probes: 16 } };
  const t0 = performance.now();
  const { spec, kernel, records } = await run(input);
  const report = predictLimits(spec, seed);
  const agreement = compareWithRun(report, spec.replicas, records);
  console.log(`\n# agreement: ntk gd, erf, n = ${n}, R = ${replicas}, P = 256, ${kernel} kernel (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  console.log('step  predicted  measured  SE  z  relative gap  within');
  for (const s of agreement.ntk ?? []) {
    console.log(`${s.step}  ${s.predicted?.toFixed(5)}  ${s.measuredMean?.toFixed(5)}  ${s.standardError?.toFixed(5)}  ${s.z?.toFixed(2)}  ${s.relativeGap !== null ? (100 * s.relativeGap).toFixed(2) + '%' : ''}  ${s.within}`);
  }
  console.log(`every recorded step within 3 SE or 2%: ${agreement.ntkAgrees}`);
}

console.log('\n# NNGP at t = 0: pooled z over 16 probes, R = 64');
for (const parameterization of args.includes('--no-nngp') ? [] : ['ntk', 'mean-field'] as const) {
  for (const n of [64, 256, 1024]) {
    const { spec, records } = await run({ ...base(64, n, 64, 1, parameterization), record: { every: 1, testSize: 64, probes: 16 } });
    const report = predictLimits(spec, seed);
    const check = nngpCheck(records.probeOutputs[0]!, spec.replicas, report.t0.probeCovariance, report.outputScale);
    console.log(`${parameterization} n = ${n}: measured ${check.pooled.measured?.toFixed(4)}, NNGP ${check.pooled.predicted.toFixed(4)}, SE ${check.pooled.standardError.toFixed(4)}, z = ${check.pooled.z?.toFixed(2)}`);
  }
}
