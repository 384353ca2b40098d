// One registration function per group of native calls.
#pragma once
#include <napi.h>

namespace convreg_binding {
void registerDense(Napi::Env env, Napi::Object exports);
void registerCircular(Napi::Env env, Napi::Object exports);
void registerSystem(Napi::Env env, Napi::Object exports);
void registerStructured(Napi::Env env, Napi::Object exports);
void registerCancel(Napi::Env env, Napi::Object exports);
void registerOperator(Napi::Env env, Napi::Object exports);
void registerSigmaMax(Napi::Env env, Napi::Object exports);
void registerTwoNorm(Napi::Env env, Napi::Object exports);
void registerSigmaMin(Napi::Env env, Napi::Object exports);
void registerSymbolBound(Napi::Env env, Napi::Object exports);
void registerLayer(Napi::Env env, Napi::Object exports);
}  // namespace convreg_binding
