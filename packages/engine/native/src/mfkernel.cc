// Fused, cache-blocked CPU kernel. For each work item (replica r, range of samples), samples are
// processed in blocks of PB: the pre-activations of the block against all n units are computed
// by a register-blocked micro-kernel (units along SIMD lanes), the activation phi and the factor
// phi' are applied in registers and stored to two [PB, n] buffers that stay in L2, f is reduced
// in double; then the residuals give the backward of the same block: grad_c and grad_b as column
// sums, grad_W = D^T X by a second micro-kernel. Block partial sums are float32 over at most PB
// samples and are added into double accumulators, so gradients and losses keep float32 accuracy
// against a float64 reference for any P. No [P, n] array is ever materialised.
#include "mfkernel.h"
#include "simd.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace mf {

namespace {

template <typename T>
struct AlignedBuf {
  T* p = nullptr;
  size_t cap = 0;
  ~AlignedBuf() { std::free(p); }
  T* get(size_t count) {
    if (count > cap) {
      std::free(p);
      size_t bytes = ((count * sizeof(T) + 63) / 64) * 64;
      p = static_cast<T*>(std::aligned_alloc(64, bytes));
      cap = count;
    }
    return p;
  }
};

#if MF_VL == 16
constexpr int UM = 8;  // samples per forward micro-tile
constexpr int KT = 8;  // rows of grad_W per backward micro-tile
#else
constexpr int UM = 4;
constexpr int KT = 4;
#endif
// Units per micro-tile: NV vectors. UM x NV (KT x NV) accumulators fill the register file with
// room for the NV weight (residual) vectors and a broadcast: 12 of 16 ymm (AVX2), 24 of 32 zmm.
constexpr int NV = 3;
constexpr int UI = NV * VL;
constexpr int DK = KT;  // d is padded to a multiple of DK

inline int round_up(int a, int m) { return (a + m - 1) / m * m; }

struct Dims {
  int n, d, npad, dpad, PB;
};

Dims make_dims(int n, int d) {
  Dims D;
  D.n = n;
  D.d = d;
  D.npad = round_up(std::max(n, 1), UI);
  D.dpad = round_up(std::max(d, 1), DK);
  // 64 samples per block whatever n: the A and G buffers [PB, npad] are in L2 at n ~ 1000 and
  // spill to L3 beyond, but fewer samples per block would make the double accumulation of grad_W
  // ([dpad, npad] per block) the bottleneck at large n (measured: 2x slower at n = 16384 with 8).
  D.PB = 64;
  return D;
}

// Per-thread workspace (OpenMP threads persist across calls, so this is reused).
struct Work {
  AlignedBuf<float> WT, cp, bp, Xb, A, G, e;
  AlignedBuf<double> facc, gW, gc, gb;
};
thread_local Work tls_work;

// Transposed, padded particles of one replica: WT [dpad, npad], cp, bp [npad].
void prepare(const Dims& D, const float* c, const float* w, const float* b, float* WT, float* cp,
             float* bp) {
  std::fill(WT, WT + (size_t)D.dpad * D.npad, 0.0f);
  for (int i = 0; i < D.n; i++)
    for (int k = 0; k < D.d; k++) WT[(size_t)k * D.npad + i] = w[(size_t)i * D.d + k];
  std::fill(cp, cp + D.npad, 0.0f);
  std::fill(bp, bp + D.npad, 0.0f);
  std::copy(c, c + D.n, cp);
  std::copy(b, b + D.n, bp);
}

// Copy samples [p0, p0+cnt) into the padded block Xb [PB, dpad] (zeros elsewhere).
void load_block(const Dims& D, const float* x, int p0, int cnt, float* Xb) {
  std::fill(Xb, Xb + (size_t)D.PB * D.dpad, 0.0f);
  for (int m = 0; m < cnt; m++)
    std::copy(x + (size_t)(p0 + m) * D.d, x + (size_t)(p0 + m + 1) * D.d, Xb + (size_t)m * D.dpad);
}

// Per-unit-kind constants of phi: the gaussian bandwidth, the ramp's levels and knots.
struct UnitK {
  float inv_s2, s1, s2, t1, t2, slope;
};
UnitK make_unitk(const NetParams& net) {
  UnitK u;
  u.inv_s2 = 1.0f / (net.bandwidth * net.bandwidth);
  u.s1 = net.s1;
  u.s2 = net.s2;
  u.t1 = net.t1;
  u.t2 = net.t2;
  u.slope = (float)(((double)net.s2 - net.s1) / ((double)net.t2 - net.t1));
  return u;
}

template <int U>
inline void activate(vf h, vf& a, vf& g, const UnitK& u) {
  const float inv_s2 = u.inv_s2;
  if constexpr (U == TANH) {
    a = vtanh(h);
    g = 1.0f - a * a;
  } else if constexpr (U == SIGMOID) {
    a = vsigmoid(h);
    g = a * (1.0f - a);
  } else if constexpr (U == RELU) {
    a = h < 0.0f ? vset(0.0f) : h;
    g = h > 0.0f ? vset(1.0f) : vset(0.0f);
  } else if constexpr (U == ERF) {
    a = verf(h);
    g = 1.12837916709551257f * vexp(-(h * h));
  } else if constexpr (U == RAMP) {
    // s1 at or below t1, s2 at or above t2 (exactly), linear between; phi' = 0 at the knots. NaN stays NaN.
    const vf lin = u.s1 + u.slope * (h - u.t1);
    a = h <= u.t1 ? vset(u.s1) : (h >= u.t2 ? vset(u.s2) : lin);
    g = (h > u.t1) & (h < u.t2) ? vset(u.slope) : vset(0.0f);
  } else {  // GAUSSIAN: h = |x - z|^2
    a = vexp(h * (-0.5f * inv_s2));
    g = a * inv_s2;
  }
}

// Forward of one block: A, G [PB, npad] (G may be null: forward only), facc [PB, VL] doubles
// receives the lane-wise partial sums of c_i * A[m, i].
template <int U, bool WANT_G>
void fwd_block(const Dims& D, const float* WT, const float* cp, const float* bp, const float* Xb,
               const UnitK& uk, float* A, float* G, double* facc) {
  const int npad = D.npad, dpad = D.dpad, PB = D.PB;
  for (int i0 = 0; i0 < npad; i0 += UI) {
    vf cv[NV], bv[NV];
    for (int v = 0; v < NV; v++) {
      cv[v] = vload(cp + i0 + v * VL);
      bv[v] = vload(bp + i0 + v * VL);
    }
    for (int m0 = 0; m0 < PB; m0 += UM) {
      vf acc[UM][NV];
      for (int m = 0; m < UM; m++)
        for (int v = 0; v < NV; v++) acc[m][v] = U == GAUSSIAN ? vset(0.0f) : bv[v];
      const float* xr = Xb + (size_t)m0 * dpad;
      const float* wk = WT + i0;
      for (int k = 0; k < dpad; k++, wk += npad) {
        vf wv[NV];
        for (int v = 0; v < NV; v++) wv[v] = vload(wk + v * VL);
        for (int m = 0; m < UM; m++) {
          const vf xb = vset(xr[m * dpad + k]);
          for (int v = 0; v < NV; v++) {
            if constexpr (U == GAUSSIAN) {
              const vf dv = xb - wv[v];
              acc[m][v] += dv * dv;
            } else {
              acc[m][v] += xb * wv[v];
            }
          }
        }
      }
      for (int m = 0; m < UM; m++) {
        float* Ar = A + (size_t)(m0 + m) * npad + i0;
        float* Gr = WANT_G ? G + (size_t)(m0 + m) * npad + i0 : nullptr;
        vf fs = vset(0.0f);
        for (int v = 0; v < NV; v++) {
          vf a, g;
          activate<U>(acc[m][v], a, g, uk);
          vstore(Ar + v * VL, a);
          if constexpr (WANT_G) vstore(Gr + v * VL, g);
          fs += cv[v] * a;
        }
        vdadd(facc + (size_t)(m0 + m) * VL, fs);
      }
    }
  }
}

// grad_W^T [dpad, npad] += Xb^T Dv for rows k0..k0+KT, units i0..i0+UI.
inline void bwd_tile(const Dims& D, const float* Xb, const float* Dv, int i0, int k0, double* gW) {
  const int npad = D.npad, dpad = D.dpad, PB = D.PB;
  vf acc[KT][NV];
  for (int kk = 0; kk < KT; kk++)
    for (int v = 0; v < NV; v++) acc[kk][v] = vset(0.0f);
  for (int m = 0; m < PB; m++) {
    vf dv[NV];
    for (int v = 0; v < NV; v++) dv[v] = vload(Dv + (size_t)m * npad + i0 + v * VL);
    const float* xr = Xb + (size_t)m * dpad + k0;
    for (int kk = 0; kk < KT; kk++) {
      const vf xb = vset(xr[kk]);
      for (int v = 0; v < NV; v++) acc[kk][v] += xb * dv[v];
    }
  }
  for (int kk = 0; kk < KT; kk++) {
    double* g = gW + (size_t)(k0 + kk) * npad + i0;
    for (int v = 0; v < NV; v++) vdadd(g + v * VL, acc[kk][v]);
  }
}

// Backward of one block. e [PB]: weight * residual (0 on padded rows). G is overwritten by Dv = G*e.
void bwd_block(const Dims& D, const float* A, float* G, const float* e, const float* Xb, double* gc,
               double* gb, double* gW) {
  const int npad = D.npad, PB = D.PB;
  for (int i0 = 0; i0 < npad; i0 += UI) {
    vf sc[NV], sb[NV];
    for (int v = 0; v < NV; v++) sc[v] = sb[v] = vset(0.0f);
    for (int m = 0; m < PB; m++) {
      const vf em = vset(e[m]);
      const float* Ar = A + (size_t)m * npad + i0;
      float* Gr = G + (size_t)m * npad + i0;
      for (int v = 0; v < NV; v++) {
        const vf g = vload(Gr + v * VL) * em;
        vstore(Gr + v * VL, g);
        sc[v] += vload(Ar + v * VL) * em;
        sb[v] += g;
      }
    }
    for (int v = 0; v < NV; v++) {
      vdadd(gc + i0 + v * VL, sc[v]);
      vdadd(gb + i0 + v * VL, sb[v]);
    }
    for (int k0 = 0; k0 < D.dpad; k0 += KT) bwd_tile(D, Xb, G, i0, k0, gW);
  }
}

using FwdFn = void (*)(const Dims&, const float*, const float*, const float*, const float*, const UnitK&,
                       float*, float*, double*);

template <bool WANT_G>
FwdFn pick_fwd(int unit) {
  switch (unit) {
    case TANH: return fwd_block<TANH, WANT_G>;
    case SIGMOID: return fwd_block<SIGMOID, WANT_G>;
    case RELU: return fwd_block<RELU, WANT_G>;
    case ERF: return fwd_block<ERF, WANT_G>;
    case RAMP: return fwd_block<RAMP, WANT_G>;
    default: return fwd_block<GAUSSIAN, WANT_G>;
  }
}

int resolve_threads(int threads) {
#ifdef _OPENMP
  return threads > 0 ? threads : omp_get_max_threads();
#else
  (void)threads;
  return 1;
#endif
}

// Work items: (replica, chunk of samples). The chunks depend on the shape only, never on the
// thread count, and their sums are reduced in chunk order, so every result is bit-identical
// whatever the number of threads (the worker changes it between chunks of steps). Enough chunks
// for MAX_PAR threads per run (R * chunks >= MAX_PAR), within PARTIAL_BYTES of partial sums.
constexpr int MAX_PAR = 8;
constexpr double PARTIAL_BYTES = 1024.0 * 1024 * 1024;
struct Plan {
  int chunks, items, perChunk;
};
Plan make_plan(const Shape& s, const Dims& D) {
  Plan p;
  const int blocks = (s.P + D.PB - 1) / D.PB;
  const double gbytes = 8.0 * D.npad * (D.dpad + 2) * s.R;
  const int byMemory = (int)std::max(1.0, PARTIAL_BYTES / gbytes);
  p.chunks = std::max(1, std::min({(MAX_PAR + s.R - 1) / s.R, blocks, byMemory}));
  p.perChunk = (blocks + p.chunks - 1) / p.chunks * D.PB;  // samples per chunk, multiple of PB
  p.chunks = std::max(1, (s.P + p.perChunk - 1) / p.perChunk);
  p.items = s.R * p.chunks;
  return p;
}

// Accumulate the gradient sums of replica r over samples [pa, pb). Returns the sum of squared residuals.
double accumulate(const NetParams& net, const Shape& s, const Dims& D, FwdFn fwd, const float* xr,
                  const float* yr, const float* wr, int pa, int pb, Work& W, const float* WT,
                  const float* cp, const float* bp, double* gc, double* gb, double* gW) {
  const UnitK uk = make_unitk(net);
  const float defw = 1.0f / (float)s.P;
  float* Xb = W.Xb.get((size_t)D.PB * D.dpad);
  float* A = W.A.get((size_t)D.PB * D.npad);
  float* G = W.G.get((size_t)D.PB * D.npad);
  float* e = W.e.get(D.PB);
  double* facc = W.facc.get((size_t)D.PB * VL);
  double sse = 0;
  for (int p0 = pa; p0 < pb; p0 += D.PB) {
    const int cnt = std::min(D.PB, pb - p0);
    load_block(D, xr, p0, cnt, Xb);
    std::fill(facc, facc + (size_t)D.PB * VL, 0.0);
    fwd(D, WT, cp, bp, Xb, uk, A, G, facc);
    for (int m = 0; m < D.PB; m++) {
      if (m < cnt) {
        double f = (double)net.scale * hsumd(vdload(facc + (size_t)m * VL));
        double r = f - (double)yr[p0 + m];
        sse += r * r;
        e[m] = (float)((wr ? (double)wr[p0 + m] : (double)defw) * r);
      } else {
        e[m] = 0.0f;
      }
    }
    bwd_block(D, A, G, e, Xb, gc, gb, gW);
  }
  return sse;
}

// theta -= lr * grad + decay * theta for units [i0, i1) of one replica, from the double sums.
void apply_update(const NetParams& net, const Dims& D, float* c, float* w, float* b, const double* gc,
                  const double* gb, const double* gW, double lr, double decay, int i0, int i1) {
  const double scale = net.scale;
  const bool gauss = net.unit == GAUSSIAN;
  for (int i = i0; i < i1; i++) {
    const double cs = scale * (double)c[i];
    for (int k = 0; k < D.d; k++) {
      double wk = w[(size_t)i * D.d + k];
      double g = gW[(size_t)k * D.npad + i];
      if (gauss) g -= wk * gb[i];
      g *= cs;
      w[(size_t)i * D.d + k] = (float)(wk - lr * g - decay * wk);
    }
    if (!gauss) {
      double bi = b[i];
      b[i] = (float)(bi - lr * cs * gb[i] - decay * bi);
    }
    double ci = c[i];
    c[i] = (float)(ci - lr * scale * gc[i] - decay * ci);
  }
}

// gc [npad] += sum_m A[m, :] * e[m] over one block (float32 within the block, as bwd_block's grad_c).
void colsum_block(const Dims& D, const float* A, const float* e, double* gc) {
  const int npad = D.npad, PB = D.PB;
  for (int i0 = 0; i0 < npad; i0 += UI) {
    vf sc[NV];
    for (int v = 0; v < NV; v++) sc[v] = vset(0.0f);
    for (int m = 0; m < PB; m++) {
      const vf em = vset(e[m]);
      const float* Ar = A + (size_t)m * npad + i0;
      for (int v = 0; v < NV; v++) sc[v] += vload(Ar + v * VL) * em;
    }
    for (int v = 0; v < NV; v++) vdadd(gc + i0 + v * VL, sc[v]);
  }
}

}  // namespace

