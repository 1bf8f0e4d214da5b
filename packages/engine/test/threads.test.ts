// The native kernel gives the same bits whatever its thread count: one step on 1, 2, 3 and 5
// threads for few replicas (where samples are split across threads) and a whole run whose thread
// count changes between chunks, as a worker's does when other jobs start or end on its machine.
import { describe, expect, it } from 'vitest';
import type { Kernel, Network, Particles } from '../src/kernel.ts';
import { loadNativeKernel } from '../src/kernels/native.ts';
import { RandomStream } from '../src/rng.ts';
import { simulate } from '../src/simulate.ts';
import { spec } from './helpers.ts';

let available = true;
try {
  loadNativeKernel({ threads: 1 });
} catch (err) {
  available = false;
  console.warn(`native thread-count tests skipped: ${(err as Error).message}`);
}

function particles(R: number, n: number, d: number): Particles {
  const s = new RandomStream(5, 200, 0, 0);
  const f = (len: number, scale: number) => Float32Array.from({ length: len }, () => scale * s.normal());
  return { R, n, d, c: f(R * n, 1), w: f(R * n * d, 1 / Math.sqrt(d)), b: f(R * n, 0.1) };
}

describe.skipIf(!available)('native kernel thread counts', () => {
  it('one step: the same particles and losses on 1, 2, 3 and 5 threads', () => {
    for (const [R, n, d, P] of [[1, 100, 7, 1000], [2, 67, 32, 777], [3, 200, 5, 2500]]) {
      const net: Network = { unit: 'tanh', bandwidth: 1, scale: 1 / n };
      const s = new RandomStream(6, 201, 0, 0);
      const x = Float32Array.from({ length: R * P * d }, () => s.normal());
      const y = Float32Array.from({ length: R * P }, () => s.normal());
      const results = [1, 2, 3, 5].map((threads) => {
        const p = particles(R, n, d);
        const loss = loadNativeKernel({ threads }).step(net, p, { P, perReplica: true, x, y }, { lr: 0.1 * n, decay: 0.001 });
        return { p, loss };
      });
      for (const r of results.slice(1)) {
        expect(Buffer.from(r.p.w.buffer).equals(Buffer.from(results[0].p.w.buffer)), `w, R=${R}`).toBe(true);
        expect(Buffer.from(r.p.c.buffer).equals(Buffer.from(results[0].p.c.buffer)), `c, R=${R}`).toBe(true);
        expect(Buffer.from(r.p.b.buffer).equals(Buffer.from(results[0].p.b.buffer)), `b, R=${R}`).toBe(true);
        expect(Array.from(r.loss)).toEqual(Array.from(results[0].loss));
      }
    }
  });

  it('a run whose thread count changes between chunks ends where a 1-thread run does', async () => {
    const s = spec({
      replicas: 1,
      inputs: { kind: 'sphere', d: 16 },
      target: { kind: 'teacher', unit: 'tanh', width: 4 },
      student: { unit: 'tanh', width: 300 },
      training: { dynamics: 'sgd', batchSize: 700, dt: 0.1, steps: 12 },
      record: { steps: [0, 4, 8, 12], testSize: 64, probes: 0 },
    });
    const final = async (kernel: Kernel, change: boolean) => {
      const run = await simulate(s, 3, { kernel, chunkSteps: 2 });
      let chunks = 0;
      for await (const _ of run) if (change) kernel.setThreads!(1 + (++chunks % 3));
      return run.state();
    };
    const a = await final(loadNativeKernel({ threads: 1 }), false);
    const b = await final(loadNativeKernel({ threads: 2 }), true);
    expect(Buffer.from(b.w.buffer).equals(Buffer.from(a.w.buffer))).toBe(true);
    expect(Buffer.from(b.c.buffer).equals(Buffer.from(a.c.buffer))).toBe(true);
  });
});
