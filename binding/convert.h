// Conversions between JS values and the plain C++ types of src/.
#pragma once
#include <napi.h>

#include <cstdint>
#include <vector>

#include "../src/conv_shape.h"

namespace convreg_binding {

inline std::vector<double> copyFloat64(const Napi::Value& v) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(v.Env(), "convreg native: expected a Float64Array");
  auto a = v.As<Napi::Float64Array>();
  return std::vector<double>(a.Data(), a.Data() + a.ElementLength());
}

inline int64_t toInt(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
inline double toDouble(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }

// Arguments (kernel, k, g, h, n) starting at `at`.
inline convreg::ConvShape readShape(const Napi::CallbackInfo& info, size_t at) {
  return convreg::ConvShape{toInt(info[at]), toInt(info[at + 1]), toInt(info[at + 2]), toInt(info[at + 3])};
}

inline Napi::Float64Array toFloat64Array(Napi::Env env, const std::vector<double>& v) {
  auto out = Napi::Float64Array::New(env, v.size());
  std::copy(v.begin(), v.end(), out.Data());
  return out;
}

inline Napi::Int32Array toInt32Array(Napi::Env env, const std::vector<int64_t>& v) {
  auto out = Napi::Int32Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<int32_t>(v[i]);
  return out;
}

}  // namespace convreg_binding
