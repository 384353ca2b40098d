// Binding for the layer's M and its spectra (src/layer_matrix, src/layer_sigma). Arguments:
// (kernel, k, g, h, height, width, stride, dilation, valid, transposed, ...) as in layer.cpp.
#include <string>

#include "../src/layer_matrix.h"
#include "../src/layer_sigma.h"
#include "cancel.h"
#include "convert.h"
#include "layer_args.h"
#include "register.h"
#include "results.h"
#include "worker.h"

namespace convreg_binding {

void registerLayerSpectra(Napi::Env env, Napi::Object exports) {
  exportTask<convreg::SparseConvMatrix>(
      env, exports, "layerSparseMatrix",
      [](const Napi::CallbackInfo& info) {
        SharedDoubles kernel = sharedCopy(info[0]);
        const convreg::LayerSpec spec = readLayerSpec(info);
        return std::function<convreg::SparseConvMatrix()>([=] { return convreg::buildLayerSparse(spec, kernel->data()); });
      },
      sparseMatrixToJs);

  exportTask<std::vector<double>>(
      env, exports, "layerDenseMatrix",
      [](const Napi::CallbackInfo& info) {
        SharedDoubles kernel = sharedCopy(info[0]);
        const convreg::LayerSpec spec = readLayerSpec(info);
        return std::function<std::vector<double>()>([=] { return convreg::layerDenseMatrix(spec, kernel->data()); });
      },
      [](Napi::Env env, std::vector<double>& v) -> Napi::Value { return toFloat64Array(env, v); });

  // (..., method "svd" | "gram")
  exportTask<std::vector<double>>(
      env, exports, "layerSingularValues",
      [](const Napi::CallbackInfo& info) {
        SharedDoubles kernel = sharedCopy(info[0]);
        const convreg::LayerSpec spec = readLayerSpec(info);
        const bool viaGram = info[10].As<Napi::String>().Utf8Value() == "gram";
        return std::function<std::vector<double>()>(
            [=] { return convreg::layerSingularValues(spec, kernel->data(), viaGram); });
      },
      [](Napi::Env env, std::vector<double>& v) -> Napi::Value { return toFloat64Array(env, v); });

  // (..., start | null, tolerance, maxIterations, basisSize, cancelToken | undefined)
  exportTask<convreg::LanczosResult>(
      env, exports, "layerSigmaMaxLanczos",
      [](const Napi::CallbackInfo& info) {
        SharedDoubles kernel = sharedCopy(info[0]);
        const convreg::LayerSpec spec = readLayerSpec(info);
        auto start = info[10].IsNull() || info[10].IsUndefined() ? nullptr : sharedCopy(info[10]);
        convreg::LanczosOptions o;
        o.tolerance = toDouble(info[11]);
        o.maxIterations = toInt(info[12]);
        o.basisSize = toInt(info[13]);
        CancelFlag flag = readCancelFlag(info[14]);
        return std::function<convreg::LanczosResult()>([kernel, spec, start, o, flag]() mutable {
          o.cancel = flag.get();
          return convreg::layerSigmaMaxIterative(spec, kernel->data(), start ? start->data() : nullptr, o);
        });
      },
      lanczosToJs);

  // (..., factorMemoryLimit, tolerance, maxLanczos, worstCase, cancelToken | null)
  exportTask<convreg::SigmaMinResult>(
      env, exports, "layerSigmaMin",
      [](const Napi::CallbackInfo& info) {
        SharedDoubles kernel = sharedCopy(info[0]);
        const convreg::LayerSpec spec = readLayerSpec(info);
        convreg::SigmaMinOptions o;
        o.factorMemoryLimit = toDouble(info[10]);
        o.tolerance = toDouble(info[11]);
        o.maxLanczos = toInt(info[12]);
        o.worstCaseRounding = info[13].ToBoolean().Value();
        CancelFlag flag = readCancelFlag(info[14]);
        return std::function<convreg::SigmaMinResult()>([kernel, spec, o, flag]() mutable {
          o.cancel = flag.get();
          return convreg::layerSigmaMin(spec, kernel->data(), o);
        });
      },
      sigmaMinToJs);
}

}  // namespace convreg_binding
