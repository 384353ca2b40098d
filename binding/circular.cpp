// Binding for circular padding: the DFT engine (src/circular) and the dense reference
// on the block-circulant M (src/dense_engine with Padding::Circular).
#include <array>
#include <memory>

#include "../src/circular.h"
#include "../src/dense_engine.h"
#include "../src/dense_quartic.h"
#include "convert.h"
#include "penalty_gradient.h"
#include "register.h"
#include "worker.h"

namespace convreg_binding {

namespace {
struct CircularArgs {
  SharedDoubles kernel;
  convreg::ConvShape shape;
};
// (kernel, k, g, h, n)
CircularArgs readCircularArgs(const Napi::CallbackInfo& info) {
  CircularArgs a{sharedCopy(info[0]), readShape(info, 1)};
  a.shape.padding = convreg::Padding::Circular;
  return a;
}

// The same, the kernel read in place by a sync task (see InputMode): the N = 1 calls of 1 x 1
// layers (lib/engines/pointwise.ts) are small calls.
struct CircularInput {
  DoublesInput kernel;
  convreg::ConvShape shape;
};
CircularInput readCircularInput(const Napi::CallbackInfo& info, InputMode mode) {
  CircularInput a{readDoubles(info[0], mode), readShape(info, 1)};
  a.shape.padding = convreg::Padding::Circular;
  return a;
}

Napi::Value numberToJs(Napi::Env env, double& f) { return Napi::Number::New(env, f); }
Napi::Value valuesToJs(Napi::Env env, std::vector<double>& v) { return toFloat64Array(env, v); }
}  // namespace

void registerCircular(Napi::Env env, Napi::Object exports) {
  // (kernel, k, g, h, n, alpha)
  exportTask<double>(
      env, exports, "circularPenalty",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        CircularInput a = readCircularInput(info, mode);
        double alpha = toDouble(info[5]);
        return [a = std::move(a), alpha] { return convreg::circularPenalty(a.shape, a.kernel.data, alpha); };
      },
      numberToJs);

  // (kernel, k, g, h, n, alpha, gradient) -> F, dF/dK written into `gradient`
  exportTask<FilledPenalty>(
      env, exports, "circularPenaltyAndGradient",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        CircularInput a = readCircularInput(info, mode);
        double alpha = toDouble(info[5]);
        DoublesOutput gradient(info[6], static_cast<size_t>(a.shape.kernelSize()), mode);
        return [a = std::move(a), alpha, gradient = std::move(gradient)] {
          return fillGradient(convreg::circularPenaltyAndGradient(a.shape, a.kernel.data, alpha), gradient);
        };
      },
      filledPenaltyToJs);

  // (kernel, k, g, h, n)
  exportTask<std::vector<double>>(
      env, exports, "circularSingularValues",
      [](const Napi::CallbackInfo& info) {
        CircularArgs a = readCircularArgs(info);
        return std::function<std::vector<double>()>([a] { return convreg::circularSingularValues(a.shape, a.kernel->data()); });
      },
      valuesToJs);

  // The dense reference on the block-circulant M: (kernel, k, g, h, n, alpha).
  exportTask<double>(
      env, exports, "circularDensePenalty",
      [](const Napi::CallbackInfo& info) {
        CircularArgs a = readCircularArgs(info);
        double alpha = toDouble(info[5]);
        return std::function<double()>([a, alpha] { return convreg::densePenalty(a.shape, a.kernel->data(), alpha); });
      },
      numberToJs);

  // (kernel, k, g, h, n, alpha, gradient) -> F, dF/dK written into `gradient`
  exportTask<FilledPenalty>(
      env, exports, "circularDensePenaltyAndGradient",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        CircularArgs a = readCircularArgs(info);
        double alpha = toDouble(info[5]);
        DoublesOutput gradient(info[6], static_cast<size_t>(a.shape.kernelSize()), mode);
        return std::function<FilledPenalty()>(
            [a, alpha, gradient] { return fillGradient(convreg::densePenaltyAndGradient(a.shape, a.kernel->data(), alpha), gradient); });
      },
      filledPenaltyToJs);

  // (kernel, k, g, h, n, method) with method "svd" (dgesvd) or "gram" (dsyevd).
  exportTask<std::vector<double>>(
      env, exports, "circularDenseSingularValues",
      [](const Napi::CallbackInfo& info) {
        CircularArgs a = readCircularArgs(info);
        bool viaGram = info[5].As<Napi::String>().Utf8Value() == "gram";
        return std::function<std::vector<double>()>([a, viaGram] {
          return viaGram ? convreg::gramSingularValues(a.shape, a.kernel->data())
                         : convreg::denseSingularValues(a.shape, a.kernel->data());
        });
      },
      valuesToJs);

  // (kernel, k, g, h, n, alpha, direction, dense): F(K + t D) = c0 + ... + c4 t^4, circular M.
  exportTask<std::array<double, 5>>(
      env, exports, "circularLineQuartic",
      [](const Napi::CallbackInfo& info) {
        CircularArgs a = readCircularArgs(info);
        double alpha = toDouble(info[5]);
        auto direction = sharedCopy(info[6]);
        bool dense = info[7].As<Napi::Boolean>().Value();
        return std::function<std::array<double, 5>()>([a, alpha, direction, dense] {
          return dense ? convreg::denseLineQuartic(a.shape, a.kernel->data(), direction->data(), alpha)
                       : convreg::circularLineQuartic(a.shape, a.kernel->data(), direction->data(), alpha);
        });
      },
      [](Napi::Env env, std::array<double, 5>& c) -> Napi::Value {
        return toFloat64Array(env, std::vector<double>(c.begin(), c.end()));
      });
}

}  // namespace convreg_binding
