// The closed-form NTK curves against the linearised dynamics stepped directly: the joint mean and
// covariance of (f(X), f(T), f(probes)) pushed through every Euler step, from f_0 ~ GP(0, K).
// Every linear-algebra path this host has: OpenBLAS through the addon, the addon's own code, the
// plain TypeScript (MFSIM_LAPACK does not narrow them: each is asked for by name).
import { afterAll, describe, expect, it } from 'vitest';
import { symmetricEigen as symmetricEigenTs } from '../src/eigen.ts';
import { linalgBackend, matmulABt, rowQuadratic, setLinalgBackend, symmetricABt, symmetricEigen } from '../src/linalg.ts';
import { ntkGradientDescent, ntkTestLossSpread } from '../src/ntk-dynamics.ts';

const backends = (['openblas', 'native', 'typescript'] as const).filter((b) => {
  setLinalgBackend(b);
  return linalgBackend() === b;
});
setLinalgBackend('auto');
afterAll(() => setLinalgBackend('auto'));

function randomGram(rows: number, cols: number, seed: number): Float64Array {
  // A = F F^T / cols + 0.1 I from pseudo-random features: symmetric positive definite
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  const F = Array.from({ length: rows * cols }, rnd);
  const A = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) {
    let v = 0;
    for (let k = 0; k < cols; k++) v += F[i * cols + k] * F[j * cols + k];
    A[i * rows + j] = (4 * v) / cols + (i === j ? 0.1 : 0);
  }
  return A;
}

describe.each(backends)('symmetric eigendecomposition (%s)', (backend) => {
  it('reconstructs the matrix from its eigenpairs', () => {
    setLinalgBackend(backend);
    const n = 40;
    const A = randomGram(n, 7, 3);
    const { values, vectors } = symmetricEigen(A, n);
    for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    let worst = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += values[k] * vectors[k * n + i] * vectors[k * n + j];
      worst = Math.max(worst, Math.abs(s - A[i * n + j]));
    }
    expect(worst).toBeLessThan(1e-12);
  });
});

describe.each(backends)('NTK gradient descent in closed form (%s)', (backend) => {
  it('equals the linearised Euler steps of the mean and covariance at every step', () => {
    setLinalgBackend(backend);
    const [P, M, J] = [12, 7, 3];
    const N = P + M + J;
    // one joint Gram for Theta and one for K over all N points: blocks from them
    const theta = randomGram(N, 5, 11);
    const K = randomGram(N, 9, 17);
    const y = Array.from({ length: N }, (_, i) => Math.sin(i + 1));
    const block = (A: Float64Array, r0: number, r: number) => {
      const out = new Float64Array(r * P);
      for (let i = 0; i < r; i++) for (let j = 0; j < P; j++) out[i * P + j] = A[(r0 + i) * N + j];
      return out;
    };
    const diag = (A: Float64Array, r0: number, r: number) => Float64Array.from({ length: r }, (_, i) => A[(r0 + i) * (N + 1)]);
    const dt = 0.7;
    const steps = [0, 1, 2, 5, 17, 40];
    const blocks = {
      P, thetaXX: block(theta, 0, P), kXX: block(K, 0, P), y: y.slice(0, P),
      M, thetaTX: block(theta, P, M), kTX: block(K, P, M), kTT: diag(K, P, M), yT: y.slice(P, P + M),
      J, thetaJX: block(theta, P + M, J), kJX: block(K, P + M, J), kJJ: diag(K, P + M, J),
    };
    const curves = ntkGradientDescent(blocks, dt, steps);
    const kTT = Float64Array.from({ length: M * M }, (_, a) => K[(P + Math.floor(a / M)) * N + P + (a % M)]);
    const spread = ntkTestLossSpread(blocks, kTT, dt, steps);
    // direct: s_{k+1} = s_k - (dt/P) Theta[:, X] (s_X - y_X); mean m and covariance C of s
    let m = new Float64Array(N);
    let C = Float64Array.from(K);
    const A = new Float64Array(N * N); // s_{k+1} = A s_k + (dt/P) Theta[:, X] y_X
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) A[i * N + j] = (i === j ? 1 : 0) - (j < P ? (dt / P) * theta[i * N + j] : 0);
    const shift = Float64Array.from({ length: N }, (_, i) => {
      let v = 0;
      for (let j = 0; j < P; j++) v += (dt / P) * theta[i * N + j] * y[j];
      return v;
    });
    let k = 0;
    steps.forEach((target, index) => {
      for (; k < target; k++) {
        const m2 = new Float64Array(N);
        const AC = new Float64Array(N * N);
        for (let i = 0; i < N; i++) {
          let v = shift[i];
          for (let j = 0; j < N; j++) v += A[i * N + j] * m[j];
          m2[i] = v;
          for (let j = 0; j < N; j++) {
            let s = 0;
            for (let l = 0; l < N; l++) s += A[i * N + l] * C[l * N + j];
            AC[i * N + j] = s;
          }
        }
        const C2 = new Float64Array(N * N);
        for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
          let s = 0;
          for (let l = 0; l < N; l++) s += AC[i * N + l] * A[j * N + l];
          C2[i * N + j] = s;
        }
        m = m2;
        C = C2;
      }
      const loss = (from: number, count: number) => {
        let s = 0;
        for (let i = from; i < from + count; i++) s += (m[i] - y[i]) ** 2 + C[i * N + i];
        return s / (2 * count);
      };
      expect(curves.trainLoss[index]).toBeCloseTo(loss(0, P), 10);
      expect(curves.testLoss[index]).toBeCloseTo(loss(P, M), 10);
      // the test loss of one draw: |r|^2 / (2M) with r ~ N(m_T - y_T, C_TT)
      let trace2 = 0;
      let mCm = 0;
      for (let a = P; a < P + M; a++) for (let b = P; b < P + M; b++) {
        trace2 += C[a * N + b] ** 2;
        mCm += (m[a] - y[a]) * C[a * N + b] * (m[b] - y[b]);
      }
      expect(spread[index]).toBeCloseTo(Math.sqrt(2 * trace2 + 4 * mCm) / (2 * M), 10);
      for (let j = 0; j < J; j++) {
        expect(curves.probeMean[index][j]).toBeCloseTo(m[P + M + j], 10);
        expect(curves.probeVariance[index][j]).toBeCloseTo(C[(P + M + j) * (N + 1)], 10);
      }
    });
  });
});

