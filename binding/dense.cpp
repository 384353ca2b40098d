// Binding for the dense reference engine (src/conv_matrix, src/dense_engine).
#include <memory>

#include "../src/dense_engine.h"
#include "convert.h"
#include "penalty_gradient.h"
#include "register.h"
#include "results.h"
#include "worker.h"

namespace convreg_binding {

namespace {
struct KernelArgs {
  SharedDoubles kernel;
  convreg::ConvShape shape;
};
// (kernel, k, g, h, n)
KernelArgs readKernelArgs(const Napi::CallbackInfo& info) {
  return KernelArgs{sharedCopy(info[0]), readShape(info, 1)};
}
}  // namespace

void registerDense(Napi::Env env, Napi::Object exports) {
  using convreg::SparseConvMatrix;
  exportTask<SparseConvMatrix>(
      env, exports, "sparseMatrix",
      [](const Napi::CallbackInfo& info) {
        KernelArgs a = readKernelArgs(info);
        return std::function<SparseConvMatrix()>([a] { return convreg::buildSparse(a.shape, a.kernel->data()); });
      },
      sparseMatrixToJs);

  exportTask<std::vector<double>>(
      env, exports, "denseMatrix",
      [](const Napi::CallbackInfo& info) {
        KernelArgs a = readKernelArgs(info);
        return std::function<std::vector<double>()>([a] {
          SparseConvMatrix m = convreg::buildSparse(a.shape, a.kernel->data());
          std::vector<double> dense(static_cast<size_t>(m.rows * m.cols));
          convreg::materializeDense(m, dense.data());
          return dense;
        });
      },
      [](Napi::Env env, std::vector<double>& v) -> Napi::Value { return toFloat64Array(env, v); });

  // (kernel, k, g, h, n, alpha)
  exportTask<double>(
      env, exports, "densePenalty",
      [](const Napi::CallbackInfo& info) {
        KernelArgs a = readKernelArgs(info);
        double alpha = toDouble(info[5]);
        return std::function<double()>([a, alpha] { return convreg::densePenalty(a.shape, a.kernel->data(), alpha); });
      },
      [](Napi::Env env, double& f) -> Napi::Value { return Napi::Number::New(env, f); });

  // (kernel, k, g, h, n, alpha, gradient) -> F, dF/dK written into `gradient`
  exportTask<FilledPenalty>(
      env, exports, "densePenaltyAndGradient",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        KernelArgs a = readKernelArgs(info);
        double alpha = toDouble(info[5]);
        DoublesOutput gradient(info[6], static_cast<size_t>(a.shape.kernelSize()), mode);
        return std::function<FilledPenalty()>([a, alpha, gradient] {
          return fillGradient(convreg::densePenaltyAndGradient(a.shape, a.kernel->data(), alpha), gradient);
        });
      },
      filledPenaltyToJs);

  // (kernel, k, g, h, n, method) with method "svd" (dgesvd) or "gram" (dsyevd).
  exportTask<std::vector<double>>(
      env, exports, "denseSingularValues",
      [](const Napi::CallbackInfo& info) {
        KernelArgs a = readKernelArgs(info);
        bool viaGram = info[5].As<Napi::String>().Utf8Value() == "gram";
        return std::function<std::vector<double>()>([a, viaGram] {
          return viaGram ? convreg::gramSingularValues(a.shape, a.kernel->data())
                         : convreg::denseSingularValues(a.shape, a.kernel->data());
        });
      },
      [](Napi::Env env, std::vector<double>& v) -> Napi::Value { return toFloat64Array(env, v); });
}

Napi::Value sparseMatrixToJs(Napi::Env env, convreg::SparseConvMatrix& m) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("rows", Napi::Number::New(env, static_cast<double>(m.rows)));
  o.Set("cols", Napi::Number::New(env, static_cast<double>(m.cols)));
  o.Set("rowStart", toInt32Array(env, m.rowStart));
  o.Set("column", toInt32Array(env, m.column));
  o.Set("entry", toInt32Array(env, m.entry));
  o.Set("value", toFloat64Array(env, m.value));
  return o;
}

}  // namespace convreg_binding
