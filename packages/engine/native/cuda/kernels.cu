// CUDA kernels of mfsim's step and forward. Two fused kernels per step, no [R, P, n] array in memory:
//  fwd:  grid (P/32, R). A block takes 32 samples of one replica, walks over all n units in tiles of
//        32, computes the pre-activations from shared-memory tiles of x and w, applies phi, and
//        reduces f (double) for its samples; writes f, e = weight * (f - y) and adds the squared
//        residuals to loss[r] (double atomics).
//  bwd:  grid (n/32, R). A block owns 32 units of one replica and walks over all P samples in tiles
//        of 32: it recomputes the pre-activations, phi and phi' on the fly, forms D = phi' * e and
//        accumulates grad_c, grad_b and grad_W = D^T X (float over a tile, double across tiles),
//        then applies the Euler step to its own units in place. No atomics, no gradient arrays.
// So each step reads X twice and W twice and computes the P x n x d product three times (fwd,
// recompute, grad); no cuBLAS: at d <= 128 these products are too thin for a GEMM to win clearly.
// Limits: d <= 128 (shared-memory tiles). Compile-checked only on the build machine (no GPU there).
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>

namespace {

constexpr int T = 32;        // samples per tile, units per tile
constexpr int THREADS = 256; // 8 warps
constexpr int DMAX = 128;

enum { TANH = 0, SIGMOID = 1, RELU = 2, ERF = 3, GAUSSIAN = 4, RAMP = 5 };

// Constants of phi: the gaussian bandwidth; the ramp's levels s1, s2, knots t1 < t2 and slope.
struct UnitK {
  float inv_s2, s1, s2, t1, t2, slope;
};

template <int U>
__device__ __forceinline__ void phi(float h, const UnitK& u, float& a, float& g) {
  const float inv_s2 = u.inv_s2;
  if constexpr (U == TANH) {
    a = tanhf(h);
    g = 1.0f - a * a;
  } else if constexpr (U == SIGMOID) {
    a = 1.0f / (1.0f + expf(-h));
    g = a * (1.0f - a);
  } else if constexpr (U == RELU) {
    a = h < 0.0f ? 0.0f : h;
    g = h > 0.0f ? 1.0f : 0.0f;
  } else if constexpr (U == ERF) {
    a = erff(h);
    g = 1.12837916709551257f * expf(-h * h);
  } else if constexpr (U == RAMP) {
    // s1 at or below t1, s2 at or above t2 (exactly), linear between; phi' = 0 at the knots.
    a = h <= u.t1 ? u.s1 : (h >= u.t2 ? u.s2 : u.s1 + u.slope * (h - u.t1));
    g = (h > u.t1 && h < u.t2) ? u.slope : 0.0f;
  } else {  // h = |x - z|^2
    a = expf(-0.5f * inv_s2 * h);
    g = a * inv_s2;
  }
}

// Pre-activation of unit row wrow with sample row xrow (both in shared memory).
template <int U>
__device__ __forceinline__ float preact(const float* xrow, const float* wrow, float bias, int d) {
  float h = (U == GAUSSIAN) ? 0.0f : bias;
  for (int k = 0; k < d; k++) {
    if constexpr (U == GAUSSIAN) {
      float t = xrow[k] - wrow[k];
      h = fmaf(t, t, h);
    } else {
      h = fmaf(xrow[k], wrow[k], h);
    }
  }
  return h;
}

struct Args {
  int R, n, d, P, perReplica;
  float scale, lr, decay;
  UnitK u;
  float *c, *w, *b;
  const float *x, *y, *weights;
  float* f;     // [R, P] or null
  float* e;     // [R, P] or null
  double* loss; // [R] or null
};

// Loads rows [row0, row0+T) of a [rows, d] matrix into s[T][ds] (zeros past the end).
__device__ __forceinline__ void load_tile(float* s, int ds, const float* src, int row0, int rows, int d) {
  for (int idx = threadIdx.x; idx < T * d; idx += blockDim.x) {
    int r = idx / d, k = idx % d;
    s[r * ds + k] = (row0 + r < rows) ? src[(size_t)(row0 + r) * d + k] : 0.0f;
  }
}

template <int U>
__global__ void __launch_bounds__(THREADS) fwd_kernel(Args a) {
  extern __shared__ float smem[];
  const int d = a.d, ds = d | 1;  // odd row stride: no bank conflicts across rows
  float* xs = smem;               // [T][ds]
  float* ws = xs + T * ds;        // [T][ds]
  __shared__ float bs[T], cs[T];
  __shared__ double red[THREADS];
  const int r = blockIdx.y, mu0 = blockIdx.x * T;
  const int lane = threadIdx.x % 32, grp = threadIdx.x / 32;  // sample lane, unit group
  const float* x = a.x + (a.perReplica ? (size_t)r * a.P * d : 0);
  const float* w = a.w + (size_t)r * a.n * d;
  load_tile(xs, ds, x, mu0, a.P, d);
  double facc = 0.0;
  for (int i0 = 0; i0 < a.n; i0 += T) {
    __syncthreads();
    load_tile(ws, ds, w, i0, a.n, d);
    if (threadIdx.x < T) {
      int i = i0 + threadIdx.x;
      bs[threadIdx.x] = i < a.n ? a.b[(size_t)r * a.n + i] : 0.0f;
      cs[threadIdx.x] = i < a.n ? a.c[(size_t)r * a.n + i] : 0.0f;
    }
    __syncthreads();
    float part = 0.0f;
    for (int j = grp; j < T; j += THREADS / 32) {
      float h = preact<U>(xs + lane * ds, ws + j * ds, bs[j], d);
      float av, gv;
      phi<U>(h, a.u, av, gv);
      part = fmaf(cs[j], av, part);
    }
    facc += part;
  }
  red[threadIdx.x] = facc;
  __syncthreads();
  if (grp == 0) {
    double s = 0.0;
    for (int g = 0; g < THREADS / 32; g++) s += red[g * 32 + lane];
    const int mu = mu0 + lane;
    double sq = 0.0;
    if (mu < a.P) {
      double fv = (double)a.scale * s;
      if (a.f) a.f[(size_t)r * a.P + mu] = (float)fv;
      if (a.e) {
        const float* y = a.y + (a.perReplica ? (size_t)r * a.P : 0);
        double res = fv - (double)y[mu];
        double wt = a.weights ? (double)a.weights[(size_t)r * a.P + mu] : 1.0 / a.P;
        a.e[(size_t)r * a.P + mu] = (float)(wt * res);
        sq = res * res;
      }
    }
    if (a.loss) {
      for (int off = 16; off > 0; off /= 2) sq += __shfl_down_sync(0xffffffffu, sq, off);
      if (lane == 0) atomicAdd(a.loss + r, sq);
    }
  }
}

template <int U>
__global__ void __launch_bounds__(THREADS) bwd_kernel(Args a) {
  extern __shared__ float smem[];
  const int d = a.d, ds = d | 1;
  float* xs = smem;          // [T][ds] samples
  float* ws = xs + T * ds;   // [T][ds] this block's units
  __shared__ float Ds[T][T + 1];
  __shared__ float es[T];
  __shared__ double red[2][THREADS];
  const int r = blockIdx.y, i0 = blockIdx.x * T;
  const int iu = threadIdx.x % 32, grp = threadIdx.x / 32;  // unit lane, k / sample group
  constexpr int G = THREADS / 32;
  constexpr int KPT = DMAX / G;  // k values per thread: grp + G*j
  const int i = i0 + iu;
  const bool valid = i < a.n;
  const float* x = a.x + (a.perReplica ? (size_t)r * a.P * d : 0);
  const float* e = a.e + (size_t)r * a.P;
  float* w = a.w + (size_t)r * a.n * d;
  load_tile(ws, ds, w, i0, a.n, d);
  const float ci = valid ? a.c[(size_t)r * a.n + i] : 0.0f;
  const float bi = valid ? a.b[(size_t)r * a.n + i] : 0.0f;
  double gW[KPT];
#pragma unroll
  for (int j = 0; j < KPT; j++) gW[j] = 0.0;
  double gc = 0.0, gb = 0.0;
  for (int mu0 = 0; mu0 < a.P; mu0 += T) {
    __syncthreads();
    load_tile(xs, ds, x, mu0, a.P, d);
    if (threadIdx.x < T) es[threadIdx.x] = mu0 + threadIdx.x < a.P ? e[mu0 + threadIdx.x] : 0.0f;
    __syncthreads();
    float pc = 0.0f, pb = 0.0f;
    for (int m = grp; m < T; m += G) {
      float h = preact<U>(xs + m * ds, ws + iu * ds, bi, d);
      float av, gv;
      phi<U>(h, a.u, av, gv);
      float dv = gv * es[m];
      Ds[m][iu] = dv;
      pc = fmaf(av, es[m], pc);
      pb += dv;
    }
    gc += pc;
    gb += pb;
    __syncthreads();
    float acc[KPT];
#pragma unroll
    for (int j = 0; j < KPT; j++) acc[j] = 0.0f;
    for (int m = 0; m < T; m++) {
      const float dv = Ds[m][iu];
#pragma unroll
      for (int j = 0; j < KPT; j++) {
        const int k = grp + G * j;
        if (k < d) acc[j] = fmaf(dv, xs[m * ds + k], acc[j]);
      }
    }
#pragma unroll
    for (int j = 0; j < KPT; j++) gW[j] += acc[j];
  }
  // Totals of grad_c and grad_b over the sample groups.
  red[0][threadIdx.x] = gc;
  red[1][threadIdx.x] = gb;
  __syncthreads();
  double tc = 0.0, tb = 0.0;
  for (int g = 0; g < G; g++) {
    tc += red[0][g * 32 + iu];
    tb += red[1][g * 32 + iu];
  }
  if (!valid) return;
  const double cs = (double)a.scale * ci;
#pragma unroll
  for (int j = 0; j < KPT; j++) {
    const int k = grp + G * j;
    if (k < d) {
      const double wk = ws[iu * ds + k];
      double g = gW[j];
      if (U == GAUSSIAN) g -= wk * tb;
      g *= cs;
      w[(size_t)i * d + k] = (float)(wk - a.lr * g - a.decay * wk);
    }
  }
  if (grp == 0) {
    if (U != GAUSSIAN) a.b[(size_t)r * a.n + i] = (float)(bi - a.lr * cs * tb - a.decay * (double)bi);
    a.c[(size_t)r * a.n + i] = (float)(ci - a.lr * a.scale * tc - a.decay * (double)ci);
  }
}

// ---------- host side: device buffers, kept between calls ----------
struct DevBuf {
  void* p = nullptr;
  size_t bytes = 0;
  cudaError_t ensure(size_t need) {
    if (need <= bytes) return cudaSuccess;
    if (p) cudaFree(p);
    p = nullptr;
    bytes = 0;
    cudaError_t err = cudaMalloc(&p, need);
    if (err == cudaSuccess) bytes = need;
    return err;
  }
  template <typename X> X* as() { return static_cast<X*>(p); }
};

struct State {
  int device = -1;
  DevBuf c, w, b, x, y, weights, f, e, loss;
  // Residency: the host arrays last written back, and a copy of what was written, so that the
  // upload is skipped when the same, unmodified arrays come back on the next call.
  const float *hc = nullptr, *hw = nullptr, *hb = nullptr;
  size_t np = 0, nw = 0;
  float *shadow_c = nullptr, *shadow_w = nullptr, *shadow_b = nullptr;
  size_t shadow_cap_c = 0, shadow_cap_w = 0;
};
State S;

size_t smem_bytes(int d) { return sizeof(float) * 2 * T * (size_t)(d | 1); }

template <int U>
void launch(const Args& a, bool step) {
  dim3 fgrid((a.P + T - 1) / T, a.R);
  fwd_kernel<U><<<fgrid, THREADS, smem_bytes(a.d)>>>(a);
  if (step) {
    dim3 bgrid((a.n + T - 1) / T, a.R);
    bwd_kernel<U><<<bgrid, THREADS, smem_bytes(a.d)>>>(a);
  }
}

void launch_unit(int unit, const Args& a, bool step) {
  switch (unit) {
    case TANH: launch<TANH>(a, step); break;
    case SIGMOID: launch<SIGMOID>(a, step); break;
    case RELU: launch<RELU>(a, step); break;
    case ERF: launch<ERF>(a, step); break;
    case RAMP: launch<RAMP>(a, step); break;
    default: launch<GAUSSIAN>(a, step); break;
  }
}

bool fail(cudaError_t err, const char* what, char* msg, size_t cap) {
  if (err == cudaSuccess) return false;
  snprintf(msg, cap, "%s: %s (%s)", what, cudaGetErrorString(err), cudaGetErrorName(err));
  return true;
}

#define CK(expr, what)                                   \
  do {                                                   \
    if (fail((expr), what, msg, cap)) return -1;         \
  } while (0)

bool same_as_shadow(const float* host, const float* shadow, size_t count) {
  return shadow && std::memcmp(host, shadow, count * sizeof(float)) == 0;
}

int upload_particles(const float* c, const float* w, const float* b, size_t np, size_t nw, char* msg, size_t cap) {
  const bool resident = S.hc == c && S.hw == w && S.hb == b && S.np == np && S.nw == nw &&
                        same_as_shadow(c, S.shadow_c, np) && same_as_shadow(b, S.shadow_b, np) &&
                        same_as_shadow(w, S.shadow_w, nw);
  if (resident) return 0;
  CK(S.c.ensure(np * 4), "cudaMalloc c");
  CK(S.w.ensure(nw * 4 + 4), "cudaMalloc w");
  CK(S.b.ensure(np * 4), "cudaMalloc b");
  CK(cudaMemcpy(S.c.p, c, np * 4, cudaMemcpyHostToDevice), "upload c");
  CK(cudaMemcpy(S.w.p, w, nw * 4, cudaMemcpyHostToDevice), "upload w");
  CK(cudaMemcpy(S.b.p, b, np * 4, cudaMemcpyHostToDevice), "upload b");
  S.hc = S.hw = S.hb = nullptr;  // not resident until written back
  return 0;
}

}  // namespace

