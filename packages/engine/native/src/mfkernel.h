// The CPU kernel of mfsim: fused forward and backward of a two-layer network, R replicas batched.
#pragma once
#include <cstdint>

namespace mf {

enum Unit : int { TANH = 0, SIGMOID = 1, RELU = 2, ERF = 3, GAUSSIAN = 4, RAMP = 5 };

struct NetParams {
  int unit;
  float bandwidth;
  float scale;
  // RAMP (Mei-Montanari-Nguyen): phi = s1 for h <= t1, s2 for h >= t2, linear between.
  float s1 = 0, s2 = 0, t1 = 0, t2 = 1;
};

struct Shape {
  int R, n, d, P;
  bool perReplica;
};

// f: [R, P]
void forward(const NetParams& net, const Shape& s, const float* c, const float* w, const float* b,
             const float* x, float* f, int threads);

// In place on c, w, b. loss: [R] (1/(2P) sum (f - y)^2 before the step). weights: [R, P] or null.
void step(const NetParams& net, const Shape& s, float* c, float* w, float* b, const float* x,
          const float* y, const float* weights, float lr, float decay, double* loss, int threads);

// Birth-death potentials V_i = c_i sum_mu weight_mu (f_mu - y_mu) phi_i(x_mu): V [R, n], at the
// particles as they are (weights [R, P] or null: 1/P). Same blocks and reduction order as step.
void potentials(const NetParams& net, const Shape& s, const float* c, const float* w, const float* b,
                const float* x, const float* y, const float* weights, double* V, int threads);

/** GFLOP/s of fused multiply-adds on `threads` threads (best of repeats within `seconds`). */
double peak_gflops(int threads, double seconds);

const char* simd_name();
int max_threads();

}  // namespace mf
