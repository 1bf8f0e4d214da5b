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

console.log(`share benchmark: d=32, n=1024, P=1024, R=4, online sgd, tanh; ${cores} cores, load average ${os.loadavg()[0].toFixed(1)}`);
const probe = await direct(cores, 3);
const steps = Math.max(20, Math.round(seconds * probe));
const full = await direct(cores, steps);
const one = await direct(1, Math.max(10, Math.round(steps / cores)));
console.log(`kernel alone: ${full.toFixed(1)} steps/s on ${cores} threads, ${one.toFixed(1)} on 1 thread`);

const hosts = await Promise.all([EngineHost.start(), EngineHost.start()]);
const lone = await throughHost(hosts[0], steps);
console.log(`one simulation through the engine thread: ${lone.toFixed(1)} steps/s = ${((100 * lone) / full).toFixed(0)}% of the ${cores}-thread kernel (target >= 90%)`);
const pair = await Promise.all(hosts.map((h) => throughHost(h, Math.max(10, Math.round(steps / cores)))));
console.log(`two at once: ${pair.map((p) => p.toFixed(1)).join(' and ')} steps/s = ${pair.map((p) => ((100 * p) / one).toFixed(0) + '%').join(' and ')} of the 1-thread kernel (target >= 90% each)`);
await Promise.all(hosts.map((h) => h.stop()));
rmSync(process.env.MFSIM_JOBS_DIR, { recursive: true, force: true });
