// Frozen output weights (student.train.c = false, constant c as in Mei-Montanari-Nguyen) against a
// float64 reference: the gradient in w by central finite differences agrees with the analytic step to
// 1e-8, and the engine's first step moves w by -lr times that gradient (to float32 rounding), c not at all.
import { describe, expect, it } from 'vitest';
import { forward64, referenceKernel, stepReference } from '../src/kernels/reference.ts';
import { setupProblem } from '../src/problem.ts';
import { runAll, spec } from './helpers.ts';

describe('frozen c against a float64 reference', () => {
  it('gd with c frozen at 1 follows -lr dL/dw', async () => {
    const s = spec({
      replicas: 1, inputs: { kind: 'gaussian', d: 3 }, target: { kind: 'teacher', unit: 'tanh', width: 2 },
      student: { unit: 'tanh', width: 4, init: { kind: 'constant', cValue: 1, bScale: 0.5 }, train: { c: false, w: true, b: true } },
      training: { dynamics: 'gd', trainSize: 16, dt: 0.05, steps: 1 }, record: { steps: [0, 1], testSize: 8, probes: 0, snapshots: [0, 1] },
    });
    const problem = setupProblem(s, 2, referenceKernel);
    const r = await runAll(s, 2, { kernel: referenceKernel });
    const snaps = r.chunks.flatMap((c) => c.snapshots);
    const [p0, p1] = snaps;
    const { x, y, count: P } = problem.train!;
    const base = { R: 1, n: 4, d: 3, c: Float64Array.from(p0.c), w: Float64Array.from(p0.w), b: Float64Array.from(p0.b) };
    const loss = (w: Float64Array) => {
      const f = forward64(problem.net, { ...base, w }, Float64Array.from(x), P, false);
      let t = 0;
      for (let mu = 0; mu < P; mu++) t += (f[mu] - y[mu]) ** 2;
      return t / (2 * P);
    };
    // Analytic gradient: one float64 step with lr = 1 and no decay moves w by exactly -dL/dw.
    const moved = { ...base, c: base.c.slice(), w: base.w.slice(), b: base.b.slice() };
    stepReference(problem.net, moved, { P, perReplica: false, x: Float64Array.from(x), y: Float64Array.from(y) }, { lr: 1, decay: 0 });
    const eps = 1e-6;
    for (let k = 0; k < base.w.length; k++) {
      const plus = base.w.slice();
      const minus = base.w.slice();
      plus[k] += eps;
      minus[k] -= eps;
      const fd = (loss(plus) - loss(minus)) / (2 * eps);
      const analytic = base.w[k] - moved.w[k];
      expect(Math.abs(fd - analytic)).toBeLessThan(1e-8);
      // The engine's float32 step: w1 = w0 - lr dL/dw.
      expect(Math.abs(p1.w[k] - (p0.w[k] - problem.lr * fd))).toBeLessThan(1e-6 * Math.max(1, Math.abs(p0.w[k])));
    }
    expect([...p1.c]).toEqual([1, 1, 1, 1]);
    expect(p1.w).not.toEqual(p0.w);
  });
});
