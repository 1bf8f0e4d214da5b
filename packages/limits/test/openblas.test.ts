// OpenBLAS (dlopen'ed by the engine's addon) against the addon's own solver on a real kernel matrix:
// the same eigenvalues, the same matrix rebuilt from either's eigenpairs, the same NTK curves.
// Skipped, saying why, only on a host without OpenBLAS (or without the addon).
import { afterAll, describe, expect, it } from 'vitest';
import { specSchema } from '@mfsim/contracts';
import { recordedSteps, referenceKernel, setupProblem } from '@mfsim/engine';
import { limitKernel } from '../src/kernels.ts';
import { congruence, linalgBackend, matmulABt, openblasStatus, setEigenMethod, setLinalgBackend, symmetricABt, symmetricEigen } from '../src/linalg.ts';
import { ntkGradientDescent, type KernelBlocks } from '../src/ntk-dynamics.ts';
import { maxKernelTrainSize } from '../src/predict.ts';

setLinalgBackend('openblas');
const status = openblasStatus();
const found = linalgBackend() === 'openblas';
setLinalgBackend('auto');
afterAll(() => {
  setLinalgBackend('auto');
  setEigenMethod('dsyevd');
});

const spec = specSchema.parse({
  seed: 4, replicas: 1,
  inputs: { kind: 'sphere', d: 8 },
  target: { kind: 'teacher', unit: 'tanh', width: 4 },
  student: { unit: 'erf', width: 64, parameterization: 'ntk' },
  training: { dynamics: 'gd', trainSize: 300, dt: 1, steps: 400 },
  record: { every: 40, testSize: 200, probes: 4 },
});

function blocksOf(): KernelBlocks {
  const problem = setupProblem(spec, 4, referenceKernel);
  const kernel = limitKernel(spec, 8);
  const train = problem.train!;
  const [P, M, J] = [train.count, problem.test.count, problem.probeCount];
  const XX = kernel.matrices(train.x, P, train.x, P);
  const TX = kernel.matrices(problem.test.x, M, train.x, P);
  const JX = kernel.matrices(problem.probes, J, train.x, P);
  return {
    P, thetaXX: XX.ntk, kXX: XX.nngp, y: train.y,
    M, thetaTX: TX.ntk, kTX: TX.nngp, kTT: kernel.diagonal(problem.test.x, M).nngp, yT: problem.test.y,
    J, thetaJX: JX.ntk, kJX: JX.nngp, kJJ: kernel.diagonal(problem.probes, J).nngp,
  };
}

const title = found ? 'OpenBLAS against the built-in solver' : `OpenBLAS against the built-in solver (skipped: ${'reason' in status ? status.reason : 'not found'})`;

