// Parameterization of science.md: output scale alpha_n and the gradient speed-up eta_n.
import type { Spec } from '@mfsim/contracts';

export interface Scaling {
  /** alpha_n: f = alpha_n sum_i c_i phi_i. */
  alpha: number;
  /** eta_n: theta_i moves with -eta_n grad_theta_i L. */
  eta: number;
}

/** mean-field: alpha = 1/n, eta = n (a particle's speed does not depend on n); ntk: 1/sqrt(n), 1. */
export function scaling(parameterization: Spec['student']['parameterization'], n: number): Scaling {
  return parameterization === 'ntk' ? { alpha: 1 / Math.sqrt(n), eta: 1 } : { alpha: 1 / n, eta: n };
}
