// Steps/s of each available kernel on the lab's reference problem, next to NumPy (and Debian's
// PyTorch when /usr/bin/python3 has it) measured in the same run. Prints, never asserts.
//   npm run bench:engine                 d=32, n=1024, P=1024, R=4, online sgd, tanh
//   npm run bench:engine -- --gpu-size   d=32, n=16384, P=4096, R=8 (cuda and native only)
//   options: --kernels=native,tfjs-wasm,...  --seconds=S (per measurement, default 5)
//            --threads=1,2 (native)  --no-peers  --no-scaling
// Per kernel: steps/s of the whole simulate() loop (batch drawing, target, step), GFLOP/s counted
// from the step's two products (4 R P n d flops), the fraction of the measured fp32 peak (the
// addon's FMA loop on as many threads), and CPU-ms per step (on a busy machine, wall figures
// fall with the load while CPU time per step does not). Then steps/s and memory as n grows.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { specSchema, type Spec } from '@mfsim/contracts';
import type { Kernel, Network, Particles } from '../src/kernel.ts';
import { loadNativeAddon, loadNativeKernel } from '../src/kernels/native.ts';
import { estimateMemory } from '../src/memory.ts';
import { RandomStream, STREAMS } from '../src/rng.ts';
import { selectKernel } from '../src/select.ts';
import { simulate } from '../src/simulate.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const gpuSize = args.includes('--gpu-size');
const seconds = Number(flag('seconds') ?? 5);
const size = gpuSize ? { d: 32, n: 16384, P: 4096, R: 8 } : { d: 32, n: 1024, P: 1024, R: 4 };
const names = flag('kernels')?.split(',') ?? (gpuSize ? ['cuda', 'native'] : ['cuda', 'native', 'tfjs-wasm', 'tfjs-cpu', 'reference']);
const threadList = (flag('threads') ?? '1,2').split(',').map(Number);
const flops = (R: number, P: number, n: number, d: number) => 4 * R * P * n * d;
const here = fileURLToPath(new URL('.', import.meta.url));

