// Node-API binding of the CPU kernel. Zero-copy: the kernel reads and writes the Float32Arrays'
// own memory. Synchronous (the engine calls it from a worker thread).
#include <napi.h>

#include <string>

#include "mfkernel.h"
#include "napi-args.h"
#include "fdlibm.h"
#include "linalg.h"
#include "rng.h"
#include "targets.h"

namespace {

using mfnapi::f32;
using mfnapi::intArg;
using mfnapi::numArg;

/** unit, bandwidth, scale from arguments 0..2 and the optional ramp [s1, s2, t1, t2] at `rampAt`. */
mf::NetParams netArgs(const Napi::CallbackInfo& info, size_t rampAt) {
  mf::NetParams net{intArg(info, 0, "unit"), (float)numArg(info, 1, "bandwidth"), (float)numArg(info, 2, "scale")};
  float ramp[4] = {net.s1, net.s2, net.t1, net.t2};
  mfnapi::rampArg(info, rampAt, ramp);
  if (net.unit == mf::RAMP && !(info.Length() > rampAt && info[rampAt].IsArray()))
    throw Napi::TypeError::New(info.Env(), "the ramp unit needs ramp = [s1, s2, t1, t2]");
  net.s1 = ramp[0];
  net.s2 = ramp[1];
  net.t1 = ramp[2];
  net.t2 = ramp[3];
  return net;
}

// (unit, bandwidth, scale, R, n, d, c, w, b, x, P, perReplica, threads, ramp?) -> Float32Array [R, P]
Napi::Value Forward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  mf::NetParams net = netArgs(info, 13);
  mf::Shape s{intArg(info, 3, "R"), intArg(info, 4, "n"), intArg(info, 5, "d"), intArg(info, 10, "P"),
              info[11].ToBoolean().Value()};
  const size_t R = s.R, n = s.n, d = s.d, P = s.P;
  const float* c = f32(info[6], R * n, "c");
  const float* w = f32(info[7], R * n * d, "w");
  const float* b = f32(info[8], R * n, "b");
  const float* x = f32(info[9], (s.perReplica ? R : 1) * P * d, "x");
  const int threads = intArg(info, 12, "threads");
  Napi::Float32Array f = Napi::Float32Array::New(env, R * P);
  if (R * P > 0) mf::forward(net, s, c, w, b, x, f.Data(), threads);
  return f;
}

// (unit, bandwidth, scale, R, n, d, c, w, b, x, y, P, perReplica, weights|null, lr, decay, threads, ramp?)
//   -> Float64Array [R]; c, w, b updated in place.
Napi::Value Step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  mf::NetParams net = netArgs(info, 17);
  mf::Shape s{intArg(info, 3, "R"), intArg(info, 4, "n"), intArg(info, 5, "d"), intArg(info, 11, "P"),
              info[12].ToBoolean().Value()};
  const size_t R = s.R, n = s.n, d = s.d, P = s.P;
  float* c = f32(info[6], R * n, "c");
  float* w = f32(info[7], R * n * d, "w");
  float* b = f32(info[8], R * n, "b");
  const float* x = f32(info[9], (s.perReplica ? R : 1) * P * d, "x");
  const float* y = f32(info[10], (s.perReplica ? R : 1) * P, "y");
  const float* weights = f32(info[13], R * P, "weights", true);
  const float lr = (float)numArg(info, 14, "lr");
  const float decay = (float)numArg(info, 15, "decay");
  const int threads = intArg(info, 16, "threads");
  Napi::Float64Array loss = Napi::Float64Array::New(env, R);
  if (R > 0) mf::step(net, s, c, w, b, x, y, weights, lr, decay, loss.Data(), threads);
  return loss;
}

// (unit, bandwidth, scale, R, n, d, c, w, b, x, y, P, perReplica, weights|null, threads, ramp?)
//   -> Float64Array [R, n]: the birth-death potentials V_i = c_i sum_mu weight_mu (f_mu - y_mu) phi_i(x_mu).
Napi::Value Potentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  mf::NetParams net = netArgs(info, 15);
  mf::Shape s{intArg(info, 3, "R"), intArg(info, 4, "n"), intArg(info, 5, "d"), intArg(info, 11, "P"),
              info[12].ToBoolean().Value()};
  const size_t R = s.R, n = s.n, d = s.d, P = s.P;
  const float* c = f32(info[6], R * n, "c");
  const float* w = f32(info[7], R * n * d, "w");
  const float* b = f32(info[8], R * n, "b");
  const float* x = f32(info[9], (s.perReplica ? R : 1) * P * d, "x");
  const float* y = f32(info[10], (s.perReplica ? R : 1) * P, "y");
  const float* weights = f32(info[13], R * P, "weights", true);
  const int threads = intArg(info, 14, "threads");
  Napi::Float64Array V = Napi::Float64Array::New(env, R * n);
  if (R * n > 0 && P > 0) mf::potentials(net, s, c, w, b, x, y, weights, V.Data(), threads);
  return V;
}