const char* simd_name() { return MF_SIMD_NAME; }
int max_threads() { return resolve_threads(0); }

// The forward pass of one work item (replica r, samples [pa, pb)) in blocks of PB samples: per
// block, `each(p0, cnt, A, facc)` gets the unit outputs A [PB, npad] and f's partial sums facc.
// forward() and potentials() share it, so their outputs come from the same blocks and order.
template <class Each>
void forward_item(const Shape& s, const Dims& D, FwdFn fwd, const UnitK& uk, const float* c, const float* w,
                  const float* b, const float* x, int r, int pa, int pb, Each each) {
  Work& W = tls_work;
  float* WT = W.WT.get((size_t)D.dpad * D.npad);
  float* cp = W.cp.get(D.npad);
  float* bp = W.bp.get(D.npad);
  prepare(D, c + (size_t)r * s.n, w + (size_t)r * s.n * s.d, b + (size_t)r * s.n, WT, cp, bp);
  const float* xr = s.perReplica ? x + (size_t)r * s.P * s.d : x;
  float* Xb = W.Xb.get((size_t)D.PB * D.dpad);
  float* A = W.A.get((size_t)D.PB * D.npad);
  double* facc = W.facc.get((size_t)D.PB * VL);
  for (int p0 = pa; p0 < pb; p0 += D.PB) {
    const int cnt = std::min(D.PB, pb - p0);
    load_block(D, xr, p0, cnt, Xb);
    std::fill(facc, facc + (size_t)D.PB * VL, 0.0);
    fwd(D, WT, cp, bp, Xb, uk, A, nullptr, facc);
    each(p0, cnt, A, facc);
  }
}

