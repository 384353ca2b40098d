// Runs a native computation either on the calling thread (sync) or on the libuv
// pool as a Promise (async). Inputs are copied before the task is built, so the
// async task never touches JS memory.
#pragma once
#include <napi.h>

#include <exception>
#include <functional>
#include <string>
#include <utility>

#include "../src/blas_threads.h"
#include "../src/coded_error.h"
#include "../src/native_memory.h"

namespace convreg_binding {

// The JS error for a C++ exception: its message, and a `code` property when the core gave one
// (convreg::CodedError). lib/core/errors.ts nativeError reads that property.
inline Napi::Error toJsError(Napi::Env env, const std::exception& e) {
  Napi::Error error = Napi::Error::New(env, e.what());
  if (const auto* coded = dynamic_cast<const convreg::CodedError*>(&e)) error.Value().Set("code", coded->code());
  return error;
}

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
  void OnOK() override { deferred_.Resolve(toJs_(Env(), result_)); }
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

// Exports `name` (sync) and `name + "Async"` (Promise). `prepare` reads the JS
// arguments and returns a task that owns copies of them.
template <typename Result, typename Prepare, typename ToJs>
void exportTask(Napi::Env env, Napi::Object exports, const std::string& name, Prepare prepare, ToJs toJs) {
  exports.Set(name, Napi::Function::New(
                        env, [prepare, toJs](const Napi::CallbackInfo& info) -> Napi::Value {
                          std::function<Result()> task = prepare(info);
                          Result result;
                          try {
                            convreg::BlasCallScope blas;
                            result = task();
                          } catch (const std::exception& e) {
                            throw toJsError(info.Env(), e);
                          }
                          return toJs(info.Env(), result);
                        },
                        name));
  exports.Set(name + "Async", Napi::Function::New(
                                  env, [prepare, toJs](const Napi::CallbackInfo& info) -> Napi::Value {
                                    auto* worker = new TaskWorker<Result>(info.Env(), prepare(info), toJs);
                                    Napi::Promise promise = worker->Promise();
                                    worker->Queue();
                                    return promise;
                                  },
                                  name + "Async"));
}

}  // namespace convreg_binding
