// What the lab would notice about the dynamics: descent, the two regimes, noise, divergence.
import { describe, expect, it } from 'vitest';
import { loadTfjsKernel } from '../src/kernels/tfjs.ts';
import { referenceKernel } from '../src/kernels/reference.ts';
import { simulate } from '../src/simulate.ts';
import type { Chunk } from '../src/types.ts';
import { points, runAll, spec } from './helpers.ts';

describe('dynamics', async () => {
  const kernel = await loadTfjsKernel('wasm');

  it('gd with a small dt never increases the training loss', async () => {
    for (const unit of ['tanh', 'relu', 'gaussian'] as const) {
      const s = spec({
        replicas: 2,
        inputs: { kind: 'sphere', d: 6 },
        target: { kind: 'p-spin', p: 2 },
        student: { unit, width: 32 },
        training: { dynamics: 'gd', dt: 0.02, steps: 60, trainSize: 64 },
        record: { every: 1, testSize: 8, probes: 0 },
      });
      const ps = points(await runAll(s, 4, { kernel }));
      for (const r of [0, 1]) {
        const losses = ps.filter((p) => p.replica === r).map((p) => p.trainLoss!);
        expect(losses).toHaveLength(61);
        for (let k = 1; k < losses.length; k++) expect(losses[k]).toBeLessThanOrEqual(losses[k - 1] * (1 + 1e-6));
        expect(losses[60]).toBeLessThan(losses[0]);
      }
    }
  });

  it('ntk particles stay near their start as n grows; mean-field particles move O(1)', async () => {
    // Mean displacement of the hidden weights after time 5, relative to their initial size.
    const movement = async (parameterization: 'ntk' | 'mean-field', n: number) => {
      const s = spec({
        replicas: 1,
        inputs: { kind: 'sphere', d: 4 },
        target: { kind: 'teacher', unit: 'tanh', width: 2 },
        student: { unit: 'tanh', width: n, parameterization },
        training: { dynamics: 'gd', dt: 0.1, steps: 50, trainSize: 64 },
        record: { every: 50, testSize: 8, probes: 0, snapshots: [0, 50] },
      });
      const snaps = (await runAll(s, 8, { kernel })).chunks.flatMap((c) => c.snapshots);
      const [a, b] = snaps;
      let moved = 0;
      let size = 0;
      for (let i = 0; i < a.w.length; i++) {
        moved += Math.abs(b.w[i] - a.w[i]);
        size += Math.abs(a.w[i]);
      }
      return moved / size;
    };
    const ntkSmall = await movement('ntk', 16);
    const ntkLarge = await movement('ntk', 1024);
    const mfSmall = await movement('mean-field', 16);
    const mfLarge = await movement('mean-field', 1024);
    expect(ntkLarge).toBeLessThan(0.3 * ntkSmall); // ~ n^-1/2: 8x less
    expect(mfLarge).toBeGreaterThan(0.4 * mfSmall);
    expect(mfLarge).toBeGreaterThan(20 * ntkLarge);
    expect(mfLarge).toBeGreaterThan(0.05);
  }); // the suite's 60 s (vitest.config.ts): a loaded machine is not held to 20 s

  it('replicas with the same explicit init differ only through sgd or Langevin noise', async () => {
    const base = {
      replicas: 3,
      inputs: { kind: 'gaussian', d: 3 } as const,
      target: { kind: 'rbf-mixture' as const, a: [1, -0.5], z: [[0, 0, 0], [1, 1, 0]], s: [1, 0.5] },
      student: { unit: 'erf' as const, width: 4, init: { kind: 'explicit' as const, c: [1, -1, 0.5, 0.2], w: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]] } },
      record: { every: 5, testSize: 16, probes: 2 },
    };
    const last = async (training: Parameters<typeof spec>[0]['training']) => {
      const r = await runAll(spec({ ...base, training }), 3, { kernel });
      return new Set(points(r).filter((p) => p.step === training.steps).map((p) => p.testLoss)).size;
    };
    expect(await last({ dynamics: 'gd', dt: 0.1, steps: 10, trainSize: 30 })).toBe(1);
    expect(await last({ dynamics: 'gd', dt: 0.1, steps: 10, trainSize: 30, temperature: 1e-3 })).toBe(3);
    expect(await last({ dynamics: 'sgd', dt: 0.1, steps: 10, batchSize: 8 })).toBe(3);
    expect(await last({ dynamics: 'minibatch', dt: 0.1, steps: 10, trainSize: 30, batchSize: 8 })).toBe(3);
    expect(await last({ dynamics: 'sde', dt: 0.1, steps: 10, trainSize: 30, batchSize: 8 })).toBe(3);
  });

  it('sde noise vanishes as B grows: sde tends to gd', async () => {
    const training = (b?: number) => ({ dynamics: b ? 'sde' : 'gd', dt: 0.1, steps: 20, trainSize: 50, ...(b ? { batchSize: b } : {}) }) as const;
    const final = async (b?: number) => {
      const s = spec({ replicas: 1, inputs: { kind: 'sphere', d: 4 }, target: { kind: 'p-spin', p: 2 }, student: { unit: 'tanh', width: 16 }, training: training(b), record: { every: 20, testSize: 8, probes: 0 } });
      return (await runAll(s, 6, { kernel: referenceKernel })).run.state().w;
    };
    const gd = await final();
    const dist = (w: Float32Array) => Math.sqrt(w.reduce((s, v, i) => s + (v - gd[i]) ** 2, 0));
    const d1 = dist(await final(1));
    const d100 = dist(await final(100));
    const d10000 = dist(await final(10000));
    expect(d100).toBeLessThan(d1 / 5); // noise ~ B^-1/2: 10x less
    expect(d10000).toBeLessThan(d100 / 5);
    expect(d1).toBeGreaterThan(0);
  });

  it('minibatch visits every training point once per epoch', async () => {
    // With lr = 0 (dt tiny is not enough: use labels to see the batches), the batch loss of a
    // constant-zero network is the mean of y^2 over the batch: over one epoch the batches' mean
    // equals the training set's.
    const y = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const s = spec({
      replicas: 2,
      inputs: { kind: 'dataset', train: { x: y.map((v) => [v]), y } },
      target: { kind: 'labels' },
      student: { unit: 'tanh', width: 2, init: { kind: 'explicit', c: [0, 0], w: [[0], [0]] } },
      training: { dynamics: 'minibatch', dt: 1e-30, steps: 12, batchSize: 4 },
      record: { every: 1, probes: 0 },
    });
    const ps = points(await runAll(s, 1, { kernel: referenceKernel }));
    for (const r of [0, 1]) {
      for (const epoch of [0, 1, 2, 3]) {
        const losses = ps.filter((p) => p.replica === r && p.step >= 3 * epoch && p.step < 3 * epoch + 3).map((p) => p.trainLoss!);
        if (losses.length < 3) continue;
        const mean = losses.reduce((a, b) => a + b, 0) / 3;
        expect(mean).toBeCloseTo(y.reduce((a, v) => a + v * v, 0) / (2 * 12), 4);
      }
    }
  });

  for (const every of [1, 100]) {
    it(`a diverging run stops with \`diverged\`, and stores null, never NaN (record every ${every})`, async () => {
      const s = spec({
        replicas: 2,
        inputs: { kind: 'gaussian', d: 3 },
        target: { kind: 'p-spin', p: 3 },
        student: { unit: 'relu', width: 8 },
        training: { dynamics: 'gd', dt: 50, steps: 500, trainSize: 16 },
        record: { every, testSize: 8, probes: 2 },
      });
      const run = await simulate(s, 1, { kernel, chunkSteps: 3 });
      const chunks: Chunk[] = [];
      for await (const chunk of run) chunks.push(chunk);
      const last = chunks[chunks.length - 1];
      expect(last.diverged).toBeDefined();
      expect(chunks.filter((c) => c.diverged)).toHaveLength(1);
      expect(last.toStep).toBeLessThan(500);
      const ps = chunks.flatMap((c) => c.points);
      for (const p of ps) {
        for (const v of [p.trainLoss, p.testLoss, p.testError]) expect(v === null || Number.isFinite(v)).toBe(true);
      }
      const atEnd = ps.filter((p) => p.step === last.diverged!.step);
      expect(atEnd).toHaveLength(2);
      expect(atEnd.some((p) => p.trainLoss === null)).toBe(true);
      expect(Math.max(...ps.map((p) => p.step))).toBe(last.diverged!.step);
    });
  }
});
