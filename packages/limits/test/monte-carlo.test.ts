// NNGP and NTK against Monte Carlo over many random units, for the cases the golden file leaves out:
// explicit init scales (wScale, bScale, cScale), every ridge unit with a bias, gaussian units with
// gaussian and isotropic-gaussians centres. Each estimate is a mean over units, so its standard
// error is known; the kernel must be within 4 of them.
import { specSchema, type SpecInput } from '@mfsim/contracts';
import { activation, activationDerivative } from '@mfsim/engine';
import { describe, expect, it } from 'vitest';
import { limitKernel } from '../src/kernels.ts';

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

const UNITS = 200_000;
const d = 3;
const x = [0.9, -1.2, 0.4];
const xp = [0.3, -0.5, 1.1];

function meanAndError(values: Float64Array): [number, number] {
  let s = 0;
  for (const v of values) s += v;
  const m = s / values.length;
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return [m, Math.sqrt(ss / (values.length - 1) / values.length)];
}

const base = (student: SpecInput['student'], inputs: SpecInput['inputs'] = { kind: 'gaussian', d }) => specSchema.parse({
  inputs, target: inputs.kind === 'isotropic-gaussians' ? { kind: 'labels' } : { kind: 'p-spin', p: 1 }, student, training: { dynamics: 'gd', dt: 0.1, steps: 1 }, record: { every: 1 },
});

describe('kernels against Monte Carlo over random units', () => {
  for (const unit of ['tanh', 'sigmoid', 'relu', 'erf'] as const) {
    it(`${unit} with wScale 1.5, bScale 0.5, cScale 0.8`, () => {
      const [ws, bs, cs] = [1.5, 0.5, 0.8];
      const spec = base({ unit, width: 8, init: { kind: 'random', wScale: ws, bScale: bs, cScale: cs } });
      const f = activation(unit);
      const df = activationDerivative(unit);
      const draw = normals(7);
      const k = new Float64Array(UNITS);
      const t = new Float64Array(UNITS);
      const xx = x.reduce((s, v, i) => s + v * xp[i], 0);
      for (let i = 0; i < UNITS; i++) {
        const c = cs * draw();
        const w = x.map(() => (ws / Math.sqrt(d)) * draw());
        const b = bs * draw();
        const u = w.reduce((s, v, j) => s + v * x[j], b);
        const up = w.reduce((s, v, j) => s + v * xp[j], b);
        k[i] = c * c * f(u) * f(up);
        t[i] = f(u) * f(up) + c * c * df(u) * df(up) * (xx + 1);
      }
      const exact = limitKernel(spec, d).matrices(x, 1, xp, 1);
      const [km, ke] = meanAndError(k);
      const [tm, te] = meanAndError(t);
      expect(Math.abs(exact.nngp[0] - km)).toBeLessThan(4 * ke);
      expect(Math.abs(exact.ntk[0] - tm)).toBeLessThan(4 * te);
    });
  }

  for (const inputs of [{ kind: 'gaussian', d }, { kind: 'isotropic-gaussians', d, delta: 0.4 }] as const) {
    it(`gaussian units, centres from ${inputs.kind} scaled by 0.7, bandwidth 1.3, cScale 1.2`, () => {
      const [ws, cs, s] = [0.7, 1.2, 1.3];
      const spec = base({ unit: 'gaussian', width: 8, bandwidth: s, init: { kind: 'random', wScale: ws, bScale: 0, cScale: cs } }, inputs);
      const draw = normals(11);
      const k = new Float64Array(UNITS);
      const t = new Float64Array(UNITS);
      for (let i = 0; i < UNITS; i++) {
        const c = cs * draw();
        const sd = inputs.kind === 'gaussian' ? 1 : (i % 2 === 0 ? 1 + inputs.delta : 1 - inputs.delta);
        const z = x.map(() => ws * sd * draw());
        const phi = Math.exp(-x.reduce((a, v, j) => a + (v - z[j]) ** 2, 0) / (2 * s * s));
        const phip = Math.exp(-xp.reduce((a, v, j) => a + (v - z[j]) ** 2, 0) / (2 * s * s));
        const cross = x.reduce((a, v, j) => a + (v - z[j]) * (xp[j] - z[j]), 0);
        k[i] = c * c * phi * phip;
        t[i] = phi * phip + (c * c * phi * phip * cross) / s ** 4;
      }
      const exact = limitKernel(spec, d).matrices(x, 1, xp, 1);
      const [km, ke] = meanAndError(k);
      const [tm, te] = meanAndError(t);
      expect(Math.abs(exact.nngp[0] - km)).toBeLessThan(4 * ke);
      expect(Math.abs(exact.ntk[0] - tm)).toBeLessThan(4 * te);
    });
  }

  it('gaussian units on the sphere have no kernel: the error names inputs.kind', () => {
    const spec = base({ unit: 'gaussian', width: 8 }, { kind: 'sphere', d });
    expect(() => limitKernel(spec, d)).toThrow(/^inputs\.kind: /);
  });
});
