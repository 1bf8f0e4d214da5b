// Targets evaluated natively (see targets.cc).
#pragma once

namespace mf {

/** Largest d of pspin3 (its per-block scratch). */
constexpr int PSPIN3_MAX_D = 64;

/** y[mu] = float(norm * sum_{i<=j<=k} C[o] x_i x_j x_k), as packages/engine/src/targets.ts computes it. */
void pspin3(const double* C, int d, double norm, const float* x, int count, float* y, int threads);

}  // namespace mf
