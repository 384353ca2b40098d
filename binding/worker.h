// Runs a native computation either on the calling thread (sync) or on the libuv
// pool as a Promise (async). Inputs are copied before the async task is built, so it
// never touches JS memory; a sync task may read them in place (see InputMode).
#pragma once
#include <napi.h>

#include <exception>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include "../src/blas_threads.h"
#include "../src/coded_error.h"
#include "../src/native_memory.h"
#include "convert.h"

namespace convreg_binding {

// The JS error for a C++ exception: its message, and a `code` property when the core gave one
// (convreg::CodedError). lib/core/errors.ts nativeError reads that property.
inline Napi::Error toJsError(Napi::Env env, const std::exception& e) {
  Napi::Error error = Napi::Error::New(env, e.what());
  if (const auto* coded = dynamic_cast<const convreg::CodedError*>(&e)) error.Value().Set("code", coded->code());
  return error;
}

// How a task built by `prepare(info, mode)` holds its array inputs. A sync task runs while the
// JS arrays are alive and unchanged (JavaScript cannot run meanwhile), so it reads them in
// place; an async task runs after the call returned, so it owns copies.
enum class InputMode { view,
                       copy };

// A Float64Array argument as a task holds it: a pointer into the JS array (view) or to the
// task's own copy (copy), which `owned` keeps alive.
struct DoublesInput {
  const double* data = nullptr;
  SharedDoubles owned;
};
inline DoublesInput readDoubles(const Napi::Value& v, InputMode mode) {
  if (mode == InputMode::copy) {
    SharedDoubles owned = sharedCopy(v);
    return DoublesInput{owned->data(), std::move(owned)};
  }
  return DoublesInput{viewFloat64(v).data, nullptr};
}

// A Float64Array the caller provides for a result, as a task holds it. The sync task writes into
// the JS array in place. The async task writes into its own buffer, which publish() copies into
// the JS array on the main thread once the task is done; a reference keeps the array alive
// meanwhile (created here and released with the worker, both on the main thread).
class DoublesOutput {
 public:
  DoublesOutput() = default;
  // `v` must be a Float64Array of exactly `length` entries: the task writes that many.
  DoublesOutput(const Napi::Value& v, size_t length, InputMode mode) {
    const Float64View view = viewFloat64(v);
    if (view.length != length) throw Napi::RangeError::New(v.Env(), "convreg native: the output array's length does not match the result's");
    size_ = length;
    if (mode == InputMode::view) {
      data_ = view.data;
      return;
    }
    owned_ = std::allocate_shared<convreg::TrackedDoubles>(convreg::CountingAllocator<convreg::TrackedDoubles>(), length);
    data_ = owned_->data();
    target_ = std::make_shared<Napi::Reference<Napi::Value>>(Napi::Persistent(v));
  }
  double* data() const { return data_; }
  size_t size() const { return size_; }
  // Main thread, after the task: the async form's copy into the JS array (nothing for the sync form).
  void publish() const {
    if (!target_) return;
    const Float64View view = viewFloat64(target_->Value());
    if (view.length != size_) throw Napi::RangeError::New(target_->Env(), "convreg native: the output array changed length during the call");
    std::copy(owned_->begin(), owned_->end(), view.data);
  }

 private:
  double* data_ = nullptr;
  size_t size_ = 0;
  SharedDoubles owned_;
  std::shared_ptr<Napi::Reference<Napi::Value>> target_;
};

template <typename Result>
class TaskWorker : public Napi::AsyncWorker {
 public:
  using Task = std::function<Result()>;
  using ToJs = std::function<Napi::Value(Napi::Env, Result&)>;

  TaskWorker(Napi::Env env, Task task, ToJs toJs)
      : Napi::AsyncWorker(env), task_(std::move(task)), toJs_(std::move(toJs)), deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      convreg::BlasCallScope blas;  // thread policy: one BLAS thread while calls overlap
      result_ = task_();
    } catch (const convreg::CodedError& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::exception& e) {
      SetError(e.what());
    } catch (...) {
      SetError("convreg: unknown native error");
    }
  }
  void OnOK() override {
    Napi::Value value;
    try {
      value = toJs_(Env(), result_);
    } catch (const Napi::Error& e) {  // a throw here would escape to the event loop
      deferred_.Reject(e.Value());
      return;
    }
    deferred_.Resolve(value);
  }
  void OnError(const Napi::Error& e) override {
    Napi::Object error = e.Value();
    if (!code_.empty()) error.Set("code", code_);
    deferred_.Reject(error);
  }

 private:
  Task task_;
  ToJs toJs_;
  Napi::Promise::Deferred deferred_;
  Result result_{};
  std::string code_;          // of a CodedError thrown by the task, set as the rejection's `code`
  convreg::LiveObject live_;  // counted from creation until N-API deletes the worker
};

// Runs a task on the calling thread inside the BLAS thread policy; a C++ exception becomes a JS error.
template <typename Task>
auto runHere(const Napi::CallbackInfo& info, Task& task) {
  try {
    convreg::BlasCallScope blas;
    return task();
  } catch (const std::exception& e) {
    throw toJsError(info.Env(), e);
  }
}

// Exports `name` (sync) and `name + "Async"` (Promise). `prepare(info)` reads the JS arguments
// and returns a task that owns copies of them; `prepare(info, mode)` (InputMode) returns a task
// that reads them in place for the sync form, which then costs no copy and no heap allocation
// beyond the task's own, and owns copies for the async form.
template <typename Result, typename Prepare, typename ToJs>
void exportTask(Napi::Env env, Napi::Object exports, const std::string& name, Prepare prepare, ToJs toJs) {
  constexpr bool withMode = std::is_invocable_v<Prepare, const Napi::CallbackInfo&, InputMode>;
  auto build = [prepare](const Napi::CallbackInfo& info, InputMode mode) {
    if constexpr (withMode) return prepare(info, mode);
    else {
      (void)mode;
      return prepare(info);
    }
  };
  exports.Set(name, Napi::Function::New(
                        env, [build, toJs](const Napi::CallbackInfo& info) -> Napi::Value {
                          auto task = build(info, InputMode::view);
                          Result result = runHere(info, task);
                          return toJs(info.Env(), result);
                        },
                        name));
  exports.Set(name + "Async", Napi::Function::New(
                                  env, [build, toJs](const Napi::CallbackInfo& info) -> Napi::Value {
                                    auto* worker = new TaskWorker<Result>(info.Env(), build(info, InputMode::copy), toJs);
                                    Napi::Promise promise = worker->Promise();
                                    worker->Queue();
                                    return promise;
                                  },
                                  name + "Async"));
}

}  // namespace convreg_binding
