// Gauss-Hermite rules for expectations over a standard normal: E[f(Z)] ~ sum_i w_i f(z_i).
// Nodes by Newton's method on the orthonormal Hermite recurrence (Numerical Recipes' gauher), so
// the weights are accurate relative to themselves even far in the tails (the Hermite-series
// coefficients of kernels.ts multiply them by polynomials of degree up to 2 * SERIES_TERMS).

export interface Rule {
  z: Float64Array;
  w: Float64Array;
}

const cache = new Map<number, Rule>();
const PI_M4 = Math.PI ** -0.25;

/** The degree-`n` rule for N(0, 1) (exact for polynomials of degree < 2n). */
export function normalRule(n: number): Rule {
  const hit = cache.get(n);
  if (hit) return hit;
  // the recurrence's values leave float64's range past this (checked: weights sum to 1 up to 180)
  if (!(n >= 1 && n <= 180)) throw new RangeError(`Gauss-Hermite degree ${n} is outside 1..180`);
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const m = (n + 1) >> 1;
  let z = 0;
  for (let i = 0; i < m; i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** -0.16667;
    else if (i === 1) z -= (1.14 * n ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0];
    else if (i === 3) z = 1.91 * z - 0.91 * x[1];
    else z = 2 * z - x[i - 2];
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = PI_M4;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    x[i] = z;
    x[n - 1 - i] = -z;
    w[i] = w[n - 1 - i] = 2 / (pp * pp);
  }
  // physicists' rule (weight e^{-x^2}) -> standard normal
  const rule: Rule = { z: x.map((v) => v * Math.SQRT2), w: w.map((v) => v / Math.sqrt(Math.PI)) };
  cache.set(n, rule);
  return rule;
}
