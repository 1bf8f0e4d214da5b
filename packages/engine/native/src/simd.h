// Portable SIMD via GCC/Clang vector extensions: AVX-512 (16 lanes), AVX/AVX2 (8), else 4 lanes
// (SSE2, NEON or scalarised by the compiler). Activations are branch-free polynomial/rational
// approximations accurate to a few float32 ulp (checked against libm in test/native tests via
// the kernel, and by native/tools/check_activations.cc). NaN inputs propagate as NaN.
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__AVX512F__)
#define MF_VL 16
#define MF_SIMD_NAME "AVX-512"
#elif defined(__AVX2__) && defined(__FMA__)
#define MF_VL 8
#define MF_SIMD_NAME "AVX2+FMA"
#elif defined(__AVX__)
#define MF_VL 8
#define MF_SIMD_NAME "AVX"
#elif defined(__ARM_NEON)
#define MF_VL 4
#define MF_SIMD_NAME "NEON"
#else
#define MF_VL 4
#define MF_SIMD_NAME "generic-4"
#endif

namespace mf {

constexpr int VL = MF_VL;
typedef float vf __attribute__((vector_size(VL * 4)));
typedef float vfu __attribute__((vector_size(VL * 4), aligned(4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));
typedef double vd __attribute__((vector_size(VL * 8)));
typedef double vdu __attribute__((vector_size(VL * 8), aligned(8)));

static inline vf vload(const float* p) { return *(const vfu*)p; }
static inline void vstore(float* p, vf v) { *(vfu*)p = v; }
static inline vf vset(float s) { return vf{} + s; }
static inline vd vdload(const double* p) { return *(const vdu*)p; }
static inline void vdstore(double* p, vd v) { *(vdu*)p = v; }
static inline vd vtod(vf v) { return __builtin_convertvector(v, vd); }
static inline void vdadd(double* p, vf v) { vdstore(p, vdload(p) + vtod(v)); }
static inline double hsumd(vd v) {
  double s = 0;
  for (int j = 0; j < VL; j++) s += v[j];
  return s;
}
static inline float hsum(vf v) {
  float s = 0;
  for (int j = 0; j < VL; j++) s += v[j];
  return s;
}
// Clamps that keep NaN (a comparison with NaN is false, so x is kept).
static inline vf vmin_keepnan(vf x, float hi) { return x > hi ? vset(hi) : x; }
static inline vf vmax_keepnan(vf x, float lo) { return x < lo ? vset(lo) : x; }
static inline vf vabs(vf x) { return (vf)((vi)x & 0x7fffffff); }
static inline vf vcopysign(vf mag, vf sgn) {
  return (vf)(((vi)mag & 0x7fffffff) | ((vi)sgn & (int32_t)0x80000000));
}
static inline vf vfloor(vf x) {
  vf t = __builtin_convertvector(__builtin_convertvector(x, vi), vf);
  return t > x ? t - 1.0f : t;
}

// exp: Cephes-style range reduction x = n ln2 + r, degree-6 polynomial; |rel err| ~ 1 ulp.
static inline vf vexp(vf x) {
  x = vmin_keepnan(x, 88.0f);
  x = vmax_keepnan(x, -87.33654475f);
  vf fx = vfloor(x * 1.44269504088896341f + 0.5f);
  x = x - fx * 0.693359375f;
  x = x - fx * -2.12194440e-4f;
  vf z = x * x;
  vf y = vset(1.9875691500E-4f);
  y = y * x + 1.3981999507E-3f;
  y = y * x + 8.3334519073E-3f;
  y = y * x + 4.1665795894E-2f;
  y = y * x + 1.6666665459E-1f;
  y = y * x + 5.0000001201E-1f;
  y = y * z + x + 1.0f;
  vi n = __builtin_convertvector(fx, vi);
  vi e = (n + 127) << 23;
  return y * (vf)e;
}

// tanh: odd/even rational approximation on [-7.905, 7.905] (as in Eigen), x itself near 0.
static inline vf vtanh(vf x) {
  vf xc = vmin_keepnan(vmax_keepnan(x, -7.90531110763549805f), 7.90531110763549805f);
  vf x2 = xc * xc;
  vf p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * xc;
  vf q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  vf r = p / q;
  return vabs(x) < 0.0004f ? x : r;
}

static inline vf vsigmoid(vf x) { return 1.0f / (1.0f + vexp(-x)); }

// erf: two minimax branches (|x| <= 0.921875 odd polynomial; else 1 - exp(poly)), ~1 ulp.
static inline vf verf(vf a) {
  vf t = vabs(a);
  vf s = a * a;
  // large branch
  vf r = t * -1.72853470e-5f + 3.83197126e-4f;
  vf u = t * -3.88396438e-3f + 2.42546219e-2f;
  r = r * s + u;
  r = r * t + -1.06777877e-1f;
  r = r * t + -6.34846687e-1f;
  r = r * t + -1.28717512e-1f;
  r = r * t - t;
  r = 1.0f - vexp(r);
  r = vcopysign(r, a);
  // small branch
  vf q = vset(-5.96761703e-4f);
  q = q * s + 4.99119423e-3f;
  q = q * s + -2.67681349e-2f;
  q = q * s + 1.12819925e-1f;
  q = q * s + -3.76125336e-1f;
  q = q * s + 1.28379166e-1f;
  q = q * a + a;
  return t > 0.921875f ? r : q;
}

}  // namespace mf
