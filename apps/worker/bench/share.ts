// npm run bench:share: does a lone run use the machine? One simulation through the worker's engine
// thread (EngineHost, kernel threads from machine-share.ts) against the native kernel on as many
// threads as cores, and two simulations at once (two engine threads, as two workers would run
// them) each against the 1-thread kernel. Reference shape: d=32, n=1024, P=1024, R=4, online sgd,
// tanh. Prints steps/s and the ratios; asserts nothing. The engine threads count jobs in a
// private folder, so other work on this machine does not change the share (the load does change
// the wall figures: the load average is printed).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { specSchema, type Spec } from '@mfsim/contracts';
import { loadNativeKernel, simulate, specHash } from '@mfsim/engine';
import { EngineHost } from '../src/engine/engine-host.ts';

const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 10);
const cores = os.availableParallelism();
process.env.MFSIM_JOBS_DIR = mkdtempSync(join(os.tmpdir(), 'mfsim-share-bench-'));
process.env.MFSIM_KERNEL = 'native';
delete process.env.MFSIM_KERNEL_THREADS;

const spec = (steps: number): Spec =>
  specSchema.parse({
    replicas: 4,
    inputs: { kind: 'sphere', d: 32 },
    target: { kind: 'teacher', unit: 'tanh', width: 4 },
    student: { unit: 'tanh', width: 1024 },
    training: { dynamics: 'sgd', batchSize: 1024, dt: 0.1, steps },
    record: { steps: [0], testSize: 16, probes: 0 },
  });

/** Steps/s of the kernel alone on `threads` threads, over about `seconds`. */
async function direct(threads: number, steps: number): Promise<number> {
  const kernel = loadNativeKernel({ threads });
  for await (const _ of await simulate(spec(2), 1, { kernel }));
  const run = await simulate(spec(steps), 2, { kernel });
  const t0 = performance.now();
  for await (const _ of run);
  return steps / ((performance.now() - t0) / 1000);
}

/** Steps/s of one run through an engine thread, from its first chunk to its end. */
async function throughHost(host: EngineHost, steps: number): Promise<number> {
  let t0 = 0, from = 0;
  await host.run(spec(steps), 3, { simulationId: randomUUID(), specHash: specHash(spec(steps), 3) }, undefined, {
    async onChunk(chunk) {
      if (!t0) {
        t0 = performance.now();
        from = chunk.toStep;
      }
    },
    checkpointDue: () => false,
    stopRequested: () => false,
  });
  return (steps - from) / ((performance.now() - t0) / 1000);
}

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

console.log(`share benchmark: d=32, n=1024, P=1024, R=4, online sgd, tanh; ${cores} cores, load average ${os.loadavg()[0].toFixed(1)}`);
console.log(`${rounds} rounds, each measuring the kernel alone right before the runs it is compared with (other load on the machine changes the wall figures; the ratios within a round are what counts)`);
const probe = await direct(cores, 3);
const steps = Math.max(20, Math.round(seconds * probe));
const half = Math.max(10, Math.round(steps / cores));
const hosts = await Promise.all([EngineHost.start(), EngineHost.start()]);
const loneRatios: number[] = [];
const pairRatios: number[] = [];
for (let r = 1; r <= rounds; r++) {
  const full = await direct(cores, steps);
  const lone = await throughHost(hosts[0], steps);
  const one = await direct(1, half);
  const pair = await Promise.all(hosts.map((h) => throughHost(h, half)));
  loneRatios.push(lone / full);
  pairRatios.push(Math.min(...pair) / one);
  console.log(
    `round ${r} (load ${os.loadavg()[0].toFixed(1)}): kernel ${full.toFixed(1)} steps/s on ${cores} threads, one simulation ${lone.toFixed(1)} = ${pct(lone / full)}; ` +
      `kernel ${one.toFixed(1)} on 1 thread, two at once ${pair.map((p) => p.toFixed(1)).join(' and ')} = ${pair.map((p) => pct(p / one)).join(' and ')}`,
  );
}
console.log(`one simulation through the engine thread: median ${pct(median(loneRatios))} of the ${cores}-thread kernel (target >= 90%)`);
console.log(`two at once: median of the slower one ${pct(median(pairRatios))} of the 1-thread kernel (target >= 90% each)`);
await Promise.all(hosts.map((h) => h.stop()));
rmSync(process.env.MFSIM_JOBS_DIR, { recursive: true, force: true });
