// Random streams, input laws, targets, memory estimate, checkpoint bytes, kernel selection.
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../src/checkpoint.ts';
import { drawInputs } from '../src/inputs.ts';
import { estimateMemory, memoryBudgetBytes, DEFAULT_MEMORY_BUDGET_BYTES } from '../src/memory.ts';
import { referenceKernel } from '../src/kernels/reference.ts';
import { philox4x32, RandomStream } from '../src/rng.ts';
import { selectKernel } from '../src/select.ts';
import { makeTarget, pSpin } from '../src/targets.ts';
import { setupProblem } from '../src/problem.ts';
import { initialParticles } from '../src/init.ts';
import { spec } from './helpers.ts';
import { erf } from '../src/units.ts';

const hex = (a: Uint32Array) => [...a].map((v) => v.toString(16).padStart(8, '0'));

describe('Philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, out);
    expect(hex(out)).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out);
    expect(hex(out)).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    expect(hex(out)).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
  it('streams are reproducible, distinct, and normal', () => {
    const a = new RandomStream(42, 6, 1, 7).fillNormal(new Float64Array(20000)) as Float64Array;
    const b = new RandomStream(42, 6, 1, 7).fillNormal(new Float64Array(20000));
    const c = new RandomStream(42, 6, 2, 7).fillNormal(new Float64Array(20000));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    // Kolmogorov-Smirnov distance to the normal law (critical value 1.95 / sqrt(M) at p = 0.001),
    // and the tail beyond the ziggurat's base strip (3.44) at its expected frequency
    const M = 200_000;
    const z = Float64Array.from(new RandomStream(7, 3, 0, 0).fillNormal(new Float64Array(M))).sort();
    let ks = 0;
    for (let i = 0; i < M; i += 7) ks = Math.max(ks, Math.abs(0.5 * (1 + erf(z[i] / Math.SQRT2)) - (i + 0.5) / M));
    expect(ks * Math.sqrt(M)).toBeLessThan(1.95);
    const tail = z.filter((v) => Math.abs(v) > 3.5).length / M;
    expect(Math.abs(tail - (1 - erf(3.5 / Math.SQRT2)))).toBeLessThan(4 * Math.sqrt(4.65e-4 / M));
    // seeds above 2^32 are distinct too
    expect(new RandomStream(2 ** 40, 1, 0, 0).uint32()).not.toBe(new RandomStream(0, 1, 0, 0).uint32());
  });
});

describe('inputs and targets', () => {
  it('sphere points have radius sqrt(d); uniform stays in the cube; labels are +-1', () => {
    const d = 7;
    const s = drawInputs({ kind: 'sphere', d }, new RandomStream(1, 2, 0, 0), 50);
    for (let i = 0; i < 50; i++) {
      let r = 0;
      for (let k = 0; k < d; k++) r += s.x[i * d + k] ** 2;
      expect(Math.sqrt(r)).toBeCloseTo(Math.sqrt(d), 4);
    }
    const u = drawInputs({ kind: 'uniform', d, a: 0.5 }, new RandomStream(1, 2, 0, 0), 50);
    expect(Math.max(...u.x.map(Math.abs))).toBeLessThanOrEqual(0.5);
    const g = drawInputs({ kind: 'isotropic-gaussians', d: 200, delta: 0.5 }, new RandomStream(1, 2, 0, 0), 200);
    const labels = [...g.y!];
    expect(new Set(labels)).toEqual(new Set([1, -1]));
    // |x|^2 / d is about (1 + y Delta)^2
    for (let i = 0; i < 200; i++) {
      const r = g.x.subarray(i * 200, (i + 1) * 200).reduce((s, v) => s + v * v, 0) / 200;
      expect(Math.abs(r - (1 + labels[i] * 0.5) ** 2)).toBeLessThan(0.5 * (1 + labels[i] * 0.5) ** 2);
    }
  });

  it('p-spin: the symmetrised sum equals the plain sum over all index tuples, p = 1..4', () => {
    const d = 4;
    for (const p of [1, 2, 3, 4]) {
      const J = new RandomStream(3, 1, 0, p).fillNormal(new Float64Array(d ** p));
      const x = new RandomStream(3, 2, 0, p).fillNormal(new Float32Array(5 * d)) as Float32Array;
      const y = pSpin(J, d, p)(x, 5);
      for (let mu = 0; mu < 5; mu++) {
        let f = 0;
        for (let idx = 0; idx < d ** p; idx++) {
          let term = J[idx];
          for (let l = 0, rest = idx; l < p; l++, rest = Math.floor(rest / d)) term *= x[mu * d + (rest % d)];
          f += term;
        }
        expect(y[mu]).toBeCloseTo(f * d ** (-p / 2), 5);
      }
    }
  });

  it('p-spin on the sphere has variance about 1', () => {
    const s = spec({ inputs: { kind: 'sphere', d: 10 }, target: { kind: 'p-spin', p: 3 }, student: { unit: 'tanh', width: 2 }, training: { dynamics: 'gd', dt: 1, steps: 1 }, record: { testSize: 4000, probes: 0 } });
    const y = setupProblem(s, 5, referenceKernel).test.y;
    const mean = y.reduce((a, v) => a + v, 0) / y.length;
    const variance = y.reduce((a, v) => a + (v - mean) ** 2, 0) / y.length;
    expect(variance).toBeGreaterThan(0.5);
    expect(variance).toBeLessThan(2);
  });

  it('an explicit teacher is m^-1/2 sum_k a_k phi(w_k . x + b_k)', () => {
    const s = spec({
      inputs: { kind: 'gaussian', d: 2 },
      target: { kind: 'teacher', unit: 'sigmoid', width: 2, params: { a: [1, -2], w: [[1, 0], [0.5, 0.5]], b: [0.1, 0] } },
      student: { unit: 'tanh', width: 2 }, training: { dynamics: 'gd', dt: 1, steps: 1 },
    });
    const f = makeTarget(s, 2, 1, referenceKernel)!;
    const sig = (h: number) => 1 / (1 + Math.exp(-h));
    const y = f(new Float32Array([1, 2]), 1);
    expect(y[0]).toBeCloseTo((sig(1.1) - 2 * sig(1.5)) / Math.SQRT2, 6);
  });

  it('a dataset without a test set is tested on its training set; labels +-1 give a test error', () => {
    const s = spec({
      inputs: { kind: 'dataset', train: { x: [[1], [-1], [2]], y: [1, -1, 1] } },
      target: { kind: 'labels' }, student: { unit: 'tanh', width: 2 }, training: { dynamics: 'gd', dt: 1, steps: 1 },
    });
    const problem = setupProblem(s, 1, referenceKernel);
    expect(problem.test).toBe(problem.train);
    expect(problem.classification).toBe(true);
  });
});