// (C: Float64Array, d, norm, x: Float32Array [count, d], count, threads) -> Float32Array [count]:
// the 3-spin target, bit for bit as targets.ts computes it.
Napi::Value PSpin3(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int d = intArg(info, 1, "d");
  if (d < 1 || d > mf::PSPIN3_MAX_D) throw Napi::RangeError::New(env, "d must be 1.." + std::to_string(mf::PSPIN3_MAX_D));
  const size_t terms = (size_t)d * (d + 1) * (d + 2) / 6;
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(env, "C must be a Float64Array");
  Napi::Float64Array C = info[0].As<Napi::Float64Array>();
  if (C.ElementLength() != terms) throw Napi::RangeError::New(env, "C must have d(d+1)(d+2)/6 = " + std::to_string(terms) + " values");
  const double norm = numArg(info, 2, "norm");
  const int count = intArg(info, 4, "count");
  const float* x = f32(info[3], (size_t)count * d, "x");
  const int threads = intArg(info, 5, "threads");
  Napi::Float32Array y = Napi::Float32Array::New(env, count);
  if (count > 0) mf::pspin3(C.Data(), d, norm, x, count, y.Data(), threads);
  return y;
}

// (kind, d, param, k0, k1, step, R, count, x: Float32Array [R*count*d], y: Float32Array [R*count] | null, threads)
// -> undefined; x (and y for isotropic-gaussians) filled as inputs.ts's drawInputs would, per replica.
Napi::Value DrawInputs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int kind = intArg(info, 0, "kind");
  const int d = intArg(info, 1, "d");
  const double param = numArg(info, 2, "param");
  const uint32_t k0 = (uint32_t)numArg(info, 3, "k0"), k1 = (uint32_t)numArg(info, 4, "k1");
  const uint32_t step = (uint32_t)numArg(info, 5, "step");
  const int R = intArg(info, 6, "R"), count = intArg(info, 7, "count");
  if (kind < mf::IN_GAUSSIAN || kind > mf::IN_ISOTROPIC) throw Napi::RangeError::New(env, "kind must be 0..3");
  if (d < 1 || R < 0 || count < 0) throw Napi::RangeError::New(env, "d >= 1, R >= 0 and count >= 0 are required");
  float* x = f32(info[8], (size_t)R * count * d, "x");
  float* y = f32(info[9], (size_t)R * count, "y", kind != mf::IN_ISOTROPIC);
  const int threads = intArg(info, 10, "threads");
  mf::draw_inputs(kind, d, param, k0, k1, step, R, count, x, y, threads);
  return env.Undefined();
}

// (k0, k1, step, replica, lane, count) -> Float64Array [count]: RandomStream.normal() in order.
Napi::Value DrawNormals(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int count = intArg(info, 5, "count");
  if (count < 0) throw Napi::RangeError::New(env, "count must be >= 0");
  Napi::Float64Array out = Napi::Float64Array::New(env, count);
  mf::draw_normals((uint32_t)numArg(info, 0, "k0"), (uint32_t)numArg(info, 1, "k1"), (uint32_t)numArg(info, 2, "step"),
                   (uint32_t)numArg(info, 3, "replica"), (uint32_t)numArg(info, 4, "lane"), out.Data(), count);
  return out;
}

// (x: Float64Array) -> Float64Array [2 * length]: fd_exp(x[i]), fd_log(x[i]) interleaved (tests).
Napi::Value Fdlibm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(env, "x must be a Float64Array");
  Napi::Float64Array x = info[0].As<Napi::Float64Array>();
  Napi::Float64Array out = Napi::Float64Array::New(env, 2 * x.ElementLength());
  for (size_t i = 0; i < x.ElementLength(); i++) {
    out[2 * i] = mf::fd_exp(x[i]);
    out[2 * i + 1] = mf::fd_log(x[i]);
  }
  return out;
}

// (threads, seconds) -> GFLOP/s of fp32 fused multiply-adds (the benchmark's peak).
Napi::Value PeakGflops(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), mf::peak_gflops(intArg(info, 0, "threads"), numArg(info, 1, "seconds")));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("forward", Napi::Function::New(env, Forward));
  exports.Set("step", Napi::Function::New(env, Step));
  exports.Set("potentials", Napi::Function::New(env, Potentials));
  exports.Set("pspin3", Napi::Function::New(env, PSpin3));
  exports.Set("drawInputs", Napi::Function::New(env, DrawInputs));
  exports.Set("drawNormals", Napi::Function::New(env, DrawNormals));
  exports.Set("peakGflops", Napi::Function::New(env, PeakGflops));
  exports.Set("fdlibm", Napi::Function::New(env, Fdlibm));
  mflinalg::Register(env, exports);
  exports.Set("simd", Napi::String::New(env, mf::simd_name()));
  exports.Set("maxThreads", Napi::Number::New(env, mf::max_threads()));
#ifdef _OPENMP
  exports.Set("openmp", Napi::Boolean::New(env, true));
#else
  exports.Set("openmp", Napi::Boolean::New(env, false));
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(mfsim_native, Init)
