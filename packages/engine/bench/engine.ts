// Steps per second of each available kernel on the lab's reference problem. Prints, never asserts.
//   npm run bench:engine                 d=32, n=1024, P=1024, R=4, online sgd, tanh
//   npm run bench:engine -- --gpu-size   d=32, n=16384, P=4096, R=8
//   options: --kernels=reference,tfjs-wasm,...  --seconds=S (time per kernel, default 5)
//   (--gpu-size tries cuda and native only: tfjs-wasm would need ~2 GiB per activation tensor)
import { specSchema, type Spec } from '@mfsim/contracts';
import type { Kernel } from '../src/kernel.ts';
import { selectKernel } from '../src/select.ts';
import { simulate } from '../src/simulate.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}`))?.split('=')[1];
const gpuSize = args.includes('--gpu-size');
const seconds = Number(flag('seconds') ?? 5);
const size = gpuSize ? { d: 32, n: 16384, P: 4096, R: 8 } : { d: 32, n: 1024, P: 1024, R: 4 };
const names = flag('kernels')?.split(',') ?? (gpuSize ? ['cuda', 'native'] : ['cuda', 'native', 'tfjs-wasm', 'tfjs-cpu', 'reference']);

function benchSpec(steps: number): Spec {
  return specSchema.parse({
    replicas: size.R,
    inputs: { kind: 'sphere', d: size.d },
    // a teacher target: its cost is one small forward, so the student's step dominates
    target: { kind: 'teacher', unit: 'tanh', width: 4 },
    student: { unit: 'tanh', width: size.n },
    training: { dynamics: 'sgd', batchSize: size.P, dt: 0.1, steps },
    record: { steps: [0], testSize: 16, probes: 0 },
  });
}

/** Steps per second: whole simulate() loop (batches, target, kernel step), after one warm-up step. */
async function measure(kernel: Kernel): Promise<{ stepsPerSecond: number; steps: number }> {
  const warm = await simulate(benchSpec(1), 1, { kernel });
  for await (const _ of warm);
  const t0 = performance.now();
  // Time one step to size the run, then run about `seconds`.
  const one = await simulate(benchSpec(1), 2, { kernel });
  for await (const _ of one);
  const perStep = (performance.now() - t0) / 1000;
  const steps = Math.max(2, Math.min(100_000, Math.round(seconds / Math.max(perStep, 1e-6))));
  const run = await simulate(benchSpec(steps), 3, { kernel, chunkSteps: steps });
  const t1 = performance.now();
  for await (const _ of run);
  return { stepsPerSecond: steps / ((performance.now() - t1) / 1000), steps };
}

console.log(`engine benchmark: d=${size.d}, n=${size.n}, P=${size.P}, R=${size.R}, online sgd, tanh`);
for (const name of names) {
  let kernel: Kernel;
  try {
    kernel = (await selectKernel(name)).kernel;
  } catch (e) {
    console.log(`${name.padEnd(12)} unavailable: ${(e as Error).message}`);
    continue;
  }
  const { stepsPerSecond, steps } = await measure(kernel);
  console.log(`${kernel.name.padEnd(12)} ${stepsPerSecond.toFixed(2).padStart(9)} steps/s  (${steps} steps; ${kernel.device})`);
  kernel.dispose?.();
}
