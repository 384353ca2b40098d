// Binding for process-wide settings of the native core (BLAS threads).
#include "../src/blas_threads.h"
#include "convert.h"
#include "register.h"

namespace convreg_binding {

void registerSystem(Napi::Env env, Napi::Object exports) {
  exports.Set("setBlasThreads", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    convreg::setBlasThreads(static_cast<int>(toInt(info[0])));
    return info.Env().Undefined();
  }));
  exports.Set("blasThreads", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), convreg::blasThreads());
  }));
}

}  // namespace convreg_binding
