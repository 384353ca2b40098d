// Binding for the matrix-free operator M x and M^T y (src/conv_operator): argument conversion only.
#include <memory>

#include "../src/conv_operator.h"
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

void registerOperator(Napi::Env env, Napi::Object exports) {
  exportApply(env, exports, "applyLayer", false);
  exportApply(env, exports, "applyLayerTranspose", true);
}

}  // namespace convreg_binding
