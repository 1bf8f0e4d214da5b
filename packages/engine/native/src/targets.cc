// Targets evaluated natively, bit for bit as packages/engine/src/targets.ts does in float64: each
// sample's operations are the TypeScript's, in its order, with no fused multiply-add (so the
// rounding is the same); samples are computed side by side (SIMD lanes) and on OpenMP threads.
#pragma GCC optimize("fp-contract=off")

#include "targets.h"

#include <algorithm>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace mf {

namespace {
constexpr int L = 8;  // samples per block (two AVX2 registers of doubles)
}

// The 3-spin f*(x) = norm * sum_{i<=j<=k} C[o] x_i x_j x_k, C in the order of targets.ts's cubic().
void pspin3(const double* C, int d, double norm, const float* x, int count, float* y, int threads) {
  const int blocks = (count + L - 1) / L;
#pragma omp parallel for schedule(static) num_threads(std::max(1, threads)) if (threads > 1 && blocks > 1)
  for (int blk = 0; blk < blocks; blk++) {
    const int m0 = blk * L;
    const int m = std::min(L, count - m0);
    double xt[64 * L];  // d <= 64: [k][lane]
    for (int k = 0; k < d; k++)
      for (int l = 0; l < L; l++) xt[k * L + l] = l < m ? (double)x[(size_t)(m0 + l) * d + k] : 0.0;
    double acc[L] = {0};
    int o = 0;
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        double inner[L] = {0};
        for (int k = j; k < d; k++) {
          const double c = C[o++];
          for (int l = 0; l < L; l++) inner[l] += c * xt[k * L + l];
        }
        for (int l = 0; l < L; l++) acc[l] += xt[i * L + l] * xt[j * L + l] * inner[l];
      }
    }
    for (int l = 0; l < m; l++) y[m0 + l] = (float)(norm * acc[l]);
  }
}

}  // namespace mf
