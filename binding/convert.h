// Conversions between JS values and the plain C++ types of src/.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "../src/conv_shape.h"
#include "../src/native_memory.h"

namespace convreg_binding {

// A Float64Array's data (past its byte offset) and length, read by one Node-API call after the
// type check: the small synchronous calls pay for every call across the boundary.
struct Float64View {
  double* data;
  size_t length;
};
inline Float64View viewFloat64(const Napi::Value& v) {
  const napi_env env = v.Env();
  bool isTypedArray = false;
  napi_typedarray_type type{};
  size_t length = 0;
  void* data = nullptr;
  if (napi_is_typedarray(env, v, &isTypedArray) != napi_ok || !isTypedArray ||
      napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok || type != napi_float64_array)
    throw Napi::TypeError::New(env, "convreg native: expected a Float64Array");
  return Float64View{static_cast<double*>(data), length};
}

inline std::vector<double> copyFloat64(const Napi::Value& v) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(v.Env(), "convreg native: expected a Float64Array");
  auto a = v.As<Napi::Float64Array>();
  return std::vector<double>(a.Data(), a.Data() + a.ElementLength());
}

// A task's copy of a JS Float64Array, shared by the sync and async paths. Counted in
// nativeMemoryStats().liveBytes (data and control block) until the task is gone.
using SharedDoubles = std::shared_ptr<convreg::TrackedDoubles>;
inline SharedDoubles sharedCopy(const Napi::Value& v) {
  std::vector<double> data = copyFloat64(v);
  return std::allocate_shared<convreg::TrackedDoubles>(convreg::CountingAllocator<convreg::TrackedDoubles>(), data.begin(), data.end());
}
inline SharedDoubles sharedEmpty() { return std::allocate_shared<convreg::TrackedDoubles>(convreg::CountingAllocator<convreg::TrackedDoubles>()); }

inline int64_t toInt(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
inline double toDouble(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }

// Arguments (k, g, h, n) starting at `at`, following the kernel at `at - 1`. TypeScript has
// validated them; this re-checks the two facts memory safety rests on (every size >= 1 and the
// kernel holding exactly k*k*g*h entries, `groups` times that for a grouped layer whose k, g, h are
// one group's), so that no caller can make the core read past a buffer.
inline convreg::ConvShape readShape(const Napi::CallbackInfo& info, size_t at, int64_t groups = 1) {
  for (size_t i = at; i < at + 4; ++i)
    if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "convreg native: expected integer sizes k, g, h, n");
  convreg::ConvShape s{toInt(info[at]), toInt(info[at + 1]), toInt(info[at + 2]), toInt(info[at + 3])};
  if (s.k < 1 || s.g < 1 || s.h < 1 || s.n < 1 || s.k > (1 << 10) || s.g > (1 << 16) || s.h > (1 << 16) || s.n > (1 << 20))
    throw Napi::RangeError::New(info.Env(), "convreg native: sizes k, g, h, n out of range");
  if (at >= 1 && info[at - 1].IsTypedArray() &&
      static_cast<int64_t>(info[at - 1].As<Napi::TypedArray>().ElementLength()) != s.kernelSize() * groups)
    throw Napi::RangeError::New(info.Env(), "convreg native: the kernel's length does not match k*k*g*h");
  return s;
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