extern "C" {

// Selects the device. Returns 0, or -1 with a reason in msg (no driver, no device, bad index).
int mfc_init(int device, char* name, size_t name_cap, char* msg, size_t cap) {
  int count = 0;
  CK(cudaGetDeviceCount(&count), "cudaGetDeviceCount");
  if (count == 0) {
    snprintf(msg, cap, "no CUDA device");
    return -1;
  }
  if (device < 0 || device >= count) {
    snprintf(msg, cap, "CUDA device %d does not exist (%d device%s)", device, count, count == 1 ? "" : "s");
    return -1;
  }
  CK(cudaSetDevice(device), "cudaSetDevice");
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  snprintf(name, name_cap, "%s (sm_%d%d, %.0f GiB)", prop.name, prop.major, prop.minor, prop.totalGlobalMem / 1073741824.0);
  // Run one tiny kernel so that a missing kernel image (wrong architecture) is reported here.
  CK(S.loss.ensure(64), "cudaMalloc");
  CK(cudaMemset(S.loss.p, 0, 64), "cudaMemset");
  CK(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  S.device = device;
  return 0;
}

// step != 0: Euler step in place (loss [R] out); else forward (f [R, P] out).
// ramp: [s1, s2, t1, t2] for the RAMP unit (null otherwise).
int mfc_run(int step, int unit, float bandwidth, const float* ramp, float scale, int R, int n, int d, int P, int perReplica,
            float* c, float* w, float* b, const float* x, const float* y, const float* weights, float lr,
            float decay, float* f_out, double* loss_out, char* msg, size_t cap) {
  if (S.device < 0) {
    snprintf(msg, cap, "CUDA kernel not initialised");
    return -1;
  }
  if (d > DMAX) {
    snprintf(msg, cap, "the CUDA kernel supports d <= %d (got %d)", DMAX, d);
    return -1;
  }
  const size_t np = (size_t)R * n, nw = np * d, rows = (size_t)(perReplica ? R : 1) * P;
  if (upload_particles(c, w, b, np, nw, msg, cap)) return -1;
  CK(S.x.ensure(rows * d * 4 + 4), "cudaMalloc x");
  CK(cudaMemcpy(S.x.p, x, rows * d * 4, cudaMemcpyHostToDevice), "upload x");
  Args a{};
  a.R = R; a.n = n; a.d = d; a.P = P; a.perReplica = perReplica;
  a.scale = scale; a.lr = lr; a.decay = decay;
  a.u.inv_s2 = 1.0f / (bandwidth * bandwidth);
  if (ramp) {
    a.u.s1 = ramp[0]; a.u.s2 = ramp[1]; a.u.t1 = ramp[2]; a.u.t2 = ramp[3];
    a.u.slope = (float)(((double)ramp[1] - ramp[0]) / ((double)ramp[3] - ramp[2]));
  } else if (unit == RAMP) {
    snprintf(msg, cap, "the ramp unit needs ramp = [s1, s2, t1, t2]");
    return -1;
  }
  a.c = S.c.as<float>(); a.w = S.w.as<float>(); a.b = S.b.as<float>(); a.x = S.x.as<float>();
  if (step) {
    CK(S.y.ensure(rows * 4 + 4), "cudaMalloc y");
    CK(S.e.ensure((size_t)R * P * 4 + 4), "cudaMalloc e");
    CK(S.loss.ensure((size_t)R * 8 + 8), "cudaMalloc loss");
    CK(cudaMemcpy(S.y.p, y, rows * 4, cudaMemcpyHostToDevice), "upload y");
    if (weights) {
      CK(S.weights.ensure((size_t)R * P * 4 + 4), "cudaMalloc weights");
      CK(cudaMemcpy(S.weights.p, weights, (size_t)R * P * 4, cudaMemcpyHostToDevice), "upload weights");
    }
    CK(cudaMemset(S.loss.p, 0, (size_t)R * 8), "cudaMemset loss");
    a.y = S.y.as<float>(); a.weights = weights ? S.weights.as<float>() : nullptr;
    a.e = S.e.as<float>(); a.loss = S.loss.as<double>();
  } else {
    CK(S.f.ensure((size_t)R * P * 4 + 4), "cudaMalloc f");
    a.f = S.f.as<float>();
  }
  if (P > 0 && R > 0) {
    launch_unit(unit, a, step != 0 && n > 0);
    CK(cudaGetLastError(), "kernel launch");
  }
  if (step) {
    if (P == 0) CK(cudaMemset(S.loss.p, 0, (size_t)R * 8), "cudaMemset loss");
    CK(cudaMemcpy(loss_out, S.loss.p, (size_t)R * 8, cudaMemcpyDeviceToHost), "download loss");
    for (int r = 0; r < R; r++) loss_out[r] = P > 0 ? loss_out[r] / (2.0 * P) : 0.0;
    CK(cudaMemcpy(c, S.c.p, np * 4, cudaMemcpyDeviceToHost), "download c");
    CK(cudaMemcpy(w, S.w.p, nw * 4, cudaMemcpyDeviceToHost), "download w");
    CK(cudaMemcpy(b, S.b.p, np * 4, cudaMemcpyDeviceToHost), "download b");
    // Remember what was written so the next call can skip the upload if nothing changed it.
    if (S.shadow_cap_c < np) {
      delete[] S.shadow_c; delete[] S.shadow_b;
      S.shadow_c = new float[np]; S.shadow_b = new float[np]; S.shadow_cap_c = np;
    }
    if (S.shadow_cap_w < nw) {
      delete[] S.shadow_w;
      S.shadow_w = new float[nw]; S.shadow_cap_w = nw;
    }
    std::memcpy(S.shadow_c, c, np * 4);
    std::memcpy(S.shadow_b, b, np * 4);
    std::memcpy(S.shadow_w, w, nw * 4);
    S.hc = c; S.hw = w; S.hb = b; S.np = np; S.nw = nw;
  } else {
    CK(cudaMemcpy(f_out, S.f.p, (size_t)R * P * 4, cudaMemcpyDeviceToHost), "download f");
  }
  return 0;
}

void mfc_dispose() {
  for (DevBuf* d : {&S.c, &S.w, &S.b, &S.x, &S.y, &S.weights, &S.f, &S.e, &S.loss}) {
    if (d->p) cudaFree(d->p);
    d->p = nullptr;
    d->bytes = 0;
  }
  delete[] S.shadow_c; delete[] S.shadow_b; delete[] S.shadow_w;
  S.shadow_c = S.shadow_b = S.shadow_w = nullptr;
  S.shadow_cap_c = S.shadow_cap_w = 0;
  S.hc = S.hw = S.hb = nullptr;
}

}  // extern "C"
