// Node-API binding of the CUDA kernel (kernels.cu, compiled by nvcc into an object file that
// build.mjs passes to node-gyp). Same argument lists as the C++ addon plus init(device).
#include <napi.h>

#include <string>

#include "../src/napi-args.h"

extern "C" {
int mfc_init(int device, char* name, size_t name_cap, char* msg, size_t cap);
int mfc_run(int step, int unit, float bandwidth, const float* ramp, float scale, int R, int n, int d, int P, int perReplica,
            float* c, float* w, float* b, const float* x, const float* y, const float* weights, float lr,
            float decay, float* f_out, double* loss_out, char* msg, size_t cap);
void mfc_dispose();
}

namespace {

using mfnapi::f32;
using mfnapi::intArg;

/** Kernel arguments in float, as the CUDA kernel takes them. */
float numArg(const Napi::CallbackInfo& info, size_t i, const char* name) { return (float)mfnapi::numArg(info, i, name); }

Napi::Value Init(const Napi::CallbackInfo& info) {
  char name[256] = {0}, msg[512] = {0};
  if (mfc_init(intArg(info, 0, "device"), name, sizeof name, msg, sizeof msg) != 0)
    throw Napi::Error::New(info.Env(), msg);
  return Napi::String::New(info.Env(), name);
}

/** The ramp's [s1, s2, t1, t2] from argument i into out; null when absent (other units). */
const float* rampOf(const Napi::CallbackInfo& info, size_t i, float out[4]) {
  if (info.Length() <= i || info[i].IsUndefined() || info[i].IsNull()) return nullptr;
  mfnapi::rampArg(info, i, out);
  return out;
}

// (unit, bandwidth, scale, R, n, d, c, w, b, x, P, perReplica, ramp?) -> Float32Array [R, P]
Napi::Value Forward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int R = intArg(info, 3, "R"), n = intArg(info, 4, "n"), d = intArg(info, 5, "d"), P = intArg(info, 10, "P");
  const bool per = info[11].ToBoolean().Value();
  const size_t np = (size_t)R * n;
  float* c = f32(info[6], np, "c");
  float* w = f32(info[7], np * d, "w");
  float* b = f32(info[8], np, "b");
  const float* x = f32(info[9], (size_t)(per ? R : 1) * P * d, "x");
  Napi::Float32Array f = Napi::Float32Array::New(env, (size_t)R * P);
  char msg[512] = {0};
  float ramp[4] = {0, 0, 0, 1};
  if (mfc_run(0, intArg(info, 0, "unit"), numArg(info, 1, "bandwidth"), rampOf(info, 12, ramp), numArg(info, 2, "scale"), R, n, d, P, per,
              c, w, b, x, nullptr, nullptr, 0, 0, f.Data(), nullptr, msg, sizeof msg) != 0)
    throw Napi::Error::New(env, msg);
  return f;
}

// (unit, bandwidth, scale, R, n, d, c, w, b, x, y, P, perReplica, weights|null, lr, decay, ramp?) -> Float64Array [R]
Napi::Value Step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int R = intArg(info, 3, "R"), n = intArg(info, 4, "n"), d = intArg(info, 5, "d"), P = intArg(info, 11, "P");
  const bool per = info[12].ToBoolean().Value();
  const size_t np = (size_t)R * n, rows = (size_t)(per ? R : 1) * P;
  float* c = f32(info[6], np, "c");
  float* w = f32(info[7], np * d, "w");
  float* b = f32(info[8], np, "b");
  const float* x = f32(info[9], rows * d, "x");
  const float* y = f32(info[10], rows, "y");
  const float* weights = f32(info[13], (size_t)R * P, "weights", true);
  Napi::Float64Array loss = Napi::Float64Array::New(env, R);
  char msg[512] = {0};
  float ramp[4] = {0, 0, 0, 1};
  if (mfc_run(1, intArg(info, 0, "unit"), numArg(info, 1, "bandwidth"), rampOf(info, 16, ramp), numArg(info, 2, "scale"), R, n, d, P, per,
              c, w, b, x, y, weights, numArg(info, 14, "lr"), numArg(info, 15, "decay"), nullptr, loss.Data(), msg,
              sizeof msg) != 0)
    throw Napi::Error::New(env, msg);
  return loss;
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  mfc_dispose();
  return info.Env().Undefined();
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("forward", Napi::Function::New(env, Forward));
  exports.Set("step", Napi::Function::New(env, Step));
  exports.Set("dispose", Napi::Function::New(env, Dispose));
  return exports;
}

}  // namespace

NODE_API_MODULE(mfsim_cuda, InitModule)
