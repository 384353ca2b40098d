// Binding for process-wide settings of the native core (BLAS threads).
#include "../src/blas_threads.h"
#include "../src/blas_timing.h"
#include "../src/native_memory.h"
#include "convert.h"
#include "register.h"

namespace convreg_binding {

void registerSystem(Napi::Env env, Napi::Object exports) {
  exports.Set("setBlasThreads", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                convreg::setBlasThreads(static_cast<int>(toInt(info[0])));
                return info.Env().Undefined();
              }));
  // Benchmark helpers: (m, n, k, repeats, cpu) and (n, k, repeats, cpu) -> median milliseconds
  // (wall time, or process CPU time when cpu is true).
  exports.Set("timeDgemm", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                const auto clock = info[4].As<Napi::Boolean>().Value() ? convreg::TimingClock::ProcessCpu : convreg::TimingClock::Wall;
                return Napi::Number::New(info.Env(), convreg::timeDgemm(toInt(info[0]), toInt(info[1]), toInt(info[2]),
                                                                        static_cast<int>(toInt(info[3])), clock));
              }));
  exports.Set("timeDsyrk", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                const auto clock = info[3].As<Napi::Boolean>().Value() ? convreg::TimingClock::ProcessCpu : convreg::TimingClock::Wall;
                return Napi::Number::New(info.Env(), convreg::timeDsyrk(toInt(info[0]), toInt(info[1]), static_cast<int>(toInt(info[2])), clock));
              }));
  exports.Set("blasThreads", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return Napi::Number::New(info.Env(), convreg::blasThreads());
              }));
  // Benchmarks only: (false) disables the one-thread-while-overlapping rule.
  exports.Set("setOverlapRule", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                convreg::setOverlapRule(info[0].ToBoolean().Value());
                return info.Env().Undefined();
              }));
  // Internal, for leak tests: counted native memory (src/native_memory.h) and malloc_trim.
  exports.Set("nativeMemoryStats", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                const convreg::NativeMemoryStats s = convreg::nativeMemoryStats();
                Napi::Object o = Napi::Object::New(info.Env());
                o.Set("liveBytes", Napi::Number::New(info.Env(), static_cast<double>(s.liveBytes)));
                o.Set("peakBytes", Napi::Number::New(info.Env(), static_cast<double>(s.peakBytes)));
                o.Set("liveObjects", Napi::Number::New(info.Env(), static_cast<double>(s.liveObjects)));
                o.Set("scratchBytes", Napi::Number::New(info.Env(), static_cast<double>(s.scratchBytes)));
                return o;
              }));
  exports.Set("releaseFreeHeap", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                convreg::releaseFreeHeap();
                return info.Env().Undefined();
              }));
  // Native calls in flight (sync or on the thread pool): 0 once every call has returned.
  exports.Set("activeNativeCalls", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return Napi::Number::New(info.Env(), convreg::activeBlasCalls());
              }));
}

}  // namespace convreg_binding
