// `training.sampling` (science.md, "Loss and dynamics"): minibatch batches drawn with replacement
// are the discrete process whose diffusion limit `sde` is; reshuffled epochs are not (a batch's
// errors sum to zero over an epoch, so their noise is far smaller). Each run is paired with `gd`
// on the same seed, so every replica starts from the same random particles in both, and the
// replicas' spread of (particles - gd particles) after K steps is the batch noise alone.
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../src/kernel.ts';
import { loadNativeKernel } from '../src/kernels/native.ts';
import { loadTfjsKernel } from '../src/kernels/tfjs.ts';
import { runAll, spec } from './helpers.ts';

const d = 3;
const n = 16;
const R = 256;
// A small training set: K steps of B points run through it many times, where reshuffling matters.
const P = 64;
const K = 40;

async function fastKernel(): Promise<Kernel> {
  try {
    return loadNativeKernel();
  } catch {
    return loadTfjsKernel('wasm');
  }
}

type Training = { dynamics: 'gd' | 'minibatch' | 'sde'; batchSize?: number; sampling?: 'reshuffle' | 'replacement' };

async function particles(training: Training): Promise<Float32Array[]> {
  const s = spec({
    seed: 9,
    replicas: R,
    inputs: { kind: 'sphere', d },
    target: { kind: 'teacher', unit: 'tanh', width: 2 },
    student: { unit: 'tanh', width: n },
    training: { dt: 0.05, steps: K, trainSize: P, ...training },
    record: { steps: [0, K], testSize: 16, probes: 0, snapshots: [K] },
  });
  const { chunks } = await runAll(s, 10, { kernel: await fastKernel() });
  const snap = chunks.flatMap((c) => c.snapshots).find((x) => x.step === K)!;
  return [snap.c, snap.w, snap.b];
}

/** Mean over parameters of the variance across replicas of (particles - gd particles). */
function pairedSpread(run: Float32Array[], gd: Float32Array[]): number {
  let total = 0;
  let count = 0;
  run.forEach((a, g) => {
    const m = a.length / R;
    for (let j = 0; j < m; j++) {
      let mean = 0;
      for (let r = 0; r < R; r++) mean += a[r * m + j] - gd[g][r * m + j];
      mean /= R;
      let v = 0;
      for (let r = 0; r < R; r++) v += (a[r * m + j] - gd[g][r * m + j] - mean) ** 2;
      total += v / (R - 1);
      count++;
    }
  });
  return total / count;
}

describe('minibatch sampling against sde, paired with gd', () => {
  it('replacement noise is the sde noise at B = 4 and 16; reshuffled epochs have less', async () => {
    const gd = await particles({ dynamics: 'gd' });
    for (const B of [4, 16]) {
      const replacement = pairedSpread(await particles({ dynamics: 'minibatch', batchSize: B, sampling: 'replacement' }), gd);
      const reshuffle = pairedSpread(await particles({ dynamics: 'minibatch', batchSize: B }), gd);
      const sde = pairedSpread(await particles({ dynamics: 'sde', batchSize: B }), gd);
      console.log(`B = ${B}: paired spread sde ${sde.toExponential(3)}, replacement ${replacement.toExponential(3)}, reshuffle ${reshuffle.toExponential(3)}`);
      expect(sde / replacement).toBeGreaterThan(0.75);
      expect(sde / replacement).toBeLessThan(1.33);
      // Seen here: reshuffled noise 9x (B = 4) and 650x (B = 16: an epoch of P = 64 is 4 steps) smaller.
      expect(sde / reshuffle).toBeGreaterThan(B === 4 ? 3 : 20);
    }
  });

  it('rejects sampling for gd and sgd (sde accepts and ignores it, for sweeps against minibatch)', () => {
    expect(() => spec({
      seed: 1, replicas: 1, inputs: { kind: 'sphere', d }, target: { kind: 'p-spin', p: 3 },
      student: { unit: 'tanh', width: 4 }, training: { dynamics: 'sgd', dt: 0.1, steps: 2, batchSize: 4, sampling: 'replacement' },
      record: { steps: [0, 2] },
    })).toThrow(/sampling/);
  });
});
