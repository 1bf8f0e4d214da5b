// The units phi of science.md as scalar float64 functions (used by the reference kernel and the
// data/target code). Ridge units act on h = w . x + b; gaussian units are radial (see kernels).
import type { Ramp, UnitKind } from './kernel.ts';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf to about 1e-15: erf(x) = 2/sqrt(pi) e^{-x^2} sum_k 2^k x^{2k+1} / (1*3*...*(2k+1)),
 * a series of positive terms (no cancellation); erf(|x| >= 6) = +-1 in float64.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  if (Number.isNaN(x)) return NaN;
  const x2 = x * x;
  let term = ax;
  let sum = ax;
  for (let k = 1; k < 200; k++) {
    term *= (2 * x2) / (2 * k + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** The ramp's parameters, or an error naming what is missing. */
function rampOf(ramp: Ramp | undefined): Ramp {
  if (!ramp) throw new Error('the ramp unit needs its parameters {s1, s2, t1, t2}');
  return ramp;
}

/** phi(h) for a ridge unit (`ramp`: the ramp unit's parameters). */
export function activation(unit: Exclude<UnitKind, 'gaussian'>, ramp?: Ramp): (h: number) => number {
  switch (unit) {
    case 'ramp': {
      // s1 at or below t1, s2 at or above t2 exactly; linear between.
      const { s1, s2, t1, t2 } = rampOf(ramp);
      const slope = (s2 - s1) / (t2 - t1);
      return (h) => (h <= t1 ? s1 : h >= t2 ? s2 : s1 + slope * (h - t1));
    }
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return (h) => 1 / (1 + Math.exp(-h));
    case 'relu':
      return (h) => (h > 0 ? h : 0);
    case 'erf':
      return erf;
  }
}

/** phi'(h) for a ridge unit (relu: 1 for h > 0, else 0; ramp: its slope strictly between the knots, else 0). */
export function activationDerivative(unit: Exclude<UnitKind, 'gaussian'>, ramp?: Ramp): (h: number) => number {
  switch (unit) {
    case 'ramp': {
      const { s1, s2, t1, t2 } = rampOf(ramp);
      const slope = (s2 - s1) / (t2 - t1);
      return (h) => (h > t1 && h < t2 ? slope : 0);
    }
    case 'tanh':
      return (h) => {
        const t = Math.tanh(h);
        return 1 - t * t;
      };
    case 'sigmoid':
      return (h) => {
        const s = 1 / (1 + Math.exp(-h));
        return s * (1 - s);
      };
    case 'relu':
      return (h) => (h > 0 ? 1 : 0);
    case 'erf':
      return (h) => TWO_OVER_SQRT_PI * Math.exp(-h * h);
  }
}
