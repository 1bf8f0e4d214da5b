// The run's random numbers drawn natively, bit for bit as packages/engine/src/rng.ts and inputs.ts
// draw them (Philox4x32-10 streams, the ziggurat normal, the input laws).
#pragma once
#include <cstdint>

namespace mf {

/** The input laws drawInputs can draw here (inputs.ts's kinds, less `dataset`). */
enum InputKind : int { IN_GAUSSIAN = 0, IN_SPHERE = 1, IN_UNIFORM = 2, IN_ISOTROPIC = 3 };

/**
 * For each replica r < R, `count` points of the law from the stream with key (k0, k1), counter
 * (block, step, r, 0), as drawInputs(inputs, new RandomStream(seed, stream, r, step), count) does:
 * x [R, count, d]; y [R, count] (labels, isotropic-gaussians only; else may be null).
 * param: `a` (uniform) or `delta` (isotropic-gaussians). Replicas run on up to `threads` threads.
 */
void draw_inputs(int kind, int d, double param, uint32_t k0, uint32_t k1, uint32_t step, int R, int count,
                 float* x, float* y, int threads);

/** out[i] = the i-th normal of the stream (key, counter (block, step, replica, lane)), as RandomStream.normal(). */
void draw_normals(uint32_t k0, uint32_t k1, uint32_t step, uint32_t replica, uint32_t lane, double* out, int count);

}  // namespace mf
