// The ramp unit's NNGP and NTK (Mei-Montanari-Nguyen's bounded activation): against Monte Carlo over
// many random units (within 4 standard errors, as monte-carlo.test.ts does for the other units), and to
// 1e-8 where the answer is a one-dimensional integral (independent or identical pre-activations).
import { specSchema } from '@mfsim/contracts';
import { activation, activationDerivative, referenceKernel, simulate } from '@mfsim/engine';
import { describe, expect, it } from 'vitest';
import { limitKernel } from '../src/kernels.ts';
import { nngpCheck } from '../src/nngp-check.ts';
import { predictLimits } from '../src/predict.ts';
import { ridgeMoments } from '../src/ridge-moments.ts';

function normals(seed: number) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function meanAndError(values: Float64Array): [number, number] {
  let s = 0;
  for (const v of values) s += v;
  const m = s / values.length;
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return [m, Math.sqrt(ss / (values.length - 1) / values.length)];
}

const UNITS = 400_000;
const d = 3;
const x = [0.9, -1.2, 0.4];
const xp = [0.3, -0.5, 1.1];
// MMN's isotropic-Gaussian ramp shape, and one with a negative slope and knots on one side of 0.
const RAMPS = [{ s1: -2.5, s2: 7.5, t1: 0.5, t2: 1.5 }, { s1: 1, s2: -0.5, t1: -1.2, t2: -0.1 }];

describe('ramp unit kernels', () => {
  for (const ramp of RAMPS) {
    it(`NNGP and NTK against Monte Carlo, ramp ${JSON.stringify(ramp)}, wScale 1.5, bScale 0.5, cScale 0.8`, () => {
      const [ws, bs, cs] = [1.5, 0.5, 0.8];
      const spec = specSchema.parse({
        inputs: { kind: 'gaussian', d }, target: { kind: 'p-spin', p: 1 },
        student: { unit: 'ramp', ramp, width: 8, init: { kind: 'random', wScale: ws, bScale: bs, cScale: cs } },
        training: { dynamics: 'gd', dt: 0.1, steps: 1 }, record: { every: 1 },
      });
      const f = activation('ramp', ramp);
      const df = activationDerivative('ramp', ramp);
      const draw = normals(5);
      const k = new Float64Array(UNITS);
      const t = new Float64Array(UNITS);
      const kd = new Float64Array(UNITS);
      const xx = x.reduce((s, v, i) => s + v * xp[i], 0);
      const x2 = x.reduce((s, v) => s + v * v, 0);
      for (let i = 0; i < UNITS; i++) {
        const c = cs * draw();
        const w = x.map(() => (ws / Math.sqrt(d)) * draw());
        const b = bs * draw();
        const u = w.reduce((s, v, j) => s + v * x[j], b);
        const up = w.reduce((s, v, j) => s + v * xp[j], b);
        k[i] = c * c * f(u) * f(up);
        t[i] = f(u) * f(up) + c * c * df(u) * df(up) * (xx + 1);
        kd[i] = f(u) * f(u) + c * c * df(u) * df(u) * (x2 + 1);
      }
      const kernel = limitKernel(spec, d);
      const exact = kernel.matrices(x, 1, xp, 1);
      const diag = kernel.diagonal(x, 1);
      const [km, ke] = meanAndError(k);
      const [tm, te] = meanAndError(t);
      const [dm, de] = meanAndError(kd);
      expect(Math.abs(exact.nngp[0] - km)).toBeLessThan(4 * ke);
      expect(Math.abs(exact.ntk[0] - tm)).toBeLessThan(4 * te);
      expect(Math.abs(diag.ntk[0] - dm)).toBeLessThan(4 * de);
      // the kernel is not trivially small: the estimate is many standard errors away from 0
      expect(Math.abs(km)).toBeGreaterThan(20 * ke);
    });
  }

  it('is exact where the answer is one-dimensional: independent and identical pre-activations', () => {
    const ramp = RAMPS[0];
    const f = activation('ramp', ramp);
    const slope = (ramp.s2 - ramp.s1) / (ramp.t2 - ramp.t1);
    // E[g(sqrt(q) Z)] by the midpoint rule on [-12, 12] with 2e5 cells split at the kinks (error ~1e-10)
    const mean1d = (g: (h: number) => number, q: number) => {
      const r = Math.sqrt(q);
      const cuts = [-12, ramp.t1 / r, ramp.t2 / r, 12].sort((a, b) => a - b);
      let total = 0;
      for (let k = 0; k + 1 < cuts.length; k++) {
        const cells = 100_000;
        const h = (cuts[k + 1] - cuts[k]) / cells;
        for (let i = 0; i < cells; i++) {
          const z = cuts[k] + (i + 0.5) * h;
          total += h * g(r * z) * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
        }
      }
      return total;
    };
    const cdf = (q: number, t: number) => mean1d((h) => (h < t ? 1 : 0), q);
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-8 * Math.max(1, Math.abs(b)));
    const moments = ridgeMoments('ramp', ramp);
    for (const [q1, q2] of [[1.2, 0.8], [0.5, 2]]) {
      const [pp, dd] = moments.pair(moments.prepare(q1), moments.prepare(q2), 0);
      close(pp, mean1d(f, q1) * mean1d(f, q2));
      const inside = (q: number) => cdf(q, ramp.t2) - cdf(q, ramp.t1);
      close(dd, slope * slope * inside(q1) * inside(q2));
    }
    for (const q of [0.7, 1.5]) {
      const [pp, dd] = moments.pair(moments.prepare(q), moments.prepare(q), q);
      close(pp, mean1d((h) => f(h) * f(h), q));
      close(dd, slope * slope * (cdf(q, ramp.t2) - cdf(q, ramp.t1)));
    }
  });

  it('the engine\'s ramp networks at t = 0 have the NNGP variance (pooled z within 3)', async () => {
    const spec = specSchema.parse({
      seed: 5, replicas: 48, inputs: { kind: 'sphere', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
      student: { unit: 'ramp', ramp: RAMPS[0], width: 512, init: { kind: 'random', wScale: 1, bScale: 0.5, cScale: 1 } },
      training: { dynamics: 'gd', trainSize: 48, dt: 0.1, steps: 1 }, record: { logPoints: 2, testSize: 96, probes: 8 },
    });
    const probes = [];
    for await (const chunk of await simulate(spec, 5, { kernel: referenceKernel })) probes.push(...chunk.probes);
    const report = predictLimits(spec, 5);
    const check = nngpCheck(probes[0].values, spec.replicas, report.t0.probeCovariance, report.outputScale);
    expect(probes[0].step).toBe(0);
    expect(check.pooled.measured).not.toBeNull();
    expect(Math.abs(check.pooled.z!)).toBeLessThan(3);
  }, 120_000);

  it('refuses a ramp unit without its parameters', () => {
    expect(() => ridgeMoments('ramp')).toThrow(/ramp/);
  });
});
