// Steps/s of whole runs (simulate) with birth-death on, on the native kernel: potentials computed on
// the host by the float64 TypeScript reference (before: the kernel without `potentials`) against the
// kernel's own (after), and plain gd without birth-death for scale. Prints numbers, asserts nothing;
// it also prints whether both runs ended with the same particles (they should, bit for bit).
// Run: npx tsx packages/engine/bench/birth-death.ts   (BENCH_N, BENCH_D, BENCH_P, BENCH_R, BENCH_STEPS, BENCH_THREADS)
import os from 'node:os';
import { specSchema } from '@mfsim/contracts';
import type { Kernel } from '../src/kernel.ts';
import { loadNativeKernel } from '../src/kernels/native.ts';
import { simulate } from '../src/simulate.ts';

const n = Number(process.env.BENCH_N ?? 256), d = Number(process.env.BENCH_D ?? 8);
const P = Number(process.env.BENCH_P ?? 1024), R = Number(process.env.BENCH_R ?? 4);
const steps = Number(process.env.BENCH_STEPS ?? 200);
const threads = Number(process.env.BENCH_THREADS ?? 1);

const spec = (birthDeath: boolean) => specSchema.parse({
  replicas: R, inputs: { kind: 'sphere', d }, target: { kind: 'p-spin', p: 3 },
  student: { unit: 'tanh', width: n },
  training: { dynamics: 'gd', trainSize: P, dt: 0.2, steps, ...(birthDeath && { birthDeath: { rate: 1 } }) },
  record: { logPoints: 5, testSize: 256, probes: 0 },
});

async function timed(label: string, kernel: Kernel, birthDeath: boolean): Promise<Float32Array> {
  const run = await simulate(spec(birthDeath), 1, { kernel });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for await (const chunk of run) void chunk;
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / steps;
  console.log(`${label.padEnd(44)} ${(steps / s).toFixed(2).padStart(9)} steps/s  ${cpuMs.toFixed(2).padStart(8)} CPU-ms/step  (${steps} steps, ${s.toFixed(2)} s)`);
  return run.state().w;
}

let native: Kernel;
try {
  native = loadNativeKernel({ threads });
} catch (err) {
  console.log(`native kernel unavailable: ${(err as Error).message}`);
  process.exit(0);
}
// The same kernel without its potentials: birthDeathPass falls back to the TypeScript reference.
const hostSide: Kernel = {
  name: native.name, device: native.device, forward: native.forward.bind(native), step: native.step.bind(native),
  pSpin3: native.pSpin3?.bind(native), sampleInputs: native.sampleInputs?.bind(native),
};

console.log(`birth-death (rate 1, every step) on gd: d=${d} n=${n} P=${P} R=${R}, tanh, 3-spin, native ${threads} thread(s); ${os.cpus()[0]?.model?.trim()}, load average ${os.loadavg()[0].toFixed(1)}`);
await timed('plain gd (no birth-death)', native, false);
const before = await timed('birth-death, host potentials (TS reference)', hostSide, true);
const after = await timed('birth-death, native kernel potentials', native, true);
console.log(`same particles at the end: ${before.every((v, i) => Object.is(v, after[i]))}`);
