// The dense float64 operations of the NTK curves: the symmetric eigendecomposition and C = A B^T.
// Three paths, fastest first:
//   'openblas'   the engine's C++ addon calling OpenBLAS (dsyevd's steps and dgemm, dlopen'ed at run
//                time: native/src/openblas.cc) when the host has libopenblas.so.0;
//   'native'     the addon's own code (native/src/linalg.cc: tred2 + tql2, OpenMP, blocked products);
//   'typescript' the plain TypeScript (eigen.ts and the loop below) when the addon is not built.
// MFSIM_LAPACK=builtin skips OpenBLAS (=openblas, or unset: use it when found); MFSIM_LIMITS_LINALG=ts
// or setLinalgBackend forces a path (tests compare them).
import { loadNativeAddon } from '@mfsim/engine';
import { symmetricEigen as symmetricEigenTs, type Eigen } from './eigen.ts';

type EigenMethod = 'builtin' | 'split' | 'dsyevd' | 'dsyevr';

interface LinalgAddon {
  symmetricEigen(a: Float64Array, n: number, threads: number, method?: EigenMethod): Float64Array;
  matmulABt(a: Float64Array, b: Float64Array, m: number, n: number, k: number, threads: number, method?: 'builtin' | 'dgemm'): Float64Array;
  openblas?(): { library: string; config: string } | { reason: string };
  /** OpenBLAS only. */
  symmetricABt(a: Float64Array, b: Float64Array | null, n: number, k: number, threads: number): Float64Array;
  rowQuadratic(z: Float64Array, s: Float64Array, rows: number, n: number, threads: number): Float64Array;
  /** OpenBLAS only (an addon built before it lacks it). */
  congruence?(v: Float64Array, k: Float64Array, n: number, threads: number): Float64Array;
}

export type LinalgBackend = 'openblas' | 'native' | 'typescript';

/** Which OpenBLAS serves ('openblas' path), or why none does. */
export type OpenblasStatus = { library: string; config: string } | { reason: string };

let addon: LinalgAddon | null | undefined;
let openblas: OpenblasStatus = { reason: 'not looked for' };
/** The backend asked for: 'auto' is MFSIM_LAPACK / MFSIM_LIMITS_LINALG, then the fastest available. */
let wanted: 'auto' | LinalgBackend = 'auto';
let active: LinalgBackend | undefined;
/**
 * OpenBLAS's eigensolver: divide and conquer, either as dsyevd's own steps with the back-transformation
 * in blocks of 256 reflectors (`split`, the default: the same values and vectors to rounding, half
 * dormtr's time at P = 4096; dsyevd whole where the library lacks dsytrd/dstedc) or dsyevd whole
 * (`dsyevd`, NumPy's eigh), or MRRR (`dsyevr`). MFSIM_LAPACK_EIGEN picks one.
 */
export type EigenMethodName = 'split' | 'dsyevd' | 'dsyevr';
const EIGEN_METHODS: readonly EigenMethodName[] = ['split', 'dsyevd', 'dsyevr'];
let eigenMethod: EigenMethodName = EIGEN_METHODS.find((m) => m === process.env.MFSIM_LAPACK_EIGEN) ?? 'split';
/** Threads of the native and OpenBLAS paths: 1 unless MFSIM_LIMITS_THREADS or setLinalgThreads says
 * more (the worker runs simulations beside it; fine-grained parallel regions crawl on a busy host). */
let threads = Math.max(1, Math.floor(Number(process.env.MFSIM_LIMITS_THREADS ?? 1)) || 1);

export function setLinalgThreads(count: number): void {
  threads = Math.max(1, Math.floor(count));
}

/** OpenBLAS's eigensolver (bench:limits and the tests compare them). */
export function setEigenMethod(method: EigenMethodName): void {
  eigenMethod = method;
}

function loadAddon(): LinalgAddon | null {
  if (addon === undefined) {
    addon = null;
    try {
      const loaded = loadNativeAddon() as unknown as Partial<LinalgAddon>;
      if (typeof loaded.symmetricEigen === 'function' && typeof loaded.matmulABt === 'function') addon = loaded as LinalgAddon;
    } catch {
      addon = null; // not built here: the TypeScript path
    }
  }
  return addon;
}

