// The ramp unit (Mei-Montanari-Nguyen: phi = s1 for h <= t1, s2 for h >= t2, linear between) against a
// float64 reference: central finite differences of the loss agree with the reference step's gradient in
// c, w and b to 1e-8, and the first gd step of every kernel here moves the particles by -lr times that
// gradient (to float32 rounding). Also: the spec refuses a ramp with t1 >= t2 or without its parameters.
import { describe, expect, it } from 'vitest';
import { specSchema, type SpecInput } from '@mfsim/contracts';
import { forward64, referenceKernel, stepReference } from '../src/kernels/reference.ts';
import { setupProblem } from '../src/problem.ts';
import { availableKernels, runAll, spec } from './helpers.ts';

const ramp = { s1: -2.5, s2: 7.5, t1: 0.5, t2: 1.5 };
const input: SpecInput = {
  replicas: 1, inputs: { kind: 'gaussian', d: 3 }, target: { kind: 'teacher', unit: 'tanh', width: 2 },
  // wide initial weights and a bias so that pre-activations fall on all three pieces of the ramp
  student: { unit: 'ramp', ramp, width: 6, init: { kind: 'random', wScale: 2, bScale: 1, cScale: 1 } },
  training: { dynamics: 'gd', trainSize: 24, dt: 0.01, steps: 1 }, record: { steps: [0, 1], testSize: 8, probes: 0, snapshots: [0, 1] },
};

describe('ramp unit against a float64 reference', async () => {
  const s = spec(input);
  const problem = setupProblem(s, 3, referenceKernel);
  const { x, y, count: P } = problem.train!;
  const X = Float64Array.from(x);
  const Y = Float64Array.from(y);
  const first = await runAll(s, 3, { kernel: referenceKernel });
  const p0 = first.chunks.flatMap((c) => c.snapshots)[0];
  const base = { R: 1, n: 6, d: 3, c: Float64Array.from(p0.c), w: Float64Array.from(p0.w), b: Float64Array.from(p0.b) };
  const loss = (p: typeof base) => {
    const f = forward64(problem.net, p, X, P, false);
    let t = 0;
    for (let mu = 0; mu < P; mu++) t += (f[mu] - Y[mu]) ** 2;
    return t / (2 * P);
  };
  // The analytic gradient: one float64 reference step with lr = 1, no decay, moves theta by -dL/dtheta.
  const moved = { ...base, c: base.c.slice(), w: base.w.slice(), b: base.b.slice() };
  stepReference(problem.net, moved, { P, perReplica: false, x: X, y: Y }, { lr: 1, decay: 0 });
  const groups = ['c', 'w', 'b'] as const;
  const eps = 1e-6;
  const fd = Object.fromEntries(groups.map((g) => [g, base[g].map((_, k) => {
    const plus = { ...base, [g]: base[g].slice() };
    const minus = { ...base, [g]: base[g].slice() };
    plus[g][k] += eps;
    minus[g][k] -= eps;
    return (loss(plus) - loss(minus)) / (2 * eps);
  })])) as Record<(typeof groups)[number], Float64Array>;

  it('the pre-activations cover both flat pieces and the slope', () => {
    const h = Array.from({ length: P * 6 }, (_, t) => {
      const mu = Math.floor(t / 6);
      const i = t % 6;
      return base.b[i] + [0, 1, 2].reduce((a, k) => a + base.w[i * 3 + k] * X[mu * 3 + k], 0);
    });
    expect(h.some((v) => v < ramp.t1)).toBe(true);
    expect(h.some((v) => v > ramp.t2)).toBe(true);
    expect(h.some((v) => v > ramp.t1 && v < ramp.t2)).toBe(true);
  });

  it('finite differences equal the reference gradient to 1e-8 in c, w and b', () => {
    for (const g of groups) {
      for (let k = 0; k < base[g].length; k++) {
        expect(Math.abs(fd[g][k] - (base[g][k] - moved[g][k]))).toBeLessThan(1e-8);
      }
      expect(fd[g].some((v) => Math.abs(v) > 1e-3)).toBe(true);
    }
  });

  for (const kernel of await availableKernels()) {
    it(`one gd step on ${kernel.name} moves every group by -lr times the gradient`, async () => {
      const r = await runAll(s, 3, { kernel });
      const [q0, q1] = r.chunks.flatMap((c) => c.snapshots);
      expect(q0.c).toEqual(p0.c);
      for (const g of groups) {
        for (let k = 0; k < base[g].length; k++) {
          const want = q0[g][k] - problem.lr * fd[g][k];
          expect(Math.abs(q1[g][k] - want)).toBeLessThan(2e-6 * Math.max(1, Math.abs(q0[g][k])));
        }
      }
      // the recorded loss at step 0 is the float64 loss to float32 accuracy
      const l0 = r.chunks[0].points.find((p) => p.step === 0)!.trainLoss!;
      expect(Math.abs(l0 - loss(base))).toBeLessThan(1e-5 * loss(base));
    });
  }
});

describe('ramp validation names the field', () => {
  const path = (student: Partial<SpecInput['student']>) => {
    const parsed = specSchema.safeParse({ ...input, student: { ...input.student, ...student } });
    return parsed.success ? null : parsed.error.issues.map((i) => i.path.join('.'));
  };
  it('refuses t1 >= t2, a ramp unit without its parameters, and parameters on another unit', () => {
    expect(path({ ramp: { s1: 0, s2: 1, t1: 1, t2: 1 } })).toEqual(['student.ramp.t2']);
    expect(path({ ramp: { s1: 0, s2: 1, t1: 2, t2: 1 } })).toEqual(['student.ramp.t2']);
    expect(path({ ramp: undefined })).toEqual(['student.ramp']);
    expect(path({ unit: 'tanh' })).toEqual(['student.ramp']);
    expect(path({})).toBeNull();
  });
  it('a ramp teacher needs target.ramp, and computes its targets with it', async () => {
    const teacher = (ramp?: typeof input.student.ramp) => ({ ...input, target: { kind: 'teacher' as const, unit: 'ramp' as const, width: 2, ...(ramp && { ramp }) } });
    expect(specSchema.safeParse(teacher()).error?.issues.map((i) => i.path.join('.'))).toEqual(['target.ramp']);
    // A ramp with 3 below -0.5 and 3.5 above 0.5: targets from flat pieces alone take at most 4 values
    // (2 units, 2 levels each); points on the slopes give more.
    const s = spec(teacher({ s1: 3, s2: 3.5, t1: -0.5, t2: 0.5 }));
    const y = setupProblem(s, 3, referenceKernel).train!.y;
    expect(new Set(y).size).toBeGreaterThan(4);
    expect(y.every((v) => Number.isFinite(v))).toBe(true);
  });
});
