// Infinite-width `ntk` gradient descent on the square loss, in closed form (science.md, "Limits"):
// the network is its linearisation with the deterministic kernel Theta, and f_0 ~ GP(0, K).
// Euler steps as the engine takes them: f_{k+1}(x) = f_k(x) - (dt / P) Theta(x, X) (f_k(X) - y), so
// with Theta_XX = sum_i lambda_i v_i v_i^T and eta = dt / P
//   f_k(X) - y = sum_i g_i(k) v_i v_i^T (f_0(X) - y),  g_i(k) = (1 - eta lambda_i)^k,
//   f_k(x) = f_0(x) - Theta(x, X) sum_i h_i(k) v_i v_i^T (f_0(X) - y),  h_i(k) = (1 - g_i(k)) / lambda_i.
// Means, variances and expected losses (1/(2P) and 1/(2M) sums) follow from the eigenvectors' overlaps.
import { congruence, matmulABt, rowQuadratic, symmetricABt, symmetricEigen } from './linalg.ts';

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

/** CPU seconds (this process, all threads) spent in each part (bench:limits prints them). */
export interface NtkTimings {
  eigen: number;
  projections: number;
  curves: number;
}

/** Rows of H ⊙ column scale, as a new [rows, P] array. */
function scaleRows(H: Float64Array, rows: number, P: number, scale: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows * P);
  for (let r = 0; r < rows; r++) for (let i = 0; i < P; i++) out[r * P + i] = H[r * P + i] * scale[i];
  return out;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** Recorded times per block of the probe products (bounds the [times * J, P] work arrays). */
const TIME_BLOCK = 32;

// Everything is matrix products (linalg.ts: OpenBLAS or the C++ addon when there), in the eigenbasis of Theta_XX:
//   S = V K V^T, B = Theta_TX V^T, C = K_TX V^T, W = B^T B / M, Q = S ⊙ W,
//   H[k, i] = h_i(k), G[k, i] = g_i(k),
//   train(k) = sum_i G_ki^2 (ytilde_i^2 + S_ii) / (2P)
//   test(k)  = [mean_x ((B (H_k ⊙ ytilde))_x - y_x)^2 + mean K_TT - 2 H_k . beta + H_k^T Q H_k] / 2,
//              beta_i = mean_x B_xi C_xi
//   probe p: z = H_k ⊙ Bj_p, mean = z . ytilde, variance = K(x_p, x_p) - 2 z . Cj_p + z^T S z.
export function ntkGradientDescent(blocks: KernelBlocks, dt: number, steps: number[], timings?: NtkTimings): NtkCurves {
  const { P, M, J } = blocks;
  const T = steps.length;
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let clock = timings ? cpu() : 0;
  const lap = (part: keyof NtkTimings) => {
    if (!timings) return;
    const now = cpu();
    timings[part] += now - clock;
    clock = now;
  };
  const { values: lambda, vectors: V } = symmetricEigen(blocks.thetaXX, P);
  lap('eigen');
  const eta = dt / P;
  const yTilde = matmulABt(V, Float64Array.from(blocks.y), P, 1, P);
  const S = congruence(V, blocks.kXX, P); // V K V^T
  const B = matmulABt(blocks.thetaTX, V, M, P, P);
  const C = matmulABt(blocks.kTX, V, M, P, P);
  const beta = new Float64Array(P);
  for (let x = 0; x < M; x++) for (let i = 0; i < P; i++) beta[i] += (B[x * P + i] * C[x * P + i]) / M;
  const Bt = transpose(B, M, P);
  const Q = symmetricABt(Bt, null, P, M);
  for (let a = 0; a < P * P; a++) Q[a] *= S[a] / M;
  let meanKTT = 0;
  for (let x = 0; x < M; x++) meanKTT += blocks.kTT[x] / M;
  const Bj = matmulABt(blocks.thetaJX, V, J, P, P);
  const Cj = matmulABt(blocks.kJX, V, J, P, P);
  lap('projections');

  const H = new Float64Array(T * P);
  const G = new Float64Array(T * P);
  steps.forEach((k, t) => {
    for (let i = 0; i < P; i++) {
      const r = eta * lambda[i];
      const g = r < 1 ? Math.exp(k * Math.log1p(-r)) : (1 - r) ** k;
      G[t * P + i] = g;
      H[t * P + i] = Math.abs(r) < 1e-12 ? k * eta : (r < 1 ? -Math.expm1(k * Math.log1p(-r)) : 1 - g) / lambda[i];
    }
  });
  const curves: NtkCurves = {
    trainLoss: [], testLoss: [], probeMean: [], probeVariance: [],
    stepTimesLargestRate: eta * lambda[P - 1], smallestEigenvalue: lambda[0], largestEigenvalue: lambda[P - 1],
  };
  const HQH = rowQuadratic(H, Q, T, P); // H_k^T Q H_k
  const Mu = matmulABt(scaleRows(H, T, P, yTilde), B, T, M, P);
  for (let t = 0; t < T; t++) {
    let train = 0;
    let variance = meanKTT;
    for (let i = 0; i < P; i++) {
      const g = G[t * P + i];
      const h = H[t * P + i];
      train += g * g * (yTilde[i] * yTilde[i] + S[i * P + i]);
      variance -= 2 * h * beta[i];
    }
    variance += HQH[t];
    let bias = 0;
    for (let x = 0; x < M; x++) bias += (Mu[t * M + x] - blocks.yT[x]) ** 2;
    curves.trainLoss.push(train / (2 * P));
    curves.testLoss.push((bias / M + variance) / 2);
  }
  for (let t0 = 0; t0 < T; t0 += TIME_BLOCK) {
    const tn = Math.min(TIME_BLOCK, T - t0);
    const Z = new Float64Array(tn * J * P); // row (t, p) = H_t ⊙ Bj_p
    for (let t = 0; t < tn; t++) {
      for (let p = 0; p < J; p++) {
        const row = (t * J + p) * P;
        for (let i = 0; i < P; i++) Z[row + i] = H[(t0 + t) * P + i] * Bj[p * P + i];
      }
    }
    const quad = rowQuadratic(Z, S, tn * J, P); // z^T S z per row
    for (let t = 0; t < tn; t++) {
      const means: number[] = [];
      const variances: number[] = [];
      for (let p = 0; p < J; p++) {
        const row = (t * J + p) * P;
        let mu = 0;
        let cross = 0;
        for (let i = 0; i < P; i++) {
          const z = Z[row + i];
          mu += z * yTilde[i];
          cross += z * Cj[p * P + i];
        }
        means.push(mu);
        variances.push(blocks.kJJ[p] - 2 * cross + quad[t * J + p]);
      }
      curves.probeMean.push(means);
      curves.probeVariance.push(variances);
    }
  }
  lap('curves');
  return curves;
}

