// The per-step math of the dynamics, behind one small interface.
// The dynamics loop, random streams, data, recording and checkpoints are TypeScript and
// shared by every kernel; a kernel only evaluates and moves particles.
// All arrays are float32, row-major; shapes in comments.
import type { Inputs } from '@mfsim/contracts';

export type UnitKind = 'tanh' | 'sigmoid' | 'relu' | 'erf' | 'gaussian' | 'ramp';

/** The ramp unit (Mei-Montanari-Nguyen): phi(h) = s1 for h <= t1, s2 for h >= t2, linear between (t1 < t2). */
export interface Ramp {
  s1: number;
  s2: number;
  t1: number;
  t2: number;
}

/** Parameters of a network family: what phi is and how outputs are scaled. */
export interface Network {
  unit: UnitKind;
  /** s in exp(-|x - z|^2 / (2 s^2)); used by gaussian units only. */
  bandwidth: number;
  /** alpha_n: 1/n (mean-field), 1/sqrt(n) (ntk), m^-1/2 for a teacher. */
  scale: number;
  /** The ramp's levels and knots; required for (and used by) ramp units only. */
  ramp?: Ramp;
}

/**
 * The particles of R replicas of a width-n network on inputs in R^d.
 * For gaussian units `w` holds the centres z and `b` is unused (kept zero).
 */
export interface Particles {
  R: number;
  n: number;
  d: number;
  c: Float32Array; // [R, n]
  w: Float32Array; // [R, n, d]
  b: Float32Array; // [R, n]
}

/**
 * A batch of P points: shared by all replicas (x: [P, d], y: [P]) or one per replica
 * (perReplica: x: [R, P, d], y: [R, P]).
 */
export interface Batch {
  P: number;
  perReplica: boolean;
  x: Float32Array;
  y: Float32Array;
  /**
   * Per-sample weights of the gradient, [R, P]. Absent: 1/P for every sample, the gradient of
   * L = 1/(2P) sum (f - y)^2. The sde dynamics passes 1/P + (zeta_mu - mean zeta) / sqrt(B P).
   */
  weights?: Float32Array;
}

/** The Euler step: theta <- theta - lr * sum_mu weight_mu (f_mu - y_mu) d f_mu / d theta - decay * theta. */
export interface StepSize {
  /** dt * eta_n (eta_n = n mean-field, 1 ntk). */
  lr: number;
  /** dt * lambda (weight decay). */
  decay: number;
}

export interface Kernel {
  /** "native", "cuda", "tfjs-wasm", "tfjs-cpu", "tfjs-tensorflow": stored on each run. */
  readonly name: string;
  /** The device in words, e.g. "x86_64, 2 threads (OpenMP)" or "NVIDIA H100 80GB HBM3". */
  readonly device: string;
  /** f = scale * sum_i c_i phi(x; theta_i): [R, P] (x shared [P, d] or per replica [R, P, d]). */
  forward(net: Network, p: Particles, x: Float32Array, P: number, perReplica: boolean): Float32Array;
  /**
   * One Euler step on all replicas, in place on p.c, p.w, p.b. Returns the batch loss
   * 1/(2P) sum_mu (f_mu - y_mu)^2 per replica, [R], at the particles before the step.
   */
  step(net: Network, p: Particles, batch: Batch, size: StepSize): Float64Array;
  /**
   * Optional: the birth-death potentials V_i = sum_mu weight_mu (f_mu - y_mu) c_i phi(x_mu; theta_i)
   * per replica and particle, [R, n], at the particles as they are (native and tfjs have it). Absent
   * (cuda): the TypeScript reference (potentialsReference) computes them on the host.
   */
  potentials?(net: Network, p: Particles, batch: Batch): Float64Array;
  /**
   * Optional: the 3-spin target y = norm * sum_{i<=j<=k} C[o] x_i x_j x_k (C in the order of
   * targets.ts's pSpin), bit for bit as targets.ts computes it, only faster.
   */
  pSpin3?(C: Float64Array, d: number, norm: number, x: Float32Array, count: number): Float32Array;
  /**
   * Optional: drawInputs(inputs, new RandomStream(seed, stream, r, step), count) for r < R, bit for
   * bit, only faster: x [R, count, d], y [R, count] for labelled laws. null for laws it does not draw.
   */
  sampleInputs?(inputs: Inputs, seed: number, stream: number, step: number, R: number, count: number): { x: Float32Array; y?: Float32Array } | null;
  /**
   * Optional: the number of CPU threads of the next calls. Results do not depend on it (the native
   * kernel's reductions have a fixed order), so a worker may change it between chunks.
   */
  setThreads?(threads: number): void;
  /** Frees what the kernel holds (device memory, tensors). */
  dispose?(): void;
}
