// The targets y = f*(x) of science.md. Evaluated in float64, stored float32.
import type { Spec } from '@mfsim/contracts';
import type { Kernel } from './kernel.ts';
import { RandomStream, STREAMS } from './rng.ts';
import type { Points } from './inputs.ts';

/** y = f*(x): x [count, d] -> y [count]. */
export type TargetFunction = (x: Float32Array, count: number) => Float32Array;

/**
 * p-spin f*(x) = d^{-p/2} sum J[i1..ip] x_i1 ... x_ip. The sum is taken over non-decreasing index
 * tuples with J summed over each tuple's permutations (d+p-1 choose p terms instead of d^p: 5.5x
 * fewer for d=32, p=3; the value is the same polynomial).
 * J: [d^p] row-major.
 */
export function pSpin(J: ArrayLike<number>, d: number, p: number, kernel?: Pick<Kernel, 'pSpin3'>): TargetFunction {
  const size = d ** p;
  if (J.length !== size) throw new Error(`p-spin needs d^p = ${size} coefficients, got ${J.length}`);
  const sym = new Float64Array(size);
  const digits = new Array<number>(p);
  for (let idx = 0; idx < size; idx++) {
    let rest = idx;
    for (let l = p - 1; l >= 0; l--) {
      digits[l] = rest % d;
      rest = Math.floor(rest / d);
    }
    digits.sort((a, b) => a - b);
    let sorted = 0;
    for (let l = 0; l < p; l++) sorted = sorted * d + digits[l];
    sym[sorted] += J[idx];
  }
  // Compact coefficients in the order the loops below visit the non-decreasing tuples.
  const coef: number[] = [];
  const collect = (level: number, start: number, base: number) => {
    for (let i = start; i < d; i++) {
      if (level === p - 1) coef.push(sym[base * d + i]);
      else collect(level + 1, i, base * d + i);
    }
  };
  collect(0, 0, 0);
  const C = Float64Array.from(coef);
  const norm = d ** (-p / 2);
  // The kernel's, when it has one: the same numbers (each sample's operations in this order).
  const fast = kernel?.pSpin3;
  if (p === 3 && fast && d <= 64) return (x, count) => fast.call(kernel, C, d, norm, x, count);
  const xs = new Float64Array(d);
  let at = 0;
  // sum over i_level >= start of C[...] times prod * x_i ..., reading C in order.
  const rec = (level: number, start: number, prod: number): number => {
    let acc = 0;
    if (level === p - 1) {
      for (let k = start; k < d; k++) acc += C[at++] * xs[k];
      return acc * prod;
    }
    for (let i = start; i < d; i++) acc += rec(level + 1, i, prod * xs[i]);
    return acc;
  };
  const cubic = (): number => {
    let acc = 0;
    let o = 0;
    for (let i = 0; i < d; i++) {
      const xi = xs[i];
      for (let j = i; j < d; j++) {
        let inner = 0;
        for (let k = j; k < d; k++) inner += C[o++] * xs[k];
        acc += xi * xs[j] * inner;
      }
    }
    return acc;
  };
  return (x, count) => {
    const y = new Float32Array(count);
    for (let mu = 0; mu < count; mu++) {
      for (let k = 0; k < d; k++) xs[k] = x[mu * d + k];
      at = 0;
      y[mu] = norm * (p === 3 ? cubic() : rec(0, 0, 1));
    }
    return y;
  };
}

/** f*(x) = sum_k a_k exp(-|x - z_k|^2 / (2 s_k^2)). */
export function rbfMixture(a: number[], z: number[][], s: number[], d: number): TargetFunction {
  return (x, count) => {
    const y = new Float32Array(count);
    for (let mu = 0; mu < count; mu++) {
      let f = 0;
      for (let k = 0; k < a.length; k++) {
        let q = 0;
        for (let j = 0; j < d; j++) {
          const t = x[mu * d + j] - z[k][j];
          q += t * t;
        }
        f += a[k] * Math.exp(-q / (2 * s[k] * s[k]));
      }
      y[mu] = f;
    }
    return y;
  };
}

/** Largest number of points per kernel call when evaluating networks (keeps [R, P, n] small). */
export function pointsPerCall(R: number, n: number): number {
  return Math.max(1, Math.floor(2 ** 22 / (R * n)));
}

/**
 * A teacher network f* = m^{-1/2} sum_k a_k phi(x; theta*_k), evaluated through the kernel's forward
 * with one replica. Random parameters: a ~ N(0, 1) (lane 0), w ~ N(0, I/d) (lane 1), b = 0.
 */
export function teacher(target: Extract<Spec['target'], { kind: 'teacher' }>, d: number, seed: number, kernel: Kernel): TargetFunction {
  const m = target.width;
  const c = new Float32Array(m);
  const w = new Float32Array(m * d);
  const b = new Float32Array(m);
  if (target.params) {
    c.set(target.params.a);
    target.params.w.forEach((row, k) => w.set(row, k * d));
    if (target.params.b && target.unit !== 'gaussian') b.set(target.params.b);
  } else {
    new RandomStream(seed, STREAMS.target, 0, 0, 0).fillNormal(c);
    new RandomStream(seed, STREAMS.target, 0, 0, 1).fillNormal(w, 1 / Math.sqrt(d));
  }
  const net = { unit: target.unit, bandwidth: target.bandwidth, scale: 1 / Math.sqrt(m), ramp: target.ramp };
  const particles = { R: 1, n: m, d, c, w, b };
  const block = pointsPerCall(1, m);
  return (x, count) => {
    const y = new Float32Array(count);
    for (let s = 0; s < count; s += block) {
      const e = Math.min(count, s + block);
      y.set(kernel.forward(net, particles, x.subarray(s * d, e * d), e - s, false), s);
    }
    return y;
  };
}

/** The target of a spec, or null for `labels` (y comes with the inputs). */
export function makeTarget(spec: Spec, d: number, seed: number, kernel: Kernel): TargetFunction | null {
  const t = spec.target;
  switch (t.kind) {
    case 'labels':
      return null;
    case 'p-spin': {
      const J = t.coefficients ?? new RandomStream(seed, STREAMS.target, 0, 0, 0).fillNormal(new Float64Array(d ** t.p));
      return pSpin(J, d, t.p, kernel);
    }
    case 'teacher':
      return teacher(t, d, seed, kernel);
    case 'rbf-mixture':
      return rbfMixture(t.a, t.z, t.s, d);
  }
}

/** Labels the points: y from the target, or from the law itself for `labels`. */
export function label(points: Points, target: TargetFunction | null): Float32Array {
  if (target) return target(points.x, points.count);
  if (!points.y) throw new Error('target "labels" needs inputs that carry labels');
  return points.y;
}
