// NNGP K(x, x') and NTK Theta(x, x') of a spec's student (science.md, "Limits"), per unit:
// the limits of n * alpha_n^2 * Cov(f(x), f(x')) and of eta_n * alpha_n^2 * n * ... i.e. the same
// numbers under `mean-field` and `ntk` (Var f = K / n under mean-field, K under ntk).
// - ridge units act(w.x + b), w ~ wScale N(0, I/d), b ~ bScale N(0, 1), c ~ cScale N(0, 1), all trained:
//   K = cScale^2 E[phi(u) phi(u')], Theta = E[phi(u) phi(u')] + cScale^2 E[phi'(u) phi'(u')] (x.x' + 1).
// - gaussian units exp(-|x - z|^2 / (2 s^2)), z = wScale * (a draw from the input law), c and z trained:
//   closed forms when that law is gaussian or isotropic-gaussians (a mixture of two gaussians);
//   other laws have no kernel here (NoKernelError names inputs.kind).
import type { Inputs, Spec } from '@mfsim/contracts';
import type { RampParams } from './ramp-moments.ts';
import { ridgeMoments, type Prepared, type RidgeUnit } from './ridge-moments.ts';

/** A spec whose limits are not defined here: `field` is the spec path to name in a 400. */
export class NoKernelError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

export interface KernelMatrices {
  /** row-major [na, nb] */
  nngp: Float64Array;
  ntk: Float64Array;
}

export interface LimitKernel {
  /** K and Theta between the rows of a [na, d] and the rows of b [nb, d]. */
  matrices(a: ArrayLike<number>, na: number, b: ArrayLike<number>, nb: number): KernelMatrices;
  /** K(x, x) and Theta(x, x) for each row of a. */
  diagonal(a: ArrayLike<number>, na: number): KernelMatrices;
}

type KernelSpec = { student: Spec['student']; inputs: Inputs };

function dot(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[i * d + k] * b[j * d + k];
  return s;
}

/** Row-major m [n, n]: the lower triangle from the upper, in 64 x 64 tiles (a column walk misses the
 * cache on every element at n in the thousands: it took half the time of a 4096-point Gram matrix). */
function mirrorUpper(m: Float64Array, n: number): void {
  const T = 64;
  for (let r0 = 0; r0 < n; r0 += T) {
    for (let c0 = 0; c0 <= r0; c0 += T) {
      for (let r = r0; r < Math.min(n, r0 + T); r++) {
        for (let c = c0; c < Math.min(r, c0 + T); c++) m[r * n + c] = m[c * n + r];
      }
    }
  }
}

function ridgeKernel(unit: RidgeUnit, d: number, wScale: number, bScale: number, cScale: number, ramp?: RampParams): LimitKernel {
  const moments = ridgeMoments(unit, ramp);
  const w2 = (wScale * wScale) / d;
  const b2 = bScale * bScale;
  const c2 = cScale * cScale;
  const prepare = (a: ArrayLike<number>, na: number): Prepared[] =>
    Array.from({ length: na }, (_, i) => moments.prepare(w2 * dot(a, i, a, i, d) + b2));
  const entry = (pa: Prepared, pb: Prepared, xx: number, out: KernelMatrices, at: number) => {
    const [pp, dd] = moments.pair(pa, pb, w2 * xx + b2);
    out.nngp[at] = c2 * pp;
    out.ntk[at] = pp + c2 * dd * (xx + 1);
  };
  return {
    matrices(a, na, b, nb) {
      const pa = prepare(a, na);
      const pb = a === b ? pa : prepare(b, nb);
      const out = { nngp: new Float64Array(na * nb), ntk: new Float64Array(na * nb) };
      const symmetric = a === b && na === nb;
      for (let i = 0; i < na; i++) {
        for (let j = symmetric ? i : 0; j < nb; j++) entry(pa[i], pb[j], dot(a, i, b, j, d), out, i * nb + j);
      }
      if (symmetric) {
        mirrorUpper(out.nngp, na);
        mirrorUpper(out.ntk, na);
      }
      return out;
    },
    diagonal(a, na) {
      const pa = prepare(a, na);
      const out = { nngp: new Float64Array(na), ntk: new Float64Array(na) };
      for (let i = 0; i < na; i++) entry(pa[i], pa[i], dot(a, i, a, i, d), out, i);
      return out;
    },
  };
}

/** Components (weight, sigma) of the centres' law: z ~ sum weight N(0, sigma^2 I). */
function centreLaw(inputs: Inputs, wScale: number): [number, number][] {
  if (inputs.kind === 'gaussian') return [[1, wScale]];
  if (inputs.kind === 'isotropic-gaussians') return [[0.5, wScale * (1 + inputs.delta)], [0.5, wScale * (1 - inputs.delta)]];
  throw new NoKernelError('inputs.kind', `gaussian units have a closed-form kernel only for gaussian or isotropic-gaussians inputs (centres drawn from the input law), not ${inputs.kind}`);
}

function gaussianKernel(inputs: Inputs, d: number, s: number, wScale: number, cScale: number): LimitKernel {
  const law = centreLaw(inputs, wScale);
  const s2 = s * s;
  const c2 = cScale * cScale;
  const value = (a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, out: KernelMatrices, at: number) => {
    const aa = dot(a, i, a, i, d);
    const bb = dot(b, j, b, j, d);
    const ab = dot(a, i, b, j, d);
    const sum2 = aa + bb + 2 * ab; // |x + x'|^2
    let pp = 0;
    let grad = 0;
    for (const [weight, sigma] of law) {
      const g = 1 + (2 * sigma * sigma) / s2;
      const v = (sigma * sigma) / g; // variance of z under the tilted law
      const z = g ** (-d / 2) * Math.exp((sigma * sigma * sum2) / (2 * s2 * s2 * g) - (aa + bb) / (2 * s2));
      // E[(x - z).(x' - z)] with mean m = v (x + x') / s^2 per coordinate, plus d v
      const m = v / s2;
      const cross = ab - m * (aa + ab) - m * (ab + bb) + m * m * sum2 + d * v;
      pp += weight * z;
      grad += weight * z * cross;
    }
    out.nngp[at] = c2 * pp;
    out.ntk[at] = pp + (c2 * grad) / (s2 * s2);
  };
  return {
    matrices(a, na, b, nb) {
      const out = { nngp: new Float64Array(na * nb), ntk: new Float64Array(na * nb) };
      for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) value(a, i, b, j, out, i * nb + j);
      return out;
    },
    diagonal(a, na) {
      const out = { nngp: new Float64Array(na), ntk: new Float64Array(na) };
      for (let i = 0; i < na; i++) value(a, i, a, i, out, i);
      return out;
    },
  };
}

/** The kernels of a spec's student on inputs of dimension d (throws NoKernelError where none exists). */
export function limitKernel(spec: KernelSpec, d: number): LimitKernel {
  const { student } = spec;
  if (student.init.kind !== 'random') {
    throw new NoKernelError('student.init.kind', 'explicit particles fix one finite network; the infinite-width limits need the random initial law');
  }
  const { wScale, bScale, cScale } = student.init;
  if (student.unit === 'gaussian') return gaussianKernel(spec.inputs, d, student.bandwidth, wScale, cScale);
  return ridgeKernel(student.unit, d, wScale, bScale, cScale, student.ramp);
}
