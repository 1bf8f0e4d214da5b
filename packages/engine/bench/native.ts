// Steps/s of the native kernel's step: d=32, n=1024, P=1024, R=4, per-replica batch (online SGD),
// tanh, mean-field, at 1 and 2 threads (more with BENCH_THREADS=1,2,4). Prints numbers, asserts nothing.
// Reference (architecture.md): PyTorch 1.13 CPU, one core, 13.5-15 steps/s on this problem.
// Run: npx tsx packages/engine/bench/native.ts   (BENCH_SECONDS=3 per setting by default)
import type { Batch, Network, Particles } from '../src/kernel.ts';
import { loadNativeKernel } from '../src/kernels/native.ts';

const d = Number(process.env.BENCH_D ?? 32), n = Number(process.env.BENCH_N ?? 1024);
const P = Number(process.env.BENCH_P ?? 1024), R = Number(process.env.BENCH_R ?? 4);
const unit = (process.env.BENCH_UNIT ?? 'tanh') as Network['unit'];
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const threadList = (process.env.BENCH_THREADS ?? '1,2').split(',').map(Number);

let seed = 12345;
const u = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
const fill = (len: number, f: () => number) => Float32Array.from({ length: len }, f);

const net: Network = { unit, bandwidth: 1, scale: 1 / n };
const batches: Batch[] = [0, 1].map(() => ({
  P, perReplica: true,
  x: fill(R * P * d, () => normal()),
  y: fill(R * P, () => normal()),
}));

console.log(`native step: d=${d} n=${n} P=${P} R=${R} per-replica batch, ${unit}, mean-field`);
for (const threads of threadList) {
  let kernel;
  try {
    kernel = loadNativeKernel({ threads });
  } catch (err) {
    console.log(`native kernel unavailable: ${(err as Error).message}`);
    process.exit(0);
  }
  const p: Particles = { R, n, d, c: fill(R * n, normal), w: fill(R * n * d, () => normal() / Math.sqrt(d)), b: new Float32Array(R * n) };
  const size = { lr: 0.05 * n, decay: 0 };
  for (let i = 0; i < 3; i++) kernel.step(net, p, batches[i % 2], size); // warm up
  const times: number[] = [];
  const t0 = performance.now();
  let steps = 0, loss = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const t = performance.now();
    loss = kernel.step(net, p, batches[steps % 2], size)[0];
    times.push(performance.now() - t);
    steps++;
  }
  const total = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  const flops = 2 * 2 * R * P * n * d; // two products of P x n x d per replica
  console.log(`${threads} thread${threads > 1 ? 's' : ' '}: ${(steps / total).toFixed(1)} steps/s (median ${med.toFixed(2)} ms/step, ` +
    `${(flops / (med / 1000) / 1e9).toFixed(1)} GFLOP/s in the two products; ${kernel.device}; loss ${loss.toFixed(4)})`);
}
