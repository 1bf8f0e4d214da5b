// Argument checks shared by the Node-API bindings of the C++ and CUDA kernels: a clear TypeError
// or RangeError naming the argument, never a crash on a wrong array.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace mfnapi {

/** The Float32Array's data, at least `need` elements (null allowed when `allowNull`). */
inline float* f32(const Napi::Value& v, size_t need, const char* name, bool allowNull = false) {
  Napi::Env env = v.Env();
  if (allowNull && (v.IsNull() || v.IsUndefined())) return nullptr;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(env, std::string(name) + " must be a Float32Array");
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (a.ElementLength() < need)
    throw Napi::RangeError::New(env, std::string(name) + " has " + std::to_string(a.ElementLength()) +
                                         " elements, expected " + std::to_string(need));
  return a.Data();
}

/** A non-negative int32 argument. */
inline int intArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  int64_t v = info[i].As<Napi::Number>().Int64Value();
  if (v < 0 || v > (1ll << 31) - 1) throw Napi::RangeError::New(info.Env(), std::string(name) + " out of range");
  return (int)v;
}

inline double numArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

/**
 * The ramp unit's [s1, s2, t1, t2] from an optional trailing argument (an array of 4 numbers);
 * `out` keeps its values when the argument is absent (units other than the ramp).
 */
inline void rampArg(const Napi::CallbackInfo& info, size_t i, float out[4]) {
  if (info.Length() <= i || info[i].IsUndefined() || info[i].IsNull()) return;
  if (!info[i].IsArray() || info[i].As<Napi::Array>().Length() != 4)
    throw Napi::TypeError::New(info.Env(), "ramp must be an array [s1, s2, t1, t2]");
  Napi::Array a = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < 4; k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), "ramp must be an array of 4 numbers");
    out[k] = (float)v.As<Napi::Number>().DoubleValue();
  }
  if (!(out[2] < out[3])) throw Napi::RangeError::New(info.Env(), "ramp needs t1 < t2");
}

}  // namespace mfnapi