void forward(const NetParams& net, const Shape& s, const float* c, const float* w, const float* b,
             const float* x, float* f, int threads) {
  const int T = resolve_threads(threads);
  const Dims D = make_dims(s.n, s.d);
  const Plan plan = make_plan(s, D);
  const FwdFn fwd = pick_fwd<false>(net.unit);
  const UnitK uk = make_unitk(net);
#pragma omp parallel for schedule(dynamic, 1) num_threads(T)
  for (int it = 0; it < plan.items; it++) {
    const int r = it / plan.chunks, ch = it % plan.chunks;
    const int pa = ch * plan.perChunk, pb = std::min(s.P, pa + plan.perChunk);
    forward_item(s, D, fwd, uk, c, w, b, x, r, pa, pb, [&](int p0, int cnt, const float*, const double* facc) {
      for (int m = 0; m < cnt; m++)
        f[(size_t)r * s.P + p0 + m] = (float)((double)net.scale * hsumd(vdload(facc + (size_t)m * VL)));
    });
  }
}

void step(const NetParams& net, const Shape& s, float* c, float* w, float* b, const float* x,
          const float* y, const float* weights, float lr, float decay, double* loss, int threads) {
  const int T = resolve_threads(threads);
  const Dims D = make_dims(s.n, s.d);
  const Plan plan = make_plan(s, D);
  const FwdFn fwd = pick_fwd<true>(net.unit);
  const size_t gsize = (size_t)D.npad * (D.dpad + 2);
  std::vector<double> partial;  // chunks > 1: per-item sums [items][gsize]
  std::vector<double> sse(plan.items, 0.0);
  if (plan.chunks > 1) partial.assign(gsize * plan.items, 0.0);

#pragma omp parallel for schedule(dynamic, 1) num_threads(T)
  for (int it = 0; it < plan.items; it++) {
    const int r = it / plan.chunks, ch = it % plan.chunks;
    const int pa = ch * plan.perChunk, pb = std::min(s.P, pa + plan.perChunk);
    Work& W = tls_work;
    float* WT = W.WT.get((size_t)D.dpad * D.npad);
    float* cp = W.cp.get(D.npad);
    float* bp = W.bp.get(D.npad);
    float* cr = c + (size_t)r * s.n;
    float* wr = w + (size_t)r * s.n * s.d;
    float* br = b + (size_t)r * s.n;
    prepare(D, cr, wr, br, WT, cp, bp);
    double* g = plan.chunks > 1 ? partial.data() + gsize * it : W.gW.get(gsize);
    if (plan.chunks == 1) std::fill(g, g + gsize, 0.0);
    double* gW = g;
    double* gc = g + (size_t)D.npad * D.dpad;
    double* gb = gc + D.npad;
    const float* xr = s.perReplica ? x + (size_t)r * s.P * s.d : x;
    const float* yr = s.perReplica ? y + (size_t)r * s.P : y;
    const float* wtr = weights ? weights + (size_t)r * s.P : nullptr;
    sse[it] = accumulate(net, s, D, fwd, xr, yr, wtr, pa, pb, W, WT, cp, bp, gc, gb, gW);
    if (plan.chunks == 1) apply_update(net, D, cr, wr, br, gc, gb, gW, lr, decay, 0, s.n);
  }

  if (plan.chunks > 1) {
    // Reduce the chunks of each replica (in double) and update, parallel over (replica, unit range).
    const int UB = 64;
    const int ublocks = (s.n + UB - 1) / UB;
#pragma omp parallel for schedule(dynamic, 1) num_threads(T)
    for (int job = 0; job < s.R * ublocks; job++) {
      const int r = job / ublocks, i0 = (job % ublocks) * UB, i1 = std::min(s.n, i0 + UB);
      double* g0 = partial.data() + gsize * (size_t)(r * plan.chunks);
      for (int ch = 1; ch < plan.chunks; ch++) {
        const double* gi = partial.data() + gsize * (size_t)(r * plan.chunks + ch);
        for (int k = 0; k < D.dpad + 2; k++)
          for (int i = i0; i < i1; i++) g0[(size_t)k * D.npad + i] += gi[(size_t)k * D.npad + i];
      }
      apply_update(net, D, c + (size_t)r * s.n, w + (size_t)r * s.n * s.d, b + (size_t)r * s.n, g0 + (size_t)D.npad * D.dpad,
                   g0 + (size_t)D.npad * (D.dpad + 1), g0, lr, decay, i0, i1);
    }
  }
  for (int r = 0; r < s.R; r++) {
    double t = 0;
    for (int ch = 0; ch < plan.chunks; ch++) t += sse[r * plan.chunks + ch];
    loss[r] = s.P > 0 ? t / (2.0 * s.P) : 0.0;
  }
}

