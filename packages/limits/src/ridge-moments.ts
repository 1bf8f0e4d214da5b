// E[phi(u) phi(u')] and E[phi'(u) phi'(u')] for (u, u') ~ N(0, [[q1, c], [c, q2]]), the two
// expectations the NNGP and NTK of ridge units are made of (science.md, "Limits").
// - erf: the arcsine kernel and its derivative kernel, closed form.
// - relu: the arc-cosine kernels of orders 1 and 0 (Cho & Saul), closed form.
// - tanh, sigmoid: Mehler's expansion sum_k rho^k a_k(q1) a_k(q2) with a_k(q) = E[phi(sqrt(q) Z) h_k(Z)]
//   (normalised Hermite polynomials h_k) when its tail bound |rho|^(K+1) tail(q1) tail(q2) is below
//   SERIES_TOLERANCE, so a Gram matrix costs O(K) per entry after O(points) one-dimensional
//   quadratures; two-dimensional Gauss-Hermite quadrature otherwise (nearly parallel inputs).
// - ramp: quadrature split at its kinks, with the inner expectation in closed form (ramp-moments.ts).
import { activation, activationDerivative } from '@mfsim/engine';
import { normalRule } from './gauss-hermite.ts';
import { rampMoments, type RampParams } from './ramp-moments.ts';

export type RidgeUnit = 'tanh' | 'sigmoid' | 'relu' | 'erf' | 'ramp';

/** Per-input data prepared once (q = Var u, and the Hermite coefficients where used). */
export interface Prepared {
  q: number;
  phi?: Float64Array;
  dphi?: Float64Array;
  tailPhi?: number;
  tailDphi?: number;
}

export interface RidgeMoments {
  prepare(q: number): Prepared;
  /** [E phi phi', E phi' phi'] for the pair with covariance c. */
  pair(a: Prepared, b: Prepared, c: number): [number, number];
}

export const SERIES_TERMS = 96;
export const SERIES_TOLERANCE = 1e-11;
const COEFFICIENT_DEGREE = 160;
const PAIR_DEGREE = 120;

function erfMoments(): RidgeMoments {
  return {
    prepare: (q) => ({ q }),
    pair(a, b, c) {
      const s = (1 + 2 * a.q) * (1 + 2 * b.q);
      const pp = (2 / Math.PI) * Math.asin(Math.max(-1, Math.min(1, (2 * c) / Math.sqrt(s))));
      const dd = (4 / Math.PI) / Math.sqrt(Math.max(s - 4 * c * c, Number.MIN_VALUE));
      return [pp, dd];
    },
  };
}

function reluMoments(): RidgeMoments {
  return {
    prepare: (q) => ({ q }),
    pair(a, b, c) {
      const norm = Math.sqrt(a.q * b.q);
      if (norm === 0) return [0, 0]; // u or u' is 0: relu(0) = relu'(0) = 0
      const theta = Math.acos(Math.max(-1, Math.min(1, c / norm)));
      const pp = (norm / (2 * Math.PI)) * (Math.sin(theta) + (Math.PI - theta) * Math.cos(theta));
      const dd = (Math.PI - theta) / (2 * Math.PI);
      return [pp, dd];
    },
  };
}

/** h_k(z_i) of the coefficient rule's nodes [nodes x SERIES_TERMS], by the normalised recurrence, once per process. */
let hermiteTable: { z: ArrayLike<number>; values: Float64Array } | null = null;
function hermiteValues(z: ArrayLike<number>): Float64Array {
  if (hermiteTable?.z === z) return hermiteTable.values;
  const table = new Float64Array(z.length * SERIES_TERMS);
  for (let i = 0; i < z.length; i++) {
    let hPrev = 0;
    let h = 1;
    for (let k = 0; k < SERIES_TERMS; k++) {
      table[i * SERIES_TERMS + k] = h;
      const next = (z[i] * h - Math.sqrt(k) * hPrev) / Math.sqrt(k + 1);
      hPrev = h;
      h = next;
    }
  }
  hermiteTable = { z, values: table };
  return table;
}

