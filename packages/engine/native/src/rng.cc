// Philox4x32-10 streams and the ziggurat normal of packages/engine/src/rng.ts, and the input laws
// of inputs.ts, in C++. Bit for bit the TypeScript's numbers: integer arithmetic for the words; in
// float64 the same operations in the same order with no FMA contraction, and exp/log from fdlibm.cc
// (the algorithm of V8's Math.exp/Math.log; sqrt is correctly rounded in both). Checked by
// test/rng-native.test.ts over millions of draws.
#pragma GCC optimize("fp-contract=off")

#include "rng.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "fdlibm.h"

namespace mf {

namespace {

constexpr double TWO_32 = 4294967296.0;
constexpr double ZIG_R = 3.442619855899;
constexpr double ZIG_V = 9.91256303526217e-3;
constexpr double ZIG_M = 16777216.0;  // 2^24

struct Zig {
  double k[128], w[128], f[128];
  Zig() {
    double dn = ZIG_R, tn = dn;
    const double q = ZIG_V / fd_exp(-0.5 * dn * dn);
    k[0] = (dn / q) * ZIG_M;
    k[1] = 0;
    w[0] = q / ZIG_M;
    w[127] = dn / ZIG_M;
    f[0] = 1;
    f[127] = fd_exp(-0.5 * dn * dn);
    for (int i = 126; i >= 1; i--) {
      dn = std::sqrt(-2 * fd_log(ZIG_V / dn + fd_exp(-0.5 * dn * dn)));
      k[i + 1] = (dn / tn) * ZIG_M;
      tn = dn;
      f[i] = fd_exp(-0.5 * dn * dn);
      w[i] = dn / ZIG_M;
    }
  }
};
const Zig zig;

inline void philox(uint32_t c[4], uint32_t k0, uint32_t k1) {
  for (int round = 0; round < 10; round++) {
    const uint64_t p0 = (uint64_t)0xd2511f53u * c[0];
    const uint64_t p1 = (uint64_t)0xcd9e8d57u * c[2];
    const uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0;
    const uint32_t n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
    c[0] = n0;
    c[1] = (uint32_t)p1;
    c[2] = n2;
    c[3] = (uint32_t)p0;
    k0 += 0x9e3779b9u;
    k1 += 0xbb67ae85u;
  }
}

struct Stream {
  uint32_t k0, k1, step, replica, lane, block = 0;
  uint32_t buf[4];
  int pos = 4;
  uint32_t u32() {
    if (pos == 4) {
      buf[0] = block;
      buf[1] = step;
      buf[2] = replica;
      buf[3] = lane;
      philox(buf, k0, k1);
      block++;
      pos = 0;
    }
    return buf[pos++];
  }
  double uniform() { return ((double)u32() + 0.5) / TWO_32; }
  double normal() {
    for (;;) {
      const int32_t u = (int32_t)u32();
      const int layer = u & 127;
      const int32_t h = u >> 7;  // arithmetic, as JavaScript's >>
      if (std::fabs((double)h) < zig.k[layer]) return (double)h * zig.w[layer];
      if (layer == 0) {
        double x, y;
        do {
          x = -fd_log(uniform()) / ZIG_R;
          y = -fd_log(uniform());
        } while (y + y < x * x);
        return h > 0 ? ZIG_R + x : -ZIG_R - x;
      }
      const double x = (double)h * zig.w[layer];
      const double lhs = zig.f[layer] + uniform() * (zig.f[layer - 1] - zig.f[layer]);
      if (lhs < fd_exp(-0.5 * x * x)) return x;
    }
  }
};

}  // namespace

void draw_normals(uint32_t k0, uint32_t k1, uint32_t step, uint32_t replica, uint32_t lane, double* out, int count) {
  Stream s{k0, k1, step, replica, lane};
  for (int i = 0; i < count; i++) out[i] = s.normal();
}

void draw_inputs(int kind, int d, double param, uint32_t k0, uint32_t k1, uint32_t step, int R, int count,
                 float* x, float* y, int threads) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(1, threads)) if (threads > 1 && R > 1)
  for (int r = 0; r < R; r++) {
    Stream s{k0, k1, step, (uint32_t)r, 0};
    std::vector<double> g(std::max(d, 1));
    float* xr = x + (size_t)r * count * d;
    for (int i = 0; i < count; i++) {
      float* row = xr + (size_t)i * d;
      switch (kind) {
        case IN_GAUSSIAN:
          for (int k = 0; k < d; k++) row[k] = (float)(1.0 * s.normal());
          break;
        case IN_SPHERE: {
          double ss = 0;
          for (int k = 0; k < d; k++) {
            g[k] = s.normal();
            ss += g[k] * g[k];
          }
          const double scale = std::sqrt(d / ss);
          for (int k = 0; k < d; k++) row[k] = (float)(g[k] * scale);
          break;
        }
        case IN_UNIFORM:
          for (int k = 0; k < d; k++) row[k] = (float)(param * (2 * s.uniform() - 1));
          break;
        default: {  // IN_ISOTROPIC
          const double label = s.uniform() < 0.5 ? 1 : -1;
          y[(size_t)r * count + i] = (float)label;
          const double scale = 1 + label * param;
          for (int k = 0; k < d; k++) row[k] = (float)(scale * s.normal());
          break;
        }
      }
    }
  }
}

}  // namespace mf
