// The sde dynamics is the diffusion limit of minibatch SGD (science.md): at the same batch size B
// and dt, its noise must have the same size as the real batch noise. Replicas start from the same
// explicit particles, so their spread after K steps is the noise alone.
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../src/kernel.ts';
import { loadNativeKernel } from '../src/kernels/native.ts';
import { loadTfjsKernel } from '../src/kernels/tfjs.ts';
import { runAll, spec } from './helpers.ts';

const d = 3;
const n = 16;
const R = 256;
// B K << P: within one epoch, batches drawn without replacement are nearly independent, as the sde assumes.
const P = 4096;
const K = 30;

async function fastKernel(): Promise<Kernel> {
  try {
    return loadNativeKernel();
  } catch {
    return loadTfjsKernel('wasm');
  }
}

// A fixed initial network, the same for every replica.
const init = {
  kind: 'explicit' as const,
  c: Array.from({ length: n }, (_, i) => Math.cos(1.7 * i)),
  w: Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, k) => 0.6 * Math.sin(i + 2.3 * k))),
  b: Array.from({ length: n }, () => 0),
};

/** Mean over parameters of the variance across replicas of the particles after K steps. */
async function spread(dynamics: 'gd' | 'minibatch' | 'sde', batchSize?: number): Promise<number> {
  const s = spec({
    seed: 5,
    replicas: R,
    inputs: { kind: 'sphere', d },
    target: { kind: 'teacher', unit: 'tanh', width: 2 },
    student: { unit: 'tanh', width: n, init },
    training: { dynamics, dt: 0.05, steps: K, trainSize: P, ...(batchSize && { batchSize }) },
    record: { steps: [0, K], testSize: 16, probes: 0, snapshots: [K] },
  });
  const { chunks } = await runAll(s, 5, { kernel: await fastKernel() });
  const snap = chunks.flatMap((c) => c.snapshots).find((x) => x.step === K)!;
  const perReplica = [snap.c, snap.w, snap.b].map((a) => ({ a, m: a.length / R }));
  let total = 0;
  let count = 0;
  for (const { a, m } of perReplica) {
    for (let j = 0; j < m; j++) {
      let mean = 0;
      for (let r = 0; r < R; r++) mean += a[r * m + j];
      mean /= R;
      let v = 0;
      for (let r = 0; r < R; r++) v += (a[r * m + j] - mean) ** 2;
      total += v / (R - 1);
      count++;
    }
  }
  return total / count;
}

describe('the sde limit of minibatch SGD', () => {
  it('has no spread without noise (gd), and the batch noise of minibatch at the same B and dt', async () => {
    expect(await spread('gd')).toBe(0);
    const minibatch = await spread('minibatch', 4);
    const sde = await spread('sde', 4);
    expect(minibatch).toBeGreaterThan(0);
    // Seen here: 0.93 to 1.07 over three seeds (sampling error of R = 256, and a 3% correction for
    // batches drawn without replacement); a wrong noise scale (sqrt 2, sqrt B, dt) lands far outside.
    expect(sde / minibatch).toBeGreaterThan(0.75);
    expect(sde / minibatch).toBeLessThan(1.25);
  });

  it('has a noise variance that falls like 1/B', async () => {
    const ratio = (await spread('sde', 4)) / (await spread('sde', 16));
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5.3);
  });
});