describe.skipIf(!found)(title, () => {
  const blocks = blocksOf();
  const { P, thetaXX } = blocks;

  it.each(['dsyevd', 'dsyevr'] as const)('%s: the eigenvalues and V diag(w) V^T of a 300-point NTK matrix match the built-in ones', (method) => {
    setLinalgBackend('native');
    const builtin = symmetricEigen(thetaXX, P);
    setLinalgBackend('openblas');
    setEigenMethod(method);
    const fast = symmetricEigen(thetaXX, P);
    const scale = builtin.values[P - 1];
    let valueGap = 0;
    for (let i = 0; i < P; i++) valueGap = Math.max(valueGap, Math.abs(fast.values[i] - builtin.values[i]));
    expect(valueGap / scale).toBeLessThan(1e-12);
    for (let i = 1; i < P; i++) expect(fast.values[i]).toBeGreaterThanOrEqual(fast.values[i - 1]);
    // both rebuild Theta: sum_k w_k v_k v_k^T, entry by entry
    const rebuild = ({ values, vectors }: { values: Float64Array; vectors: Float64Array }, i: number, j: number) => {
      let s = 0;
      for (let k = 0; k < P; k++) s += values[k] * vectors[k * P + i] * vectors[k * P + j];
      return s;
    };
    let gap = 0;
    let residual = 0;
    for (let i = 0; i < P; i += 3) {
      for (let j = 0; j < P; j += 2) {
        const f = rebuild(fast, i, j);
        gap = Math.max(gap, Math.abs(f - rebuild(builtin, i, j)));
        residual = Math.max(residual, Math.abs(f - thetaXX[i * P + j]));
      }
    }
    expect(gap / scale).toBeLessThan(1e-12);
    expect(residual / scale).toBeLessThan(1e-12);
    // the leading eigenvector is well separated: the same up to sign
    const dot = fast.vectors.subarray((P - 1) * P).reduce((s, v, k) => s + v * builtin.vectors[(P - 1) * P + k], 0);
    expect(Math.abs(dot)).toBeCloseTo(1, 10);
  });

  it('gives the same NTK curves (losses, probe means and variances) as the built-in path', () => {
    const steps = recordedSteps(spec);
    setLinalgBackend('native');
    const builtin = ntkGradientDescent(blocks, 1, steps);
    setLinalgBackend('openblas');
    setEigenMethod('dsyevd');
    const fast = ntkGradientDescent(blocks, 1, steps);
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1e-3, Math.abs(b)));
    steps.forEach((_, t) => {
      close(fast.trainLoss[t], builtin.trainLoss[t]);
      close(fast.testLoss[t], builtin.testLoss[t]);
      fast.probeMean[t].forEach((v, p) => close(v, builtin.probeMean[t][p]));
      fast.probeVariance[t].forEach((v, p) => close(v, builtin.probeVariance[t][p]));
    });
    expect(fast.testLoss.at(-1)!).toBeLessThan(fast.testLoss[0]);
  });

  it('split (dsyevd\'s steps, the back-transformation in blocks of 256 reflectors) gives dsyevd\'s eigenpairs and NTK curves', () => {
    setLinalgBackend('openblas');
    setEigenMethod('dsyevd');
    const whole = symmetricEigen(thetaXX, P);
    const wholeCurves = ntkGradientDescent(blocks, 1, recordedSteps(spec));
    setEigenMethod('split');
    const split = symmetricEigen(thetaXX, P);
    const splitCurves = ntkGradientDescent(blocks, 1, recordedSteps(spec));
    // the same LAPACK steps but the last: the same values, the same vectors (signs included) to rounding
    const scale = whole.values[P - 1];
    for (let i = 0; i < P; i++) expect(Math.abs(split.values[i] - whole.values[i])).toBeLessThanOrEqual(1e-13 * scale);
    let gap = 0;
    for (let i = 0; i < P * P; i++) gap = Math.max(gap, Math.abs(split.vectors[i] - whole.vectors[i]));
    expect(gap).toBeLessThan(1e-12);
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-10 * Math.max(1e-3, Math.abs(b)));
    wholeCurves.testLoss.forEach((v, t) => {
      close(splitCurves.testLoss[t], v);
      close(splitCurves.trainLoss[t], wholeCurves.trainLoss[t]);
      splitCurves.probeMean[t].forEach((m, p) => close(m, wholeCurves.probeMean[t][p]));
      splitCurves.probeVariance[t].forEach((m, p) => close(m, wholeCurves.probeVariance[t][p]));
    });
    // sizes at and around one block of reflectors, and the trivial ones
    for (const n of [1, 2, 3, 256, 257, 258]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = thetaXX[i * P + j];
      setEigenMethod('dsyevd');
      const w = symmetricEigen(a, n);
      setEigenMethod('split');
      const s = symmetricEigen(a, n);
      let valueGap = 0;
      let vectorGap = 0;
      for (let i = 0; i < n; i++) valueGap = Math.max(valueGap, Math.abs(s.values[i] - w.values[i]));
      for (let i = 0; i < n * n; i++) vectorGap = Math.max(vectorGap, Math.abs(s.vectors[i] - w.vectors[i]));
      expect(valueGap).toBeLessThanOrEqual(1e-13 * Math.abs(w.values[n - 1]));
      expect(vectorGap).toBeLessThan(1e-12);
    }
  });

  it('congruence V K V^T: through K\'s Cholesky factor, or (K indefinite) two products, as V K then (V K) V^T', () => {
    setLinalgBackend('openblas');
    const { vectors: V } = symmetricEigen(thetaXX, P);
    const shifted = Float64Array.from(blocks.kXX);
    for (let i = 0; i < P; i++) shifted[i * P + i] -= 1; // K - I: indefinite, so no Cholesky factor
    for (const K of [blocks.kXX, shifted]) {
      const S = congruence(V, K, P);
      const reference = symmetricABt(matmulABt(V, K, P, P, P), V, P, P);
      let scale = 0;
      let gap = 0;
      for (let i = 0; i < P * P; i++) {
        scale = Math.max(scale, Math.abs(reference[i]));
        gap = Math.max(gap, Math.abs(S[i] - reference[i]));
      }
      expect(gap / scale).toBeLessThan(1e-12);
      for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) expect(S[i * P + j]).toBe(S[j * P + i]);
    }
  });

  it('lifts the training-set bound above the built-in path\'s', () => {
    expect(maxKernelTrainSize('openblas')).toBeGreaterThan(maxKernelTrainSize('native'));
  });
});
