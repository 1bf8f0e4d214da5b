// The dense float64 operations of the NTK curves: the symmetric eigendecomposition and C = A B^T.
// The engine's C++ addon (native/src/linalg.cc: the same tred2 + tql2, OpenMP) when it is built,
// the plain TypeScript otherwise (eigen.ts and the loop below); MFSIM_LIMITS_LINALG=ts or
// setLinalgBackend('typescript') forces the TypeScript path (tests compare the two).
import { loadNativeAddon } from '@mfsim/engine';
import { symmetricEigen as symmetricEigenTs, type Eigen } from './eigen.ts';

interface LinalgAddon {
  symmetricEigen(a: Float64Array, n: number, threads: number): Float64Array;
  matmulABt(a: Float64Array, b: Float64Array, m: number, n: number, k: number, threads: number): Float64Array;
}

let addon: LinalgAddon | null | undefined;
/** OpenMP threads of the native path: 1 unless MFSIM_LIMITS_THREADS or setLinalgThreads says more
 * (the worker runs simulations beside it; fine-grained parallel regions crawl on a busy host). */
let threads = Math.max(1, Math.floor(Number(process.env.MFSIM_LIMITS_THREADS ?? 1)) || 1);

export function setLinalgThreads(count: number): void {
  threads = Math.max(1, Math.floor(count));
}

function native(): LinalgAddon | null {
  if (addon === undefined) {
    addon = null;
    if (process.env.MFSIM_LIMITS_LINALG !== 'ts') {
      try {
        const loaded = loadNativeAddon() as unknown as Partial<LinalgAddon>;
        if (typeof loaded.symmetricEigen === 'function' && typeof loaded.matmulABt === 'function') addon = loaded as LinalgAddon;
      } catch {
        addon = null; // not built here: the TypeScript path
      }
    }
  }
  return addon;
}

/** 'typescript' forces the plain TypeScript path (tests compare the two); 'auto' the addon when built. */
export function setLinalgBackend(backend: 'auto' | 'typescript'): void {
  addon = backend === 'typescript' ? null : undefined;
}

/** 'native' (the C++ addon) or 'typescript'. */
export function linalgBackend(): 'native' | 'typescript' {
  return native() ? 'native' : 'typescript';
}

/** a: row-major symmetric [n, n]; values ascending, row j of vectors the unit eigenvector of values[j]. */
export function symmetricEigen(a: ArrayLike<number>, n: number): Eigen {
  const lib = native();
  if (!lib) return symmetricEigenTs(a, n);
  const out = lib.symmetricEigen(a instanceof Float64Array ? a : Float64Array.from(a), n, threads);
  return { n, values: out.subarray(0, n), vectors: out.subarray(n) };
}

/** C [m, n] = A [m, k] B^T (B [n, k]), all row-major. */
export function matmulABt(A: Float64Array, B: Float64Array, m: number, n: number, k: number): Float64Array {
  const lib = native();
  if (lib) return lib.matmulABt(A, B, m, n, k, threads);
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ia = i * k;
    for (let j = 0; j < n; j++) {
      const jb = j * k;
      let s = 0;
      for (let l = 0; l < k; l++) s += A[ia + l] * B[jb + l];
      C[i * n + j] = s;
    }
  }
  return C;
}
