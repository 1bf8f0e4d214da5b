// The central limit theorem of the mean-field limit (science.md): at a fixed time, the variance over
// replicas of the network's output is O(1/n), so n times it stays flat as the width grows (gd, where
// the only randomness is the initial particles).
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../src/kernel.ts';
import { loadNativeKernel } from '../src/kernels/native.ts';
import { loadTfjsKernel } from '../src/kernels/tfjs.ts';
import { runAll, spec } from './helpers.ts';

const R = 64;
const probes = 32;
const K = 100;

async function fastKernel(): Promise<Kernel> {
  try {
    return loadNativeKernel();
  } catch {
    return loadTfjsKernel('wasm');
  }
}

/** n * (mean over probes of the variance over replicas of f_n(x)) at steps 0 and K. */
async function fluctuation(n: number): Promise<[number, number]> {
  const s = spec({
    seed: 3,
    replicas: R,
    inputs: { kind: 'sphere', d: 4 },
    target: { kind: 'teacher', unit: 'tanh', width: 3 },
    student: { unit: 'tanh', width: n },
    training: { dynamics: 'gd', dt: 0.2, steps: K, trainSize: 256 },
    record: { steps: [0, K], testSize: 64, probes },
  });
  const { chunks } = await runAll(s, 3, { kernel: await fastKernel() });
  const at = (step: number) => {
    const values = chunks.flatMap((c) => c.probes).find((p) => p.step === step)!.values; // [R, probes]
    let total = 0;
    for (let j = 0; j < probes; j++) {
      let mean = 0;
      for (let r = 0; r < R; r++) mean += values[r * probes + j];
      mean /= R;
      let v = 0;
      for (let r = 0; r < R; r++) v += (values[r * probes + j] - mean) ** 2;
      total += v / (R - 1);
    }
    return (n * total) / probes;
  };
  return [at(0), at(K)];
}

describe('CLT fluctuations', () => {
  it('n times the output variance over replicas is flat in n, at the start and after gd', async () => {
    const widths = [16, 64, 256];
    const results = await Promise.all(widths.map(fluctuation));
    for (const t of [0, 1]) {
      const values = results.map((r) => r[t]);
      // Seen here: within 10% at both times; O(1/sqrt n) variance would grow by 4, O(1) by 16.
      expect(Math.max(...values) / Math.min(...values)).toBeLessThan(1.6);
      expect(Math.min(...values)).toBeGreaterThan(0);
    }
  });
});
