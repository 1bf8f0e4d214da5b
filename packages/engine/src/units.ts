// The units phi of science.md as scalar float64 functions (used by the reference kernel and the
// data/target code). Ridge units act on h = w . x + b; gaussian units are radial (see kernels).
import type { UnitKind } from './kernel.ts';

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

/** phi(h) for a ridge unit. */
export function activation(unit: Exclude<UnitKind, 'gaussian'>): (h: number) => number {
  switch (unit) {
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

/** phi'(h) for a ridge unit (relu: 1 for h > 0, else 0). */
export function activationDerivative(unit: Exclude<UnitKind, 'gaussian'>): (h: number) => number {
  switch (unit) {
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
