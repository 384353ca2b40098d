// Binding for sigma_max by Lanczos (src/sigma_max): argument conversion only.
#include <memory>

#include "../src/sigma_max.h"
#include "cancel.h"
#include "convert.h"
#include "register.h"
#include "results.h"
#include "worker.h"

namespace convreg_binding {

Napi::Value lanczosToJs(Napi::Env env, convreg::LanczosResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("eigenvalue", Napi::Number::New(env, r.eigenvalue));
  o.Set("residual", Napi::Number::New(env, r.residual));
  o.Set("rounding", Napi::Number::New(env, r.rounding));
  o.Set("sigma", Napi::Number::New(env, r.sigma));
  o.Set("sigmaBound", Napi::Number::New(env, r.sigmaBound));
  o.Set("converged", Napi::Boolean::New(env, r.converged));
  o.Set("iterations", Napi::Number::New(env, static_cast<double>(r.iterations)));
  o.Set("restarts", Napi::Number::New(env, static_cast<double>(r.restarts)));
  o.Set("vector", toFloat64Array(env, r.vector));
  return o;
}

void registerSigmaMax(Napi::Env env, Napi::Object exports) {
  // (kernel, k, g, h, n, start | null, tolerance, maxIterations, basisSize, cancelToken | undefined)
  exportTask<convreg::LanczosResult>(
      env, exports, "sigmaMaxLanczos",
      [](const Napi::CallbackInfo& info) {
        auto kernel = sharedCopy(info[0]);
        const convreg::ConvShape shape = readShape(info, 1);
        auto start = info[5].IsNull() || info[5].IsUndefined() ? nullptr : sharedCopy(info[5]);
        convreg::LanczosOptions o;
        o.tolerance = toDouble(info[6]);
        o.maxIterations = toInt(info[7]);
        o.basisSize = toInt(info[8]);
        CancelFlag flag = readCancelFlag(info[9]);
        return std::function<convreg::LanczosResult()>([kernel, shape, start, o, flag]() mutable {
          o.cancel = flag.get();
          return convreg::sigmaMaxIterative(shape, kernel->data(), start ? start->data() : nullptr, o);
        });
      },
      lanczosToJs);
}

}  // namespace convreg_binding
