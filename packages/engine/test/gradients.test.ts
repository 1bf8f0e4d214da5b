// The analytic step of every unit against central finite differences of the loss, in float64.
import { describe, expect, it } from 'vitest';
import { UNITS } from '@mfsim/contracts';
import type { Network } from '../src/kernel.ts';
import { forward64, stepReference, type ParticlesLike } from '../src/kernels/reference.ts';
import { RandomStream } from '../src/rng.ts';

const R = 2, n = 3, d = 4, P = 5;

function problem(unit: (typeof UNITS)[number], seed: number) {
  const g = new RandomStream(seed, 100, 0, 0);
  const normals = (k: number, s = 1) => g.fillNormal(new Float64Array(k), s) as Float64Array;
  const p: ParticlesLike = { R, n, d, c: normals(R * n), w: normals(R * n * d, 0.7), b: unit === 'gaussian' ? new Float64Array(R * n) : normals(R * n, 0.3) };
  const x = normals(R * P * d);
  const y = normals(R * P);
  // sde-style sample weights, not all 1/P, so the weighted gradient is checked too
  const weights = Float64Array.from(normals(R * P, 0.05), (v) => 1 / P + v);
  const net: Network = { unit, bandwidth: 1.3, scale: 1 / Math.sqrt(n), ...(unit === 'ramp' && { ramp: { s1: -1, s2: 2, t1: -0.4, t2: 0.5 } }) };
  return { p, x, y, weights, net };
}

/** Weighted batch loss sum_mu weight_mu (f_mu - y_mu)^2 / 2, summed over replicas. */
function loss(net: Network, p: ParticlesLike, x: Float64Array, y: Float64Array, weights: Float64Array): number {
  const f = forward64(net, p, x, P, true);
  let s = 0;
  for (let i = 0; i < R * P; i++) s += (weights[i] * (f[i] - y[i]) ** 2) / 2;
  return s;
}

describe('gradients against finite differences', () => {
  for (const unit of UNITS) {
    it(`${unit}: c, w, b`, () => {
      const { p, x, y, weights, net } = problem(unit, 7);
      // One step with lr = 1 and no decay moves theta by exactly -grad.
      const moved: ParticlesLike = { ...p, c: p.c.slice(), w: p.w.slice(), b: p.b.slice() };
      stepReference(net, moved, { P, perReplica: true, x, y, weights }, { lr: 1, decay: 0 });
      const eps = 1e-6;
      let checked = 0;
      for (const key of ['c', 'w', 'b'] as const) {
        if (key === 'b' && unit === 'gaussian') continue;
        const arr = p[key];
        for (let i = 0; i < arr.length; i++) {
          const keep = arr[i];
          arr[i] = keep + eps;
          const up = loss(net, p, x, y, weights);
          arr[i] = keep - eps;
          const down = loss(net, p, x, y, weights);
          arr[i] = keep;
          const fd = (up - down) / (2 * eps);
          const analytic = keep - moved[key][i];
          expect(Math.abs(analytic - fd)).toBeLessThan(1e-7 + 1e-6 * Math.abs(fd));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(R * n * d);
    });
  }

  it('weight decay enters as theta - dt (eta grad + lambda theta)', () => {
    const { p, x, y, net } = problem('tanh', 3);
    const a: ParticlesLike = { ...p, c: p.c.slice(), w: p.w.slice(), b: p.b.slice() };
    const b: ParticlesLike = { ...p, c: p.c.slice(), w: p.w.slice(), b: p.b.slice() };
    stepReference(net, a, { P, perReplica: true, x, y }, { lr: 0.1, decay: 0 });
    stepReference(net, b, { P, perReplica: true, x, y }, { lr: 0.1, decay: 0.01 });
    for (let i = 0; i < p.w.length; i++) expect(b.w[i]).toBeCloseTo(a.w[i] - 0.01 * p.w[i], 14);
  });
});
