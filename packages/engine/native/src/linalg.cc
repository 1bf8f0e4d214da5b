// Dense float64 linear algebra for the infinite-width limits (packages/limits): the symmetric
// eigendecomposition (Householder tridiagonalisation + implicit QL, tred2 + tql2 of EISPACK as in
// JAMA, the same algorithm as packages/limits/src/eigen.ts) and the product C = A B^T; or, when the
// caller asks and the host has it, OpenBLAS (openblas.cc, loaded at run time): dsyevd's steps with a
// wider-blocked back-transformation (splitEigen), dsyevd or dsyevr whole, dgemm, and the congruence
// V K V^T through dpotrf; 10-20x faster than the built-in eigensolver at P = 4096.
// The QL sweeps record their rotations and apply them to the eigenvectors in batches of sweeps,
// column chunks across OpenMP threads: every element sees the same rotations in the same order as
// the sequential loop, so the result does not depend on the thread count or the batching. Threads are an argument (1: no OpenMP
// region at all; the tridiagonalisation's per-column regions are slow on an oversubscribed host).
#include "linalg.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "napi-args.h"
#include "openblas.h"

namespace mflinalg {

namespace {

// W: row-major [n, n], row j = column j of JAMA's V (so inner loops are contiguous).
void tridiagonalise(double* W, double* d, double* e, int n, int threads) {
  const size_t N = (size_t)n;
  for (int j = 0; j < n; j++) d[j] = W[j * N + n - 1];
  for (int i = n - 1; i > 0; i--) {
    double scale = 0, h = 0;
    for (int k = 0; k < i; k++) scale += std::fabs(d[k]);
    if (scale == 0) {
      e[i] = d[i - 1];
      for (int j = 0; j < i; j++) {
        d[j] = W[j * N + i - 1];
        W[j * N + i] = 0;
        W[i * N + j] = 0;
      }
    } else {
      for (int k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      double f = d[i - 1];
      double g = std::sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (int j = 0; j < i; j++) e[j] = 0;
      for (int j = 0; j < i; j++) {
        f = d[j];
        double* row = W + j * N;
        W[i * N + j] = f;
        g = e[j] + row[j] * f;
        for (int k = j + 1; k <= i - 1; k++) {
          const double v = row[k];
          g += v * d[k];
          e[k] += v * f;
        }
        e[j] = g;
      }
      f = 0;
      for (int j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const double hh = f / (h + h);
      for (int j = 0; j < i; j++) e[j] -= hh * d[j];
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads) if (threads > 1 && i > 256)
      for (int j = 0; j < i; j++) {
        const double fj = d[j], gj = e[j];
        double* row = W + j * N;
        for (int k = j; k <= i - 1; k++) row[k] -= fj * e[k] + gj * d[k];
      }
      for (int j = 0; j < i; j++) {
        d[j] = W[j * N + i - 1];
        W[j * N + i] = 0;
      }
    }
    d[i] = h;
  }
  // accumulate the transformations
  for (int i = 0; i < n - 1; i++) {
    W[i * N + n - 1] = W[i * N + i];
    W[i * N + i] = 1;
    const double h = d[i + 1];
    double* next = W + (i + 1) * N;
    if (h != 0) {
      for (int k = 0; k <= i; k++) d[k] = next[k] / h;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && i > 256)
      for (int j = 0; j <= i; j++) {
        double* row = W + j * N;
        double g = 0;
        for (int k = 0; k <= i; k++) g += next[k] * row[k];
        for (int k = 0; k <= i; k++) row[k] -= g * d[k];
      }
    }
    for (int k = 0; k <= i; k++) next[k] = 0;
  }
  for (int j = 0; j < n; j++) {
    d[j] = W[j * N + n - 1];
    W[j * N + n - 1] = 0;
  }
  W[(N - 1) * N + n - 1] = 1;
  e[0] = 0;
}

// The QL sweeps' rotations (sweep s: i = m_s - 1 down to l_s, rows i and i+1), applied together in
// narrow column chunks: a chunk of every row stays in cache through all the batched sweeps, instead
// of the whole matrix streaming through memory once per sweep. Each element still sees every
// rotation in the order the sequential loop applies them (bit for bit the same result).
struct Sweeps {
  std::vector<int> l, m;
  std::vector<size_t> at;  // offset of sweep s's rotations in cs/sn (indexed by i - l_s)
  std::vector<double> cs, sn;
};

void applySweeps(double* W, int n, Sweeps& sw, int threads) {
  const size_t N = (size_t)n;
  const int chunk = 32;
  const int chunks = (n + chunk - 1) / chunk;
  const int count = (int)sw.l.size();
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int c = 0; c < chunks; c++) {
    const int k0 = c * chunk, k1 = std::min(n, k0 + chunk);
    for (int s = 0; s < count; s++) {
      const int l = sw.l[s];
      const double* cs = sw.cs.data() + sw.at[s] - l;
      const double* sn = sw.sn.data() + sw.at[s] - l;
      for (int i = sw.m[s] - 1; i >= l; i--) {
        const double co = cs[i], si = sn[i];
        double* __restrict a = W + (i + 1) * N;
        double* __restrict b = W + i * N;
        for (int k = k0; k < k1; k++) {
          const double hk = a[k], vk = b[k];
          a[k] = si * vk + co * hk;
          b[k] = co * vk - si * hk;
        }
      }
    }
  }
  sw.l.clear();
  sw.m.clear();
  sw.at.clear();
  sw.cs.clear();
  sw.sn.clear();
}

void ql(double* W, double* d, double* e, int n, int threads) {
  for (int i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  double f = 0, tst1 = 0;
  const double eps = std::ldexp(1.0, -52);
  std::vector<double> cs(n), sn(n);
  Sweeps sweeps;
  // flush when the batch holds about 8 n rotations (its rows' chunks then still fit in cache)
  const size_t batch = 8 * (size_t)n;
  for (int l = 0; l < n; l++) {
    tst1 = std::max(tst1, std::fabs(d[l]) + std::fabs(e[l]));
    int m = l;
    while (m < n) {
      if (std::fabs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      int iterations = 0;
      do {
        if (++iterations > 100) throw std::runtime_error("symmetric eigensolver: no convergence");
        double g = d[l];
        double p = (d[l + 1] - g) / (2 * e[l]);
        double r = std::hypot(p, 1.0);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const double dl1 = d[l + 1];
        double h = g - d[l];
        for (int i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        double c = 1, c2 = c, c3 = c;
        const double el1 = e[l + 1];
        double s = 0, s2 = 0;
        for (int i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = std::hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          cs[i] = c;
          sn[i] = s;
        }
        sweeps.l.push_back(l);
        sweeps.m.push_back(m);
        sweeps.at.push_back(sweeps.cs.size());
        sweeps.cs.insert(sweeps.cs.end(), cs.begin() + l, cs.begin() + m);
        sweeps.sn.insert(sweeps.sn.end(), sn.begin() + l, sn.begin() + m);
        if (sweeps.cs.size() >= batch) applySweeps(W, n, sweeps, threads);
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (std::fabs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  applySweeps(W, n, sweeps, threads);
}

const double* f64(const Napi::Value& v, size_t need, const char* name) {
  Napi::Env env = v.Env();
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(env, std::string(name) + " must be a Float64Array");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  if (a.ElementLength() < need)
    throw Napi::RangeError::New(env, std::string(name) + " has " + std::to_string(a.ElementLength()) +
                                         " elements, expected " + std::to_string(need));
  return a.Data();
}

/** The OpenBLAS library or a JS Error saying why it is not there (the caller asked for it). */
const mfopenblas::Library& openblasOr(Napi::Env env) {
  std::string reason;
  const mfopenblas::Library* lib = mfopenblas::load(&reason);
  if (!lib) throw Napi::Error::New(env, reason);
  return *lib;
}

// Z (column-major [n, n]) := Q Z, Q = H(1) .. H(n-1) the reflectors dsytrd('L') left in A (column-major)
// and tau: what dormtr('L', 'L', 'N') computes, with blocks of 256 reflectors instead of its 32, so
// that Z streams through memory 16 times instead of 128 at n = 4096 and the products are wide dgemms
// (half dormtr's time there). Block H(j0) .. H(j0 + k - 1) = I - V T V^T (V [m, k], unit lower
// trapezoidal, rows j0 + 1 .. n - 1), applied last block first; T from G = V^T V (a dgemm) as dlarft
// defines it: T_ii = tau_i, T(0:i, i) = -tau_i T(0:i, 0:i) G(0:i, i).
void applyReflectors(const mfopenblas::Library& lib, int n, const double* A, const double* tau, double* Z) {
  const int nb = 256, reflectors = n - 1;
  if (reflectors < 1) return;
  const size_t N = (size_t)n, NB = (size_t)nb;
  std::vector<double> V(N * NB), T(NB * NB, 0.0), G(NB * NB), W(NB * N);
  const double one = 1, zero = 0, minusOne = -1;
  for (int j0 = ((reflectors - 1) / nb) * nb; j0 >= 0; j0 -= nb) {
    const int k = std::min(nb, reflectors - j0), m = n - 1 - j0;
    const size_t M = (size_t)m;
    for (int c = 0; c < k; c++) {
      double* v = V.data() + (size_t)c * M;
      const double* col = A + (size_t)(j0 + c) * N + (j0 + 1);
      std::fill(v, v + c, 0.0);
      v[c] = 1;
      std::copy(col + c + 1, col + m, v + c + 1);
    }
    lib.dgemm("T", "N", &k, &k, &m, &one, V.data(), &m, V.data(), &m, &zero, G.data(), &nb, 1, 1);
    for (int i = 0; i < k; i++) {
      const double ti = tau[j0 + i];
      for (int r = 0; r < i; r++) {
        double s = 0;
        for (int c = r; c < i; c++) s += T[r + (size_t)c * NB] * G[c + (size_t)i * NB];
        T[r + (size_t)i * NB] = -ti * s;
      }
      T[i + (size_t)i * NB] = ti;
    }
    double* rows = Z + (j0 + 1);  // W = V^T Z[rows]; W = T W; Z[rows] -= V W
    lib.dgemm("T", "N", &k, &n, &m, &one, V.data(), &m, rows, &n, &zero, W.data(), &nb, 1, 1);
    lib.dtrmm("L", "U", "N", "N", &k, &n, &one, T.data(), &nb, W.data(), &nb, 1, 1, 1, 1);
    lib.dgemm("N", "N", &m, &n, &k, &minusOne, V.data(), &m, W.data(), &nb, &one, rows, &n, 1, 1);
  }
}

// dsyevd's own steps (dsytrd, dstedc on the tridiagonal, the back-transformation), the last one by
// applyReflectors instead of dormtr: the same eigenvalues and the same vectors to rounding. False
// (o untouched) when the library lacks the pieces or a matrix dsyevd would rescale (max |a| outside
// 1e-140 .. 1e140, or not finite): the caller takes dsyevd whole.
bool splitEigen(const mfopenblas::Library& lib, const double* a, int n, double* o, int* info) {
  if (!lib.dsytrd || !lib.dstedc) return false;
  const size_t N = (size_t)n;
  double largest = 0;
  for (size_t i = 0; i < N * N; i++) largest = std::max(largest, std::fabs(a[i]));
  if (!(largest == 0 || (largest > 1e-140 && largest < 1e140))) return false;
  std::vector<double> A(a, a + N * N), e(N), tau(N);
  int lwork = -1;
  double query = 0;
  lib.dsytrd("L", &n, A.data(), &n, o, e.data(), tau.data(), &query, &lwork, info, 1);
  if (*info != 0) return true;
  lwork = std::max(1, (int)query);
  // dstedc('I') needs 1 + 4n + n^2 doubles and 3 + 5n ints (its own query rounds the same way)
  std::vector<double> work(std::max((size_t)lwork, 1 + 4 * N + N * N));
  std::vector<int> iwork(3 + 5 * N);
  lib.dsytrd("L", &n, A.data(), &n, o, e.data(), tau.data(), work.data(), &lwork, info, 1);
  if (*info != 0) return true;
  int lw = (int)work.size(), liw = (int)iwork.size();
  lib.dstedc("I", &n, o, e.data(), o + N, &n, work.data(), &lw, iwork.data(), &liw, info, 1);
  if (*info != 0) return true;
  applyReflectors(lib, n, A.data(), tau.data(), o + N);
  return true;
}

// LAPACK on the row-major symmetric a (= its column-major self): o[0, n) the eigenvalues ascending,
// o[n, n + n^2) the eigenvectors as column-major columns, that is row j = eigenvector j.
// method: 'split' (dsyevd's steps, splitEigen), 'dsyevd' whole, or 'dsyevr' (MRRR).
void lapackEigen(Napi::Env env, const mfopenblas::Library& lib, const std::string& method, const double* a, int n, int threads, double* o) {
  const size_t N = (size_t)n;
  const bool mrrr = method == "dsyevr";
  lib.setThreads(threads);
  int info = 0, lwork = -1, liwork = -1, iwork1 = 0;
  double work1 = 0;
  if (method == "split" && splitEigen(lib, a, n, o, &info)) {
    // done (info says whether LAPACK failed)
  } else if (!mrrr) {
    // divide and conquer, in place in o's vector block
    std::copy(a, a + N * N, o + N);
    lib.dsyevd("V", "L", &n, o + N, &n, o, &work1, &lwork, &iwork1, &liwork, &info, 1, 1);
    if (info == 0) {
      lwork = std::max(1, (int)work1);
      liwork = std::max(1, iwork1);
      std::vector<double> work((size_t)lwork);
      std::vector<int> iwork((size_t)liwork);
      lib.dsyevd("V", "L", &n, o + N, &n, o, work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
    }
  } else {
    // MRRR (dsyevr, all eigenvalues): a is overwritten, so it works on a copy
    std::vector<double> A(a, a + N * N);
    std::vector<int> isuppz(2 * N);
    const double zero = 0;
    const int one = 1;
    int found = 0;
    lib.dsyevr("V", "A", "L", &n, A.data(), &n, &zero, &zero, &one, &n, &zero, &found, o, o + N, &n, isuppz.data(),
               &work1, &lwork, &iwork1, &liwork, &info, 1, 1, 1);
    if (info == 0) {
      lwork = std::max(1, (int)work1);
      liwork = std::max(1, iwork1);
      std::vector<double> work((size_t)lwork);
      std::vector<int> iwork((size_t)liwork);
      lib.dsyevr("V", "A", "L", &n, A.data(), &n, &zero, &zero, &one, &n, &zero, &found, o, o + N, &n, isuppz.data(),
                 work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1, 1);
    }
    if (info == 0 && found != n) info = -1000;
  }
  if (info != 0) {
    throw Napi::Error::New(env, std::string("symmetric eigensolver: OpenBLAS ") + (method == "split" ? "dsytrd/dstedc" : method) +
                                    (info > 0 ? " did not converge" : " rejected its arguments") + " (info " + std::to_string(info) + ")");
  }
}

// (a: Float64Array [n * n] symmetric, n, threads, method?) -> Float64Array [n + n * n]: the eigenvalues
// ascending, then row j = the unit eigenvector of value j. method: 'builtin' (default: tred2 + tql2
// here), 'split', 'dsyevd' or 'dsyevr' (OpenBLAS; an Error when it is not installed).
Napi::Value SymmetricEigen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int n = mfnapi::intArg(info, 1, "n");
  if (n < 1 || n > 65536) throw Napi::RangeError::New(env, "n out of range");
  const int threads = std::max(1, mfnapi::intArg(info, 2, "threads"));
  const std::string method = info.Length() > 3 && info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "builtin";
  if (method != "builtin" && method != "split" && method != "dsyevd" && method != "dsyevr")
    throw Napi::TypeError::New(env, "method must be 'builtin', 'split', 'dsyevd' or 'dsyevr'");
  const size_t N = (size_t)n;
  const double* a = f64(info[0], N * N, "a");
  if (method != "builtin") {
    const mfopenblas::Library& lib = openblasOr(env);
    Napi::Float64Array out = Napi::Float64Array::New(env, N + N * N);
    lapackEigen(env, lib, method, a, n, threads, out.Data());
    return out;
  }
  std::vector<double> W(a, a + N * N), d(N), e(N);
  try {
    tridiagonalise(W.data(), d.data(), e.data(), n, threads);
    ql(W.data(), d.data(), e.data(), n, threads);
  } catch (const std::exception& err) {
    throw Napi::Error::New(env, err.what());
  }
  std::vector<int> order(N);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int i, int j) { return d[i] < d[j]; });
  Napi::Float64Array out = Napi::Float64Array::New(env, N + N * N);
  double* o = out.Data();
  for (size_t j = 0; j < N; j++) {
    o[j] = d[order[j]];
    std::copy(W.begin() + order[j] * N, W.begin() + (order[j] + 1) * N, o + N + j * N);
  }
  return out;
}

// (a: [m, k], b: [n, k], m, n, k, threads, method?) -> c: Float64Array [m, n], c[i, j] = sum_l a[i, l] b[j, l].
// method 'dgemm': OpenBLAS (row-major C = A B^T is column-major C^T = B^T' A: dgemm('T', 'N')).
// b is packed transposed in blocks ([l][j]); 4 x JT tiles of c are accumulated in registers over a
// block of l (each c element sums its l terms in order, so the result does not depend on threads).
// The tile is 4 x 16 on AVX-512 (8 zmm accumulators), 4 x 8 on AVX2 (8 ymm): enough independent
// fused multiply-adds in flight to hide their latency, none spilled.
#ifdef __AVX512F__
constexpr int JT = 16;
#else
constexpr int JT = 8;
#endif

Napi::Value MatmulABt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int m = mfnapi::intArg(info, 2, "m"), n = mfnapi::intArg(info, 3, "n"), k = mfnapi::intArg(info, 4, "k");
  const int threads = std::max(1, mfnapi::intArg(info, 5, "threads"));
  const double* A = f64(info[0], (size_t)m * k, "a");
  const double* B = f64(info[1], (size_t)n * k, "b");
  const std::string method = info.Length() > 6 && info[6].IsString() ? info[6].As<Napi::String>().Utf8Value() : "builtin";
  if (method != "builtin" && method != "dgemm") throw Napi::TypeError::New(env, "method must be 'builtin' or 'dgemm'");
  Napi::Float64Array out = Napi::Float64Array::New(env, (size_t)m * n);
  double* C = out.Data();
  if (method == "dgemm") {
    const mfopenblas::Library& lib = openblasOr(env);
    if (m == 0 || n == 0) return out;
    if (k == 0) {
      std::fill(C, C + (size_t)m * n, 0.0);
      return out;
    }
    lib.setThreads(threads);
    const double one = 1, zero = 0;
    lib.dgemm("T", "N", &n, &m, &k, &one, B, &k, A, &k, &zero, C, &n, 1, 1);
    return out;
  }
  std::fill(C, C + (size_t)m * n, 0.0);
  const int JB = 256, LB = 256;
  std::vector<double> Bt((size_t)LB * JB);
  for (int j0 = 0; j0 < n; j0 += JB) {
    const int jn = std::min(JB, n - j0);
    for (int l0 = 0; l0 < k; l0 += LB) {
      const int ln = std::min(LB, k - l0);
      for (int j = 0; j < jn; j++)
        for (int l = 0; l < ln; l++) Bt[(size_t)l * jn + j] = B[(size_t)(j0 + j) * k + l0 + l];
      const double* bt = Bt.data();
      const int tiles = (m + 3) / 4;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && (long)m * jn * ln > (1 << 20))
      for (int tile = 0; tile < tiles; tile++) {
        const int i0 = tile * 4;
        const int rows = std::min(4, m - i0);
        int j = 0;
        if (rows == 4) {
          const double* a0 = A + (size_t)i0 * k + l0;
          const double* a1 = a0 + k;
          const double* a2 = a1 + k;
          const double* a3 = a2 + k;
          for (; j + JT <= jn; j += JT) {
            double acc[4][JT] = {};
            for (int l = 0; l < ln; l++) {
              const double* b = bt + (size_t)l * jn + j;
              const double x0 = a0[l], x1 = a1[l], x2 = a2[l], x3 = a3[l];
              for (int c = 0; c < JT; c++) {
                acc[0][c] += x0 * b[c];
                acc[1][c] += x1 * b[c];
                acc[2][c] += x2 * b[c];
                acc[3][c] += x3 * b[c];
              }
            }
            for (int r = 0; r < 4; r++)
              for (int c = 0; c < JT; c++) C[(size_t)(i0 + r) * n + j0 + j + c] += acc[r][c];
          }
        }
        for (int r = 0; r < rows; r++) {
          const double* ar = A + (size_t)(i0 + r) * k + l0;
          double* cr = C + (size_t)(i0 + r) * n + j0;
          for (int jj = j; jj < jn; jj++) {
            double s = 0;
            for (int l = 0; l < ln; l++) s += ar[l] * bt[(size_t)l * jn + jj];
            cr[jj] += s;
          }
        }
      }
    }
  }
  return out;
}

// Row-major c [n, n]: the upper triangle from the lower (fromLower) or the lower from the upper, in
// 64 x 64 tiles (a plain column walk would miss the cache on every element at n = 4096).
void mirror(double* C, size_t n, bool fromLower) {
  const size_t T = 64;
  for (size_t r0 = 0; r0 < n; r0 += T)
    for (size_t c0 = r0; c0 < n; c0 += T)
      for (size_t r = r0; r < std::min(n, r0 + T); r++)
        for (size_t c = std::max(c0, r + 1); c < std::min(n, c0 + T); c++) {
          if (fromLower) C[r * n + c] = C[c * n + r];
          else C[c * n + r] = C[r * n + c];
        }
}

// Row-major c [n, n] = a b^T (a, b [n, k]) known to be symmetric (b null: a a^T), n, k >= 1. a a^T by
// dsyrk; a b^T by dgemm on the block rows of the lower triangle (about 0.56 of the full product at 8
// blocks). The upper triangle is the mirror of the lower: exactly symmetric.
void lowerABt(const mfopenblas::Library& lib, const double* A, const double* B, int n, int k, double* C) {
  const size_t N = (size_t)n;
  const double one = 1, zero = 0;
  if (!B) {
    // column-major a^T [k, n]: C = (a^T)^T a^T, its column-major lower triangle = row-major upper
    lib.dsyrk("L", "T", &n, &k, &one, A, &k, &zero, C, &n, 1, 1);
    mirror(C, N, false);
    return;
  }
  const int block = std::max(256, (n + 7) / 8);
  for (int i0 = 0; i0 < n; i0 += block) {
    const int rows = std::min(block, n - i0), cols = i0 + rows;
    // row-major C[i0 .. i0 + rows, 0 .. cols) = A[i0 .., :] B[0 .. cols, :]^T
    lib.dgemm("T", "N", &cols, &rows, &k, &one, B, &k, A + (size_t)i0 * k, &k, &zero, C + (size_t)i0 * N, &n, 1, 1);
  }
  mirror(C, N, true);
}

// OpenBLAS only (the built-in path takes matmulABt and dot products in packages/limits/src/linalg.ts):
// (a: [n, k], b: [n, k] or null, n, k, threads) -> c [n, n] = a b^T, which the caller knows is symmetric
// (b null: a a^T), by lowerABt.
Napi::Value SymmetricABt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int n = mfnapi::intArg(info, 2, "n"), k = mfnapi::intArg(info, 3, "k");
  const int threads = std::max(1, mfnapi::intArg(info, 4, "threads"));
  const size_t N = (size_t)n;
  const double* A = f64(info[0], N * k, "a");
  const double* B = info[1].IsNull() || info[1].IsUndefined() ? nullptr : f64(info[1], N * k, "b");
  const mfopenblas::Library& lib = openblasOr(env);
  Napi::Float64Array out = Napi::Float64Array::New(env, N * N);
  if (n == 0 || k == 0) return out;
  lib.setThreads(threads);
  lowerABt(lib, A, B, n, k, out.Data());
  return out;
}

// OpenBLAS only: (v: [n, n], k: [n, n] symmetric, n, threads) -> s [n, n] = v k v^T. When k is
// positive definite to dpotrf (k = R^T R), s = G^T G with G = R v^T: a dtrmm and a dsyrk, about 2.3 n^3
// flops against 3.1 for v k (a dgemm) then (v k) v^T by lowerABt, which it takes otherwise (the same
// numbers to rounding either way: R^T R = k to rounding). Exactly symmetric.
Napi::Value Congruence(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int n = mfnapi::intArg(info, 2, "n");
  const int threads = std::max(1, mfnapi::intArg(info, 3, "threads"));
  const size_t N = (size_t)n;
  const double* V = f64(info[0], N * N, "v");
  const double* K = f64(info[1], N * N, "k");
  const mfopenblas::Library& lib = openblasOr(env);
  Napi::Float64Array out = Napi::Float64Array::New(env, N * N);
  if (n == 0) return out;
  lib.setThreads(threads);
  const double one = 1, zero = 0;
  std::vector<double> R(K, K + N * N);
  int failed = 1;
  if (lib.dpotrf) lib.dpotrf("U", &n, R.data(), &n, &failed, 1);
  std::vector<double> G;
  if (failed == 0) {
    // row-major v is column-major v^T; G = R v^T in place (column-major), which row-major reads as
    // G^T: lowerABt(G^T, null) = G^T G
    G.assign(V, V + N * N);
    lib.dtrmm("L", "U", "N", "N", &n, &n, &one, R.data(), &n, G.data(), &n, 1, 1, 1, 1);
    lowerABt(lib, G.data(), nullptr, n, n, out.Data());
    return out;
  }
  // row-major v k is column-major (v k)^T = k v^T (k symmetric; v^T is row-major v read column-major)
  G.resize(N * N);
  lib.dgemm("N", "N", &n, &n, &n, &one, K, &n, V, &n, &zero, G.data(), &n, 1, 1);
  lowerABt(lib, G.data(), V, n, n, out.Data());
  return out;
}

// OpenBLAS only: (z: [rows, n], s: [n, n] symmetric, rows, n, threads) -> q [rows], q_r = z_r^T s z_r.
// With U the upper triangle of s (diagonal included), z^T s z = 2 z^T U z - sum_i s_ii z_i^2, and
// U z for every row is one dtrmm: half the work of z s.
Napi::Value RowQuadratic(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int rows = mfnapi::intArg(info, 2, "rows"), n = mfnapi::intArg(info, 3, "n");
  const int threads = std::max(1, mfnapi::intArg(info, 4, "threads"));
  const size_t N = (size_t)n, R = (size_t)rows;
  const double* Z = f64(info[0], R * N, "z");
  const double* S = f64(info[1], N * N, "s");
  const mfopenblas::Library& lib = openblasOr(env);
  Napi::Float64Array out = Napi::Float64Array::New(env, R);
  double* q = out.Data();
  if (rows == 0 || n == 0) return out;
  lib.setThreads(threads);
  // row-major z is column-major z^T [n, rows]; Y = U z^T in place (U: s's column-major upper triangle)
  std::vector<double> Y(Z, Z + R * N);
  const double one = 1;
  lib.dtrmm("L", "U", "N", "N", &n, &rows, &one, S, &n, Y.data(), &n, 1, 1, 1, 1);
  for (size_t r = 0; r < R; r++) {
    const double* z = Z + r * N;
    const double* y = Y.data() + r * N;
    double upper = 0, diagonal = 0;
    for (size_t i = 0; i < N; i++) {
      upper += z[i] * y[i];
      diagonal += S[i * N + i] * z[i] * z[i];
    }
    q[r] = 2 * upper - diagonal;
  }
  return out;
}

// () -> {library, config} when OpenBLAS loads here, else {reason}.
Napi::Value Openblas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string reason;
  const mfopenblas::Library* lib = mfopenblas::load(&reason);
  Napi::Object out = Napi::Object::New(env);
  if (lib) {
    out.Set("library", lib->path);
    out.Set("config", lib->config);
  } else {
    out.Set("reason", reason);
  }
  return out;
}

}  // namespace

void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("openblas", Napi::Function::New(env, Openblas));
  exports.Set("symmetricEigen", Napi::Function::New(env, SymmetricEigen));
  exports.Set("matmulABt", Napi::Function::New(env, MatmulABt));
  exports.Set("symmetricABt", Napi::Function::New(env, SymmetricABt));
  exports.Set("congruence", Napi::Function::New(env, Congruence));
  exports.Set("rowQuadratic", Napi::Function::New(env, RowQuadratic));
}

}  // namespace mflinalg
