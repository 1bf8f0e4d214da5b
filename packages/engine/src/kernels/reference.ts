// The reference kernel: plain TypeScript loops that accumulate in float64 (storage stays float32,
// as in every kernel). Slow; it is the yardstick for the others and for finite differences.
import type { Kernel, Network, Particles, StepSize } from '../kernel.ts';
import { activation, activationDerivative } from '../units.ts';

/** Float32 in the engine; float64 particles and data let tests take exact finite differences. */
type Values = Float32Array | Float64Array;
export interface ParticlesLike { R: number; n: number; d: number; c: Values; w: Values; b: Values }
export interface BatchLike { P: number; perReplica: boolean; x: Values; y: Values; weights?: Values }

/**
 * Pre-activations and unit outputs of replica r on point mu.
 * Ridge: h_i = w_i . x + b_i, a_i = act(h_i). Gaussian: a_i = exp(-|x - z_i|^2 / (2 s^2)), h unused.
 * x: [d] at offset xo; h, a: [n] float64 scratch.
 */
function units(net: Network, p: ParticlesLike, r: number, x: Values, xo: number, h: Float64Array, a: Float64Array): void {
  const { n, d } = p;
  const act = net.unit === 'gaussian' ? null : activation(net.unit, net.ramp);
  const inv2s2 = 1 / (2 * net.bandwidth * net.bandwidth);
  for (let i = 0; i < n; i++) {
    const wo = (r * n + i) * d;
    let s = 0;
    if (act) {
      for (let k = 0; k < d; k++) s += p.w[wo + k] * x[xo + k];
      s += p.b[r * n + i];
      h[i] = s;
      a[i] = act(s);
    } else {
      for (let k = 0; k < d; k++) {
        const t = x[xo + k] - p.w[wo + k];
        s += t * t;
      }
      h[i] = s;
      a[i] = Math.exp(-s * inv2s2);
    }
  }
}

/** sum_i c_i phi_i of replica r on the point at xo (unscaled), leaving phi_i in a. */
function unscaledOutput(net: Network, p: ParticlesLike, r: number, x: Values, xo: number, h: Float64Array, a: Float64Array): number {
  units(net, p, r, x, xo, h, a);
  let f = 0;
  for (let i = 0; i < p.n; i++) f += p.c[r * p.n + i] * a[i];
  return f;
}

/** f: [R, P] in float64 (x shared [P, d] or per replica [R, P, d]). */
export function forward64(net: Network, p: ParticlesLike, x: Values, P: number, perReplica: boolean): Float64Array {
  const { R, n, d } = p;
  const out = new Float64Array(R * P);
  const h = new Float64Array(n);
  const a = new Float64Array(n);
  for (let r = 0; r < R; r++) {
    for (let mu = 0; mu < P; mu++) {
      out[r * P + mu] = net.scale * unscaledOutput(net, p, r, x, ((perReplica ? r * P : 0) + mu) * d, h, a);
    }
  }
  return out;
}

export function forwardReference(net: Network, p: Particles, x: Float32Array, P: number, perReplica: boolean): Float32Array {
  return Float32Array.from(forward64(net, p, x, P, perReplica));
}

/** The Euler step of Kernel.step, on float32 (engine) or float64 (tests) arrays. */
export function stepReference(net: Network, p: ParticlesLike, batch: BatchLike, size: StepSize): Float64Array {
  const { R, n, d } = p;
  const { P, x, y, perReplica, weights } = batch;
  const losses = new Float64Array(R);
  const h = new Float64Array(n);
  const a = new Float64Array(n);
  const gc = new Float64Array(n);
  const gw = new Float64Array(n * d);
  const gb = new Float64Array(n);
  const gaussian = net.unit === 'gaussian';
  const dact = gaussian ? null : activationDerivative(net.unit as Exclude<typeof net.unit, 'gaussian'>, net.ramp);
  const invS2 = 1 / (net.bandwidth * net.bandwidth);
  for (let r = 0; r < R; r++) {
    gc.fill(0);
    gw.fill(0);
    gb.fill(0);
    let loss = 0;
    for (let mu = 0; mu < P; mu++) {
      const xo = ((perReplica ? r * P : 0) + mu) * d;
      units(net, p, r, x, xo, h, a);
      let f = 0;
      for (let i = 0; i < n; i++) f += p.c[r * n + i] * a[i];
      f *= net.scale;
      const res = f - y[(perReplica ? r * P : 0) + mu];
      loss += res * res;
      // q = weight_mu (f_mu - y_mu): the gradient of the batch loss is sum_mu q_mu d f_mu / d theta.
      const q = (weights ? weights[r * P + mu] : 1 / P) * res;
      for (let i = 0; i < n; i++) {
        gc[i] += q * a[i];
        // d f / d w_i = alpha c_i phi'(h_i) x (ridge) or alpha c_i phi_i (x - z_i) / s^2 (gaussian);
        // alpha c_i is applied after the sum.
        const g = gaussian ? q * a[i] * invS2 : q * dact!(h[i]);
        const go = i * d;
        if (gaussian) {
          const wo = (r * n + i) * d;
          for (let k = 0; k < d; k++) gw[go + k] += g * (x[xo + k] - p.w[wo + k]);
        } else {
          for (let k = 0; k < d; k++) gw[go + k] += g * x[xo + k];
          gb[i] += g;
        }
      }
    }
    losses[r] = loss / (2 * P);
    // theta <- theta - lr * grad - decay * theta, both at the particles before the step.
    for (let i = 0; i < n; i++) {
      const ci = p.c[r * n + i];
      const s = net.scale * ci;
      p.c[r * n + i] = ci - size.lr * net.scale * gc[i] - size.decay * ci;
      const wo = (r * n + i) * d;
      for (let k = 0; k < d; k++) {
        const wk = p.w[wo + k];
        p.w[wo + k] = wk - size.lr * s * gw[i * d + k] - size.decay * wk;
      }
      if (!gaussian) {
        const bi = p.b[r * n + i];
        p.b[r * n + i] = bi - size.lr * s * gb[i] - size.decay * bi;
      }
    }
  }
  return losses;
}

/**
 * The birth-death potentials V_i = sum_mu weight_mu (f_mu - y_mu) c_i phi(x_mu; theta_i), [R, n],
 * float64, at the particles as they are (weights absent: 1/P, the mean over the sample).
 */
export function potentialsReference(net: Network, p: ParticlesLike, batch: BatchLike): Float64Array {
  const { R, n, d } = p;
  const { P, x, y, perReplica, weights } = batch;
  const out = new Float64Array(R * n);
  const h = new Float64Array(n);
  const a = new Float64Array(n);
  for (let r = 0; r < R; r++) {
    for (let mu = 0; mu < P; mu++) {
      const f = unscaledOutput(net, p, r, x, ((perReplica ? r * P : 0) + mu) * d, h, a);
      const q = (weights ? weights[r * P + mu] : 1 / P) * (net.scale * f - y[(perReplica ? r * P : 0) + mu]);
      for (let i = 0; i < n; i++) out[r * n + i] += q * a[i];
    }
    for (let i = 0; i < n; i++) out[r * n + i] *= p.c[r * n + i];
  }
  return out;
}

/** The float64-accumulating TypeScript kernel. */
export const referenceKernel: Kernel = {
  name: 'reference',
  device: 'TypeScript, float64 accumulation, one thread',
  forward: forwardReference,
  step: stepReference,
  potentials: potentialsReference,
};
