// Binding for the 2-norm penalty (src/two_norm_penalty): argument conversion only.
#include <memory>

#include "../src/two_norm_penalty.h"
#include "convert.h"
#include "register.h"
#include "worker.h"

namespace convreg_binding {

namespace {
struct SpectralArgs {
  SharedDoubles kernel, start;  // start empty: the default vector
  convreg::ConvShape shape;
  double alpha;
  int64_t steps;
};
// (kernel, k, g, h, n, alpha, start: Float64Array | null, steps)
SpectralArgs readSpectralArgs(const Napi::CallbackInfo& info) {
  SpectralArgs a{sharedCopy(info[0]), sharedEmpty(),
                 readShape(info, 1), toDouble(info[5]), toInt(info[7])};
  if (!info[6].IsNull() && !info[6].IsUndefined()) a.start = sharedCopy(info[6]);
  return a;
}

Napi::Value spectralToJs(Napi::Env env, convreg::SpectralResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("eigenvalue", Napi::Number::New(env, r.eigenvalue));
  o.Set("residual", Napi::Number::New(env, r.residual));
  o.Set("gradient", toFloat64Array(env, r.gradient));
  o.Set("vector", toFloat64Array(env, r.next));
  return o;
}

template <typename Compute>
void exportSpectral(Napi::Env env, Napi::Object exports, const char* name, Compute compute) {
  exportTask<convreg::SpectralResult>(
      env, exports, name,
      [compute](const Napi::CallbackInfo& info) {
        SpectralArgs a = readSpectralArgs(info);
        return std::function<convreg::SpectralResult()>([a, compute] {
          return compute(a.shape, a.kernel->data(), a.alpha, a.start->empty() ? nullptr : a.start->data(), a.steps);
        });
      },
      spectralToJs);
}
}  // namespace

void registerTwoNorm(Napi::Env env, Napi::Object exports) {
  exportSpectral(env, exports, "spectralDense", convreg::spectralDense);
  exportSpectral(env, exports, "spectralMatrixFree", convreg::spectralMatrixFree);
}

}  // namespace convreg_binding