describe('initial particles', () => {
  const base = { inputs: { kind: 'sphere' as const, d: 16 }, target: { kind: 'p-spin' as const, p: 1 }, training: { dynamics: 'gd' as const, dt: 1, steps: 1 } };
  const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  it('random: c ~ cScale N(0,1), w ~ wScale N(0, I/d), b ~ bScale N(0,1); replicas differ', () => {
    const p = initialParticles(spec({ ...base, replicas: 2, student: { unit: 'relu', width: 2000, init: { kind: 'random', wScale: 2, bScale: 0.5, cScale: 3 } } }), 2, 16, 4);
    expect(std(p.c)).toBeCloseTo(3, 0);
    expect(std(p.w)).toBeCloseTo(2 / 4, 1);
    expect(std(p.b)).toBeCloseTo(0.5, 1);
    expect(p.c.subarray(0, 2000)).not.toEqual(p.c.subarray(2000));
    const d = initialParticles(spec({ ...base, student: { unit: 'relu', width: 50 } }), 1, 16, 4);
    expect(d.b.every((v) => v === 0)).toBe(true);
  });
  it('gaussian units: centres from the input law (radius sqrt(d) on the sphere)', () => {
    const p = initialParticles(spec({ ...base, student: { unit: 'gaussian', width: 10 } }), 1, 16, 4);
    for (let i = 0; i < 10; i++) expect(Math.hypot(...p.w.subarray(i * 16, (i + 1) * 16))).toBeCloseTo(4, 4);
  });
});

describe('memory, checkpoints, kernels', () => {
  it('estimates grow with the problem and name their parts', () => {
    const small = estimateMemory(spec({ inputs: { kind: 'sphere', d: 32 }, target: { kind: 'p-spin', p: 3 }, student: { unit: 'tanh', width: 1024 }, replicas: 4, training: { dynamics: 'sgd', batchSize: 1024, dt: 1, steps: 1 } }));
    const big = estimateMemory(spec({ inputs: { kind: 'sphere', d: 32 }, target: { kind: 'p-spin', p: 3 }, student: { unit: 'tanh', width: 100_000 }, replicas: 64, training: { dynamics: 'sgd', batchSize: 4096, dt: 1, steps: 1 } }));
    expect(small.bytes).toBe(Object.values(small.parts).reduce((a, b) => a + b, 0));
    expect(small.bytes).toBeLessThan(DEFAULT_MEMORY_BUDGET_BYTES);
    expect(big.bytes).toBeGreaterThan(DEFAULT_MEMORY_BUDGET_BYTES);
    expect(small.parts.particles).toBe(6 * 4 * 1024 * 34 * 4);
    expect(memoryBudgetBytes({ MFSIM_MEMORY_BUDGET_BYTES: '1000' })).toBe(1000);
    expect(memoryBudgetBytes({})).toBe(DEFAULT_MEMORY_BUDGET_BYTES);
  });

  it('checkpoint bytes round-trip and reject garbage', () => {
    const cp = { version: 1 as const, step: 123, c: new Float32Array([1, -2.5]), w: new Float32Array([0.1, NaN, 3]), b: new Float32Array([]), extra: { kernel: 'x' } };
    expect(decodeCheckpoint(encodeCheckpoint(cp))).toEqual(cp);
    const bytes = encodeCheckpoint(cp);
    expect(() => decodeCheckpoint(bytes.subarray(0, 30))).toThrow(/truncated/);
    expect(() => decodeCheckpoint(new Uint8Array(40))).toThrow(/magic/);
  });

  it('selectKernel says what it chose and why others were skipped', async () => {
    const ref = await selectKernel('reference');
    expect(ref.kernel.name).toBe('reference');
    const wasm = await selectKernel('tfjs-wasm');
    expect(wasm.kernel.name).toBe('tfjs-wasm');
    const tfjs = await selectKernel('tfjs');
    expect(tfjs.kernel.name).toBe('tfjs-wasm');
    expect(tfjs.reason).toMatch(/tfjs-tensorflow: no TensorFlow binding/);
    const auto = await selectKernel('auto');
    expect(['cuda', 'native', 'tfjs-wasm']).toContain(auto.kernel.name);
    if (auto.kernel.name !== 'cuda') expect(auto.reason).toMatch(/skipped cuda: /);
    await expect(selectKernel('bogus')).rejects.toThrow(/unknown kernel/);
  });
});
