// Binding for the matrix-free operator (src/conv_operator) and sigma_max by Lanczos (src/sigma_max).
#include <memory>

#include "../src/conv_operator.h"
#include "../src/sigma_max.h"
#include "cancel.h"
#include "convert.h"
#include "register.h"
#include "worker.h"

namespace convreg_binding {

namespace {
struct OperatorArgs {
  SharedDoubles kernel, vectors;
  convreg::ConvShape shape;
  int64_t count;
};
// (kernel, k, g, h, n, vectors, count): lengths are checked in TypeScript.
OperatorArgs readOperatorArgs(const Napi::CallbackInfo& info) {
  return OperatorArgs{sharedCopy(info[0]),
                      sharedCopy(info[5]), readShape(info, 1), toInt(info[6])};
}

void exportApply(Napi::Env env, Napi::Object exports, const char* name, bool transpose) {
  exportTask<std::vector<double>>(
      env, exports, name,
      [transpose](const Napi::CallbackInfo& info) {
        OperatorArgs a = readOperatorArgs(info);
        return std::function<std::vector<double>()>([a, transpose] {
          convreg::ConvOperator op(a.shape, a.kernel->data());
          std::vector<double> out(static_cast<size_t>(a.count * (transpose ? a.shape.cols() : a.shape.rows())));
          if (transpose)
            op.applyTranspose(a.vectors->data(), out.data(), a.count);
          else
            op.apply(a.vectors->data(), out.data(), a.count);
          return out;
        });
      },
      [](Napi::Env env, std::vector<double>& v) -> Napi::Value { return toFloat64Array(env, v); });
}
}  // namespace

void registerSpectrum(Napi::Env env, Napi::Object exports) {
  exportApply(env, exports, "applyLayer", false);
  exportApply(env, exports, "applyLayerTranspose", true);

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
      [](Napi::Env env, convreg::LanczosResult& r) -> Napi::Value {
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
      });
}

}  // namespace convreg_binding