// Forward only (no phi'), then the column sums of phi weighted by weight * residual: what step's
// grad_c is before the update, so V_i = c_i grad_c_i costs about a forward pass.
void potentials(const NetParams& net, const Shape& s, const float* c, const float* w, const float* b,
                const float* x, const float* y, const float* weights, double* V, int threads) {
  const int T = resolve_threads(threads);
  const Dims D = make_dims(s.n, s.d);
  const Plan plan = make_plan(s, D);
  const FwdFn fwd = pick_fwd<false>(net.unit);
  const UnitK uk = make_unitk(net);
  const float defw = 1.0f / (float)s.P;
  std::vector<double> partial((size_t)D.npad * plan.items, 0.0);  // [items][npad], reduced in chunk order

#pragma omp parallel for schedule(dynamic, 1) num_threads(T)
  for (int it = 0; it < plan.items; it++) {
    const int r = it / plan.chunks, ch = it % plan.chunks;
    const int pa = ch * plan.perChunk, pb = std::min(s.P, pa + plan.perChunk);
    const float* yr = s.perReplica ? y + (size_t)r * s.P : y;
    const float* wtr = weights ? weights + (size_t)r * s.P : nullptr;
    float* e = tls_work.e.get(D.PB);
    double* gc = partial.data() + (size_t)D.npad * it;
    forward_item(s, D, fwd, uk, c, w, b, x, r, pa, pb, [&](int p0, int cnt, const float* A, const double* facc) {
      for (int m = 0; m < D.PB; m++) {
        if (m < cnt) {
          const double f = (double)net.scale * hsumd(vdload(facc + (size_t)m * VL));
          e[m] = (float)((wtr ? (double)wtr[p0 + m] : (double)defw) * (f - (double)yr[p0 + m]));
        } else {
          e[m] = 0.0f;
        }
      }
      colsum_block(D, A, e, gc);
    });
  }
  for (int r = 0; r < s.R; r++) {
    for (int i = 0; i < s.n; i++) {
      double t = 0;
      for (int ch = 0; ch < plan.chunks; ch++) t += partial[(size_t)D.npad * (r * plan.chunks + ch) + i];
      V[(size_t)r * s.n + i] = (double)c[(size_t)r * s.n + i] * t;
    }
  }
}

}  // namespace mf