describe.each(backends.filter((b) => b !== 'typescript'))('%s linear algebra against the TypeScript', (backend) => {
  it('eigenpairs of a kernel-like matrix with clustered eigenvalues, and A B^T of odd shapes', () => {
    setLinalgBackend(backend);
    const n = 301;
    const A = randomGram(n, 12, 5); // rank 12 + 0.1 I: 289 equal eigenvalues
    const native = symmetricEigen(A, n);
    const ts = symmetricEigenTs(A, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(native.values[i] - ts.values[i]));
    expect(worst).toBeLessThan(1e-12);
    // A v = lambda v and orthonormal rows, for every pair
    let residual = 0;
    let orthogonality = 0;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += A[i * n + k] * native.vectors[j * n + k];
        residual = Math.max(residual, Math.abs(s - native.values[j] * native.vectors[j * n + i]));
      }
      for (let l = j; l < Math.min(n, j + 3); l++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += native.vectors[j * n + k] * native.vectors[l * n + k];
        orthogonality = Math.max(orthogonality, Math.abs(s - (l === j ? 1 : 0)));
      }
    }
    expect(residual).toBeLessThan(1e-11);
    expect(orthogonality).toBeLessThan(1e-12);
    const [m, p, k] = [13, 517, 263];
    const X = randomGram(m + p, k, 9).subarray(0, (m + p) * k); // any numbers
    const a = X.slice(0, m * k);
    const b = X.slice(m * k, (m + p) * k);
    const c = matmulABt(a, b, m, p, k);
    setLinalgBackend('typescript');
    const c2 = matmulABt(a, b, m, p, k);
    let gap = 0;
    for (let i = 0; i < m * p; i++) gap = Math.max(gap, Math.abs(c[i] - c2[i]));
    expect(gap).toBeLessThan(1e-12);
    // the symmetric products (S = (V K) V^T, A A^T) and the quadratic forms z^T S z, over block edges
    const q = 301; // two of OpenBLAS's 256-row blocks
    const Kq = randomGram(q, 9, 21);
    const Vq = randomGram(q, 30, 23);
    const VK = matmulABt(Vq, Kq, q, q, q);
    const reference = [matmulABt(VK, Vq, q, q, q), matmulABt(Vq, Vq, q, q, q)];
    const Zq = X.slice(0, 37 * q);
    const quadReference = matmulABt(Zq, reference[0], 37, q, q).reduce((out, v, at) => {
      out[Math.floor(at / q)] += v * Zq[at];
      return out;
    }, new Float64Array(37));
    setLinalgBackend(backend);
    const symmetric = [symmetricABt(VK, Vq, q, q), symmetricABt(Vq, null, q, q)];
    symmetric.forEach((sym, which) => {
      let worst = 0;
      let asymmetry = 0;
      for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) {
        worst = Math.max(worst, Math.abs(sym[i * q + j] - reference[which][i * q + j]) / (1 + Math.abs(reference[which][i * q + j])));
        asymmetry = Math.max(asymmetry, Math.abs(sym[i * q + j] - sym[j * q + i]));
      }
      expect(worst).toBeLessThan(1e-12);
      if (backend === 'openblas') expect(asymmetry).toBe(0);
    });
    const quad = rowQuadratic(Zq, symmetric[0], 37, q);
    quad.forEach((v, r) => expect(Math.abs(v - quadReference[r])).toBeLessThan(1e-10 * (1 + Math.abs(quadReference[r]))));
  });
});