/**
 * The standard deviation of one network's test loss at each step under the infinite-width law
 * (f_0 ~ GP(0, K), the NTK dynamics): the test residual is Gaussian, r ~ N(m, C), so
 * Var(|r|^2 / (2M)) = (2 tr(C^2) + 4 m^T C m) / (4 M^2). kTTFull: K on the test set [M, M].
 * With R replicas, sd / sqrt(R) is the standard error the replica mean should show (the sample SE
 * of a few replicas of this skewed quantity scatters widely). O(M^2 P) per step: for checks.
 */
export function ntkTestLossSpread(blocks: KernelBlocks, kTTFull: Float64Array, dt: number, steps: number[]): number[] {
  const { P, M } = blocks;
  const { values: lambda, vectors: V } = symmetricEigen(blocks.thetaXX, P);
  const eta = dt / P;
  const yTilde = matmulABt(V, Float64Array.from(blocks.y), P, 1, P);
  const S = matmulABt(matmulABt(V, blocks.kXX, P, P, P), V, P, P, P);
  const B = matmulABt(blocks.thetaTX, V, M, P, P);
  const C = matmulABt(blocks.kTX, V, M, P, P);
  return steps.map((k) => {
    const h = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      const r = eta * lambda[i];
      h[i] = Math.abs(r) < 1e-12 ? k * eta : (r < 1 ? -Math.expm1(k * Math.log1p(-r)) : 1 - (1 - r) ** k) / lambda[i];
    }
    const U = scaleRows(B, M, P, h); // rows b_x ⊙ h
    const UCt = matmulABt(U, C, M, M, P);
    const USUt = matmulABt(matmulABt(U, S, M, P, P), U, M, M, P);
    const hy = new Float64Array(P);
    for (let i = 0; i < P; i++) hy[i] = h[i] * yTilde[i];
    const mean = matmulABt(B, hy, M, 1, P);
    const cov = new Float64Array(M * M);
    for (let a = 0; a < M; a++) {
      for (let b = 0; b < M; b++) cov[a * M + b] = kTTFull[a * M + b] - UCt[a * M + b] - UCt[b * M + a] + USUt[a * M + b];
      mean[a] -= blocks.yT[a];
    }
    let trace2 = 0;
    for (let a = 0; a < M * M; a++) trace2 += cov[a] * cov[a]; // tr(C^2), C symmetric
    let mCm = 0;
    for (let a = 0; a < M; a++) {
      let s = 0;
      for (let b = 0; b < M; b++) s += cov[a * M + b] * mean[b];
      mCm += mean[a] * s;
    }
    return Math.sqrt(Math.max(0, 2 * trace2 + 4 * mCm)) / (2 * M);
  });
}