/** a_k(q) = E[f(sqrt(q) Z) h_k(Z)], k < SERIES_TERMS, and sqrt(E f^2 - sum a_k^2) (>= 0). */
function hermiteCoefficients(f: (h: number) => number, q: number): { a: Float64Array; tail: number } {
  const { z, w } = normalRule(COEFFICIENT_DEGREE);
  const H = hermiteValues(z);
  const a = new Float64Array(SERIES_TERMS);
  let second = 0;
  const sq = Math.sqrt(q);
  for (let i = 0; i < z.length; i++) {
    const fv = f(sq * z[i]);
    const fw = fv * w[i];
    second += fw * fv;
    const row = i * SERIES_TERMS;
    for (let k = 0; k < SERIES_TERMS; k++) a[k] += fw * H[row + k];
  }
  let sum = 0;
  for (let k = 0; k < SERIES_TERMS; k++) sum += a[k] * a[k];
  return { a, tail: Math.sqrt(Math.max(0, second - sum) + 1e-15 * second) };
}

function series(a: Float64Array, b: Float64Array, rho: number): number {
  let s = 0;
  for (let k = SERIES_TERMS - 1; k >= 0; k--) s = s * rho + a[k] * b[k];
  return s;
}

/** E[f(u) g(u')] by Gauss-Hermite: u = sqrt(q1) z1, u' = sqrt(q2) (rho z1 + sqrt(1 - rho^2) z2). */
function quadrature(f: (h: number) => number, g: (h: number) => number, q1: number, q2: number, rho: number): number {
  const { z, w } = normalRule(PAIR_DEGREE);
  const s1 = Math.sqrt(q1);
  const s2 = Math.sqrt(q2);
  const r = Math.max(-1, Math.min(1, rho));
  const perp = Math.sqrt(Math.max(0, 1 - r * r));
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const fi = f(s1 * z[i]);
    if (perp === 0) {
      total += w[i] * fi * g(s2 * r * z[i]);
      continue;
    }
    let inner = 0;
    const base = s2 * r * z[i];
    for (let j = 0; j < z.length; j++) inner += w[j] * g(base + s2 * perp * z[j]);
    total += w[i] * fi * inner;
  }
  return total;
}

function seriesMoments(unit: 'tanh' | 'sigmoid'): RidgeMoments {
  const f = activation(unit);
  const df = activationDerivative(unit);
  const byQ = new Map<number, Prepared>();
  return {
    prepare(q) {
      const hit = byQ.get(q);
      if (hit) return hit;
      const phi = hermiteCoefficients(f, q);
      const dphi = hermiteCoefficients(df, q);
      const p: Prepared = { q, phi: phi.a, dphi: dphi.a, tailPhi: phi.tail, tailDphi: dphi.tail };
      if (byQ.size < 100_000) byQ.set(q, p);
      return p;
    },
    pair(a, b, c) {
      const norm = Math.sqrt(a.q * b.q);
      const rho = norm === 0 ? 0 : Math.max(-1, Math.min(1, c / norm));
      const decay = Math.abs(rho) ** (SERIES_TERMS + 1);
      const pp = decay * a.tailPhi! * b.tailPhi! <= SERIES_TOLERANCE
        ? series(a.phi!, b.phi!, rho) : quadrature(f, f, a.q, b.q, rho);
      const dd = decay * a.tailDphi! * b.tailDphi! <= SERIES_TOLERANCE
        ? series(a.dphi!, b.dphi!, rho) : quadrature(df, df, a.q, b.q, rho);
      return [pp, dd];
    },
  };
}

/** `ramp`: the ramp unit's parameters (required for it, ignored otherwise). */
export function ridgeMoments(unit: RidgeUnit, ramp?: RampParams): RidgeMoments {
  if (unit === 'ramp') {
    if (!ramp) throw new RangeError('the ramp unit needs its parameters {s1, s2, t1, t2}');
    return rampMoments(ramp);
  }
  if (unit === 'erf') return erfMoments();
  if (unit === 'relu') return reluMoments();
  return seriesMoments(unit);
}

/** The same two expectations by plain two-dimensional quadrature of the given degree (tests, references). */
export function ridgeMomentsByQuadrature(unit: RidgeUnit, q1: number, q2: number, c: number, ramp?: RampParams): [number, number] {
  const norm = Math.sqrt(q1 * q2);
  const rho = norm === 0 ? 0 : c / norm;
  return [quadrature(activation(unit, ramp), activation(unit, ramp), q1, q2, rho),
    quadrature(activationDerivative(unit, ramp), activationDerivative(unit, ramp), q1, q2, rho)];
}
