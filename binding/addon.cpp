// Node-API entry point: registers every native function. Each register* lives in
// its own file and only converts arguments and results.
#include <napi.h>

#include "register.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  convreg_binding::registerDense(env, exports);
  convreg_binding::registerCircular(env, exports);
  convreg_binding::registerSystem(env, exports);
  convreg_binding::registerStructured(env, exports);
  convreg_binding::registerCancel(env, exports);
  convreg_binding::registerOperator(env, exports);
  convreg_binding::registerSigmaMax(env, exports);
  convreg_binding::registerTwoNorm(env, exports);
  convreg_binding::registerSigmaMin(env, exports);
  convreg_binding::registerSymbolBound(env, exports);
  convreg_binding::registerLayer(env, exports);
  return exports;
}

NODE_API_MODULE(convreg, Init)