function benchSpec(steps: number, n = size.n, R = size.R, P = size.P): Spec {
  return specSchema.parse({
    replicas: R,
    inputs: { kind: 'sphere', d: size.d },
    // a teacher target: its cost is one small forward, so the student's step dominates
    target: { kind: 'teacher', unit: 'tanh', width: 4 },
    student: { unit: 'tanh', width: n },
    training: { dynamics: 'sgd', batchSize: P, dt: 0.1, steps },
    record: { steps: [0], testSize: 16, probes: 0 },
  });
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Rate { stepsPerSecond: number; cpuMsPerStep: number; steps: number }

/** Steps per second of the whole simulate() loop, after a warm-up and a one-step sizing run. */
async function measure(kernel: Kernel): Promise<Rate> {
  for (const [steps, seed] of [[1, 1], [2, 2]]) for await (const _ of await simulate(benchSpec(steps), seed, { kernel }));
  const t0 = performance.now();
  for await (const _ of await simulate(benchSpec(1), 2, { kernel }));
  const perStep = (performance.now() - t0) / 1000;
  const steps = Math.max(2, Math.min(100_000, Math.round(seconds / Math.max(perStep, 1e-6))));
  const run = await simulate(benchSpec(steps), 3, { kernel, chunkSteps: steps });
  const c1 = cpuSeconds();
  const t1 = performance.now();
  for await (const _ of run);
  const wall = (performance.now() - t1) / 1000;
  return { stepsPerSecond: steps / wall, cpuMsPerStep: ((cpuSeconds() - c1) / steps) * 1000, steps };
}

function particles(R: number, n: number, d: number): Particles {
  const s = new RandomStream(1, 300, 0, 0);
  const c = new Float32Array(R * n), w = new Float32Array(R * n * d);
  s.fillNormal(c);
  s.fillNormal(w, 1 / Math.sqrt(d));
  return { R, n, d, c, w, b: new Float32Array(R * n) };
}

/** The kernel's step alone on one sgd batch (drawn by the kernel): the products and activations. */
function measureStep(kernel: Kernel, R: number, n: number, P: number, d: number, budget: number): Rate {
  const net: Network = { unit: 'tanh', bandwidth: 1, scale: 1 / n };
  const p = particles(R, n, d);
  const x = kernel.sampleInputs!({ kind: 'sphere', d }, 1, STREAMS.batch, 0, R, P)!.x;
  const batch = { P, perReplica: true, x, y: x.subarray(0, R * P) };
  const size1 = { lr: 0.01 * n, decay: 0 };
  kernel.step(net, p, batch, size1);
  let steps = 0;
  const c0 = cpuSeconds(), t0 = performance.now();
  do {
    kernel.step(net, p, batch, size1);
    steps++;
  } while (performance.now() - t0 < budget * 1000);
  const wall = (performance.now() - t0) / 1000;
  return { stepsPerSecond: steps / wall, cpuMsPerStep: ((cpuSeconds() - c0) / steps) * 1000, steps };
}

const fmt = (v: number, digits = 2) => v.toFixed(digits).padStart(8);
/** peak: of as many threads (wall figure); peak1: of one thread (per CPU-second figure). */
const line = (label: string, r: Rate, f: number, peak?: number, peak1?: number) =>
  console.log(`${label.padEnd(26)} ${fmt(r.stepsPerSecond)} steps/s ${fmt((f * r.stepsPerSecond) / 1e9, 1)} GFLOP/s` +
    `${peak ? ` ${fmt((100 * f * r.stepsPerSecond) / 1e9 / peak, 0)}% of peak` : ''}  ${fmt(r.cpuMsPerStep, 1)} CPU-ms/step` +
    `${peak1 ? ` (${((100 * f) / (r.cpuMsPerStep / 1000) / 1e9 / peak1).toFixed(0)}% of peak per CPU-second)` : ''}  (${r.steps} steps)`);

// ---- the machine ----
const cores = os.availableParallelism();
let addon: ReturnType<typeof loadNativeAddon> | null = null;
try {
  addon = loadNativeAddon();
} catch (e) {
  console.log(`native addon unavailable: ${(e as Error).message}`);
}
const peaks = new Map<number, number>();
const load = os.loadavg()[0];
console.log(`engine benchmark: d=${size.d}, n=${size.n}, P=${size.P}, R=${size.R}, online sgd, tanh; ${os.cpus()[0]?.model.trim()}, ${cores} cores, load average ${load.toFixed(1)}`);
if (addon) {
  for (const t of new Set([1, ...threadList])) peaks.set(t, addon.peakGflops(t, 1));
  console.log(`measured fp32 peak (${addon.simd} FMA loop, per-thread CPU clock): ${threadList.map((t) => `${t} thread${t > 1 ? 's' : ''} ${peaks.get(t)!.toFixed(1)} GFLOP/s`).join(', ')}`);
}
const F = flops(size.R, size.P, size.n, size.d);
console.log(`work: ${(F / 1e9).toFixed(3)} GFLOP per step in the two products\n`);

// ---- kernels ----
const ours: { label: string; rate: Rate; threads?: number }[] = [];
for (const name of names) {
  const variants = name === 'native' ? threadList : [0];
  for (const t of variants) {
    let kernel: Kernel;
    try {
      kernel = t ? loadNativeKernel({ threads: t }) : (await selectKernel(name)).kernel;
    } catch (e) {
      console.log(`${name.padEnd(26)} unavailable: ${(e as Error).message}`);
      break;
    }
    const label = t ? `native ${t} thread${t > 1 ? 's' : ''}` : kernel.name;
    const rate = await measure(kernel);
    line(`${label}, whole step`, rate, F, peaks.get(t), peaks.get(1));
    ours.push({ label, rate, threads: t || undefined });
    if (t) line(`${label}, kernel step`, measureStep(kernel, size.R, size.n, size.P, size.d, Math.min(seconds, 3)), F, peaks.get(t), peaks.get(1));
    kernel.dispose?.();
  }
}

// ---- peers in the same run ----
function python(withModule: string): string | null {
  for (const py of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean) as string[]) {
    if (spawnSync(py, ['-c', `import ${withModule}`], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}
function peer(py: string, script: string, extra: string[]): { text: string; rate: number | null; cpuMs: number | null } {
  const r = spawnSync(py, [here + script, '--seconds', String(seconds), ...extra], { encoding: 'utf8', timeout: (seconds * 4 + 120) * 1000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').pop() ?? '';
  const m = /([\d.]+) steps\/s/.exec(text);
  const c = /([\d.]+) CPU-ms\/step/.exec(text);
  return { text, rate: m ? Number(m[1]) : null, cpuMs: c ? Number(c[1]) : null };
}
if (!gpuSize && !args.includes('--no-peers')) {
  console.log('');
  const best: { wall: number; cpuMs: number } = { wall: 0, cpuMs: Infinity };
  const np = python('numpy');
  if (!np) console.log('numpy peer skipped: no python3 with NumPy here (pip install numpy)');
  else {
    for (const t of threadList) {
      const r = peer(np, 'numpy_sgd.py', ['--threads', String(t)]);
      console.log(`numpy (${np}): ${r.text}`);
      if (r.rate) best.wall = Math.max(best.wall, r.rate);
      if (r.cpuMs && t === 1) best.cpuMs = Math.min(best.cpuMs, r.cpuMs);
    }
  }
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) {
    for (const t of threadList) console.log(`pytorch (Debian): ${peer('/usr/bin/python3', 'pytorch_sgd.py', ['--threads', String(t), '--device', 'cpu']).text}`);
  } else {
    console.log('pytorch peer skipped: /usr/bin/python3 has no torch (apt-get install python3-torch)');
  }
  const native = ours.filter((o) => o.threads);
  if (best.wall > 0 && native.length) {
    const top = native.reduce((a, b) => (b.rate.stepsPerSecond > a.rate.stepsPerSecond ? b : a));
    console.log(`native whole step / best NumPy: ${(top.rate.stepsPerSecond / best.wall).toFixed(2)}x wall (${top.label} vs NumPy's best thread count)`);
    const one = native.find((o) => o.threads === 1);
    if (one && Number.isFinite(best.cpuMs)) console.log(`  per CPU-second, 1 thread each: ${(best.cpuMs / one.rate.cpuMsPerStep).toFixed(2)}x (${one.rate.cpuMsPerStep.toFixed(1)} vs ${best.cpuMs.toFixed(1)} CPU-ms/step)`);
  }
}

// ---- scaling in n ----
const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
if (!gpuSize && addon && !args.includes('--no-scaling')) {
  const T = Math.max(...threadList);
  console.log(`\nscaling in n: R=1, P=1024, d=32, native kernel step on ${T} threads (memory: peak RSS of this process so far; estimate: memory.ts)`);
  const kernel = loadNativeKernel({ threads: T });
  let prev: { n: number; ms: number } | null = null;
  for (const n of [1024, 16384, 65536, 2 ** 20]) {
    const r = measureStep(kernel, 1, n, 1024, size.d, Math.min(seconds, 3));
    const ms = 1000 / r.stepsPerSecond;
    const est = estimateMemory({ ...benchSpec(1, 1024, 1, 1024), student: { ...benchSpec(1).student, width: n } }).bytes;
    const growth = prev ? `  time x${(ms / prev.ms).toFixed(1)} for n x${n / prev.n}` : '';
    console.log(`n=${String(n).padStart(7)}  ${fmt(r.stepsPerSecond, 3)} steps/s  ${fmt(r.cpuMsPerStep, 1)} CPU-ms/step  peak RSS ${(hwm() / 2 ** 20).toFixed(0).padStart(6)} MiB  estimate ${(est / 2 ** 20).toFixed(0).padStart(6)} MiB${growth}`);
    prev = { n, ms };
  }
}
