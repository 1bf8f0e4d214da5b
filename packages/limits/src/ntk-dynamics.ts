// Infinite-width `ntk` gradient descent on the square loss, in closed form (science.md, "Limits"):
// the network is its linearisation with the deterministic kernel Theta, and f_0 ~ GP(0, K).
// Euler steps as the engine takes them: f_{k+1}(x) = f_k(x) - (dt / P) Theta(x, X) (f_k(X) - y), so
// with Theta_XX = sum_i lambda_i v_i v_i^T and eta = dt / P
//   f_k(X) - y = sum_i g_i(k) v_i v_i^T (f_0(X) - y),  g_i(k) = (1 - eta lambda_i)^k,
//   f_k(x) = f_0(x) - Theta(x, X) sum_i h_i(k) v_i v_i^T (f_0(X) - y),  h_i(k) = (1 - g_i(k)) / lambda_i.
// Means, variances and expected losses (1/(2P) and 1/(2M) sums) follow from the eigenvectors' overlaps.
import { symmetricEigen } from './eigen.ts';

export interface KernelBlocks {
  P: number;
  /** Theta and K on the training set [P, P]; targets y [P]. */
  thetaXX: Float64Array;
  kXX: Float64Array;
  y: ArrayLike<number>;
  /** Test set: Theta and K against the training set [M, P], K(x, x) [M], targets [M]. */
  M: number;
  thetaTX: Float64Array;
  kTX: Float64Array;
  kTT: Float64Array;
  yT: ArrayLike<number>;
  /** Probes: Theta and K against the training set [J, P], K(x, x) [J]. */
  J: number;
  thetaJX: Float64Array;
  kJX: Float64Array;
  kJJ: Float64Array;
}

export interface NtkCurves {
  /** Expected train loss and test loss at each step (the average over f_0 ~ GP(0, K)). */
  trainLoss: number[];
  testLoss: number[];
  /** Mean and variance of f at each probe, [steps][J]. */
  probeMean: number[][];
  probeVariance: number[][];
  /** dt * lambda_max / P: above 2 the linearised dynamics blow up. */
  stepTimesLargestRate: number;
  smallestEigenvalue: number;
  largestEigenvalue: number;
}

/** rows of a [r, P] projected on the eigenvectors: out[x, i] = v_i . a[x]. */
function project(vectors: Float64Array, a: Float64Array, rows: number, P: number): Float64Array {
  const out = new Float64Array(rows * P);
  for (let x = 0; x < rows; x++) {
    const ax = a.subarray(x * P, x * P + P);
    for (let i = 0; i < P; i++) {
      const v = vectors.subarray(i * P, i * P + P);
      let s = 0;
      for (let k = 0; k < P; k++) s += v[k] * ax[k];
      out[x * P + i] = s;
    }
  }
  return out;
}

export function ntkGradientDescent(blocks: KernelBlocks, dt: number, steps: number[]): NtkCurves {
  const { P, M, J } = blocks;
  const { values: lambda, vectors: V } = symmetricEigen(blocks.thetaXX, P);
  const eta = dt / P;
  const yTilde = project(V, Float64Array.from(blocks.y), 1, P);
  // S = V K V^T (the NNGP covariance of f_0(X) in the eigenbasis)
  const KV = project(V, blocks.kXX, P, P); // KV[x, i] = v_i . K[x] = (K v_i)[x]
  const S = new Float64Array(P * P);
  for (let i = 0; i < P; i++) {
    for (let j = 0; j < P; j++) {
      let s = 0;
      for (let x = 0; x < P; x++) s += V[i * P + x] * KV[x * P + j];
      S[i * P + j] = s;
    }
  }
  // test: b = V theta_x, c = V k_x; their averages over the test set
  const B = project(V, blocks.thetaTX, M, P);
  const C = project(V, blocks.kTX, M, P);
  const beta = new Float64Array(P); // mean_x b_xi c_xi
  const Wm = new Float64Array(P * P); // mean_x b_xi b_xj
  for (let x = 0; x < M; x++) {
    const b = B.subarray(x * P, x * P + P);
    for (let i = 0; i < P; i++) {
      beta[i] += (b[i] * C[x * P + i]) / M;
      const bi = b[i] / M;
      const row = i * P;
      for (let j = 0; j < P; j++) Wm[row + j] += bi * b[j];
    }
  }
  let meanKTT = 0;
  for (let x = 0; x < M; x++) meanKTT += blocks.kTT[x] / M;
  const Bj = project(V, blocks.thetaJX, J, P);
  const Cj = project(V, blocks.kJX, J, P);

  const g = new Float64Array(P);
  const h = new Float64Array(P);
  const hb = new Float64Array(P);
  const curves: NtkCurves = {
    trainLoss: [], testLoss: [], probeMean: [], probeVariance: [],
    stepTimesLargestRate: eta * lambda[P - 1], smallestEigenvalue: lambda[0], largestEigenvalue: lambda[P - 1],
  };
  for (const k of steps) {
    for (let i = 0; i < P; i++) {
      const r = eta * lambda[i];
      g[i] = r < 1 ? Math.exp(k * Math.log1p(-r)) : (1 - r) ** k;
      h[i] = Math.abs(r) < 1e-12 ? k * eta : (r < 1 ? -Math.expm1(k * Math.log1p(-r)) : 1 - g[i]) / lambda[i];
    }
    let train = 0;
    for (let i = 0; i < P; i++) train += g[i] * g[i] * (yTilde[i] * yTilde[i] + S[i * P + i]);
    curves.trainLoss.push(train / (2 * P));
    // test: squared bias of the mean + mean variance
    let bias = 0;
    for (let x = 0; x < M; x++) {
      let mu = 0;
      for (let i = 0; i < P; i++) mu += B[x * P + i] * h[i] * yTilde[i];
      bias += (mu - blocks.yT[x]) ** 2;
    }
    let variance = meanKTT;
    for (let i = 0; i < P; i++) {
      variance -= 2 * h[i] * beta[i];
      const row = i * P;
      let s = 0;
      for (let j = 0; j < P; j++) s += S[row + j] * Wm[row + j] * h[j];
      variance += h[i] * s;
    }
    curves.testLoss.push((bias / M + variance) / 2);
    const means: number[] = [];
    const variances: number[] = [];
    for (let p = 0; p < J; p++) {
      let mu = 0;
      let cross = 0;
      for (let i = 0; i < P; i++) {
        hb[i] = h[i] * Bj[p * P + i];
        mu += hb[i] * yTilde[i];
        cross += hb[i] * Cj[p * P + i];
      }
      let quad = 0;
      for (let i = 0; i < P; i++) {
        const row = i * P;
        let s = 0;
        for (let j = 0; j < P; j++) s += S[row + j] * hb[j];
        quad += hb[i] * s;
      }
      means.push(mu);
      variances.push(blocks.kJJ[p] - 2 * cross + quad);
    }
    curves.probeMean.push(means);
    curves.probeVariance.push(variances);
  }
  return curves;
}
