// A native cancel token: JS calls token.cancel() (from an AbortSignal listener) and the
// running native task sees the flag between iterations. Reusable by any long computation.
#pragma once
#include <napi.h>

#include <atomic>
#include <memory>

namespace convreg_binding {

using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// The flag of a CancelToken argument; nullptr for undefined or null. Throws a TypeError
// for anything else. The task keeps the shared flag alive after the JS object is gone.
CancelFlag readCancelFlag(const Napi::Value& v);

void registerCancel(Napi::Env env, Napi::Object exports);

}  // namespace convreg_binding