function resolve(): LinalgBackend {
  if (active) return active;
  let want = wanted;
  if (want === 'auto') {
    if (process.env.MFSIM_LIMITS_LINALG === 'ts') want = 'typescript';
    else if (process.env.MFSIM_LAPACK === 'builtin') want = 'native';
    else want = 'openblas';
  }
  const lib = want === 'typescript' ? null : loadAddon();
  if (!lib) {
    openblas = { reason: want === 'typescript' ? 'the TypeScript path was asked for' : 'the engine\'s native addon is not built here' };
    active = 'typescript';
  } else if (want === 'native') {
    openblas = { reason: 'MFSIM_LAPACK=builtin (or the built-in path was asked for)' };
    active = 'native';
  } else {
    openblas = lib.openblas?.() ?? { reason: 'the native addon predates the OpenBLAS path (rebuild it)' };
    active = 'library' in openblas ? 'openblas' : 'native';
  }
  return active;
}

/**
 * 'auto': MFSIM_LAPACK and MFSIM_LIMITS_LINALG, then OpenBLAS when found, the addon's own code when
 * built, else TypeScript. 'openblas' falls back like 'auto' when the library is not there
 * (linalgBackend says which serves); 'native' is the addon's own solver; 'typescript' the plain one.
 */
export function setLinalgBackend(backend: 'auto' | LinalgBackend): void {
  wanted = backend;
  active = undefined;
}

/** The path that serves: 'openblas', 'native' (the C++ addon's own code) or 'typescript'. */
export function linalgBackend(): LinalgBackend {
  return resolve();
}

/** The OpenBLAS library behind the 'openblas' path, or why the path is not used. */
export function openblasStatus(): OpenblasStatus {
  resolve();
  return openblas;
}

/** a: row-major symmetric [n, n]; values ascending, row j of vectors the unit eigenvector of values[j]. */
export function symmetricEigen(a: ArrayLike<number>, n: number): Eigen {
  const backend = resolve();
  if (backend === 'typescript') return symmetricEigenTs(a, n);
  const out = loadAddon()!.symmetricEigen(a instanceof Float64Array ? a : Float64Array.from(a), n, threads, backend === 'openblas' ? eigenMethod : 'builtin');
  return { n, values: out.subarray(0, n), vectors: out.subarray(n) };
}

/** C [m, n] = A [m, k] B^T (B [n, k]), all row-major. */
export function matmulABt(A: Float64Array, B: Float64Array, m: number, n: number, k: number): Float64Array {
  const backend = resolve();
  if (backend !== 'typescript') return loadAddon()!.matmulABt(A, B, m, n, k, threads, backend === 'openblas' ? 'dgemm' : 'builtin');
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

/**
 * C [n, n] = A B^T (A, B [n, k]; B omitted: A A^T) when the caller knows C is symmetric: OpenBLAS
 * computes only the lower triangle (dsyrk, or dgemm by block rows) and mirrors it; the other paths
 * take the full product.
 */
export function symmetricABt(A: Float64Array, B: Float64Array | null, n: number, k: number): Float64Array {
  if (resolve() === 'openblas') return loadAddon()!.symmetricABt(A, B, n, k, threads);
  return matmulABt(A, B ?? A, n, n, k);
}

/**
 * S [n, n] = V K V^T for a symmetric K (V, K [n, n]). OpenBLAS: through K's Cholesky factor when K
 * is positive definite to dpotrf (a dtrmm and a dsyrk, 2.3 n^3 flops), else V K then its product
 * with V^T by the lower triangle (3.1 n^3); the other paths take V K and symmetricABt.
 */
export function congruence(V: Float64Array, K: Float64Array, n: number): Float64Array {
  const lib = resolve() === 'openblas' ? loadAddon()! : null;
  if (lib?.congruence) return lib.congruence(V, K, n, threads);
  return symmetricABt(matmulABt(V, K, n, n, n), V, n, n);
}

/** q [rows], q_r = z_r^T S z_r for the rows of Z [rows, n] and a symmetric S [n, n] (OpenBLAS: a dtrmm, half of Z S). */
export function rowQuadratic(Z: Float64Array, S: Float64Array, rows: number, n: number): Float64Array {
  if (resolve() === 'openblas') return loadAddon()!.rowQuadratic(Z, S, rows, n, threads);
  const ZS = matmulABt(Z, S, rows, n, n);
  const q = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Z[r * n + i] * ZS[r * n + i];
    q[r] = s;
  }
  return q;
}
