// Binding for the structured engine (src/structured_engine), the dense line quartic
// (src/dense_quartic) and the engine timing used by bench/structured.js.
#include <array>
#include <memory>

#include "../src/dense_quartic.h"
#include "../src/engine_timing.h"
#include "../src/grouped_penalty.h"
#include "../src/structured_engine.h"
#include "convert.h"
#include "penalty_gradient.h"
#include "register.h"
#include "worker.h"

namespace convreg_binding {

namespace {
Napi::Value quarticToJs(Napi::Env env, std::array<double, 5>& c) {
  return toFloat64Array(env, std::vector<double>(c.begin(), c.end()));
}
}  // namespace

void registerStructured(Napi::Env env, Napi::Object exports) {
  // (kernel, k, g, h, n, alpha)
  exportTask<double>(
      env, exports, "structuredPenalty",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        DoublesInput kernel = readDoubles(info[0], mode);
        convreg::ConvShape shape = readShape(info, 1);
        double alpha = toDouble(info[5]);
        return [kernel = std::move(kernel), shape, alpha] { return convreg::structuredPenalty(shape, kernel.data, alpha); };
      },
      [](Napi::Env env, double& f) -> Napi::Value { return Napi::Number::New(env, f); });

  // (kernel, k, g, h, n, alpha, gradient) -> F, dF/dK written into `gradient`
  exportTask<FilledPenalty>(
      env, exports, "structuredPenaltyAndGradient",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        DoublesInput kernel = readDoubles(info[0], mode);
        convreg::ConvShape shape = readShape(info, 1);
        double alpha = toDouble(info[5]);
        DoublesOutput gradient(info[6], static_cast<size_t>(shape.kernelSize()), mode);
        return [kernel = std::move(kernel), shape, alpha, gradient = std::move(gradient)] {
          return FilledPenalty{convreg::structuredPenaltyAndGradient(shape, kernel.data, alpha, gradient.data()), gradient};
        };
      },
      filledPenaltyToJs);

  // (kernel, k, g, h, n, alpha, groups, gradient) -> F, dF/dK written into `gradient`; g and h are
  // one group's, the kernel and gradient the layer's (groups * k*k*g*h entries).
  exportTask<FilledPenalty>(
      env, exports, "groupedStructuredPenaltyAndGradient",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        if (!info[6].IsNumber()) throw Napi::TypeError::New(info.Env(), "convreg native: expected an integer groups");
        const int64_t groups = toInt(info[6]);
        if (groups < 1 || groups > (1 << 20)) throw Napi::RangeError::New(info.Env(), "convreg native: groups out of range");
        convreg::ConvShape shape = readShape(info, 1, groups);  // checks the kernel holds groups*k*k*g*h entries
        DoublesInput kernel = readDoubles(info[0], mode);
        double alpha = toDouble(info[5]);
        const size_t length = static_cast<size_t>(shape.kernelSize() * groups);
        DoublesOutput gradient(info[7], length, mode);
        return [kernel = std::move(kernel), shape, alpha, groups, gradient = std::move(gradient)] {
          return FilledPenalty{convreg::groupedStructuredPenaltyAndGradient(shape, groups, kernel.data, alpha, gradient.data()),
                               gradient};
        };
      },
      filledPenaltyToJs);

  // (kernel, k, g, h, n, alpha, direction, dense)
  exportTask<std::array<double, 5>>(
      env, exports, "lineQuartic",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        DoublesInput kernel = readDoubles(info[0], mode);
        convreg::ConvShape shape = readShape(info, 1);
        double alpha = toDouble(info[5]);
        DoublesInput direction = readDoubles(info[6], mode);
        if (info[6].As<Napi::TypedArray>().ElementLength() != static_cast<size_t>(shape.kernelSize()))
          throw Napi::RangeError::New(info.Env(), "convreg native: the direction's length does not match k*k*g*h");
        bool dense = info[7].As<Napi::Boolean>().Value();
        return [kernel = std::move(kernel), direction = std::move(direction), shape, alpha, dense] {
          return dense ? convreg::denseLineQuartic(shape, kernel.data, direction.data, alpha)
                       : convreg::structuredLineQuartic(shape, kernel.data, direction.data, alpha);
        };
      },
      quarticToJs);

  // (kernel, k, g, h, n, alpha, dense, calls, repeats) -> median ms per call; benchmarks only.
  exports.Set("timeEnginePenaltyAndGradient", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                std::vector<double> kernel = copyFloat64(info[0]);
                const double ms = convreg::timeEngineMs(readShape(info, 1), kernel.data(), toDouble(info[5]), info[6].As<Napi::Boolean>().Value(),
                                                        static_cast<int>(toInt(info[7])), static_cast<int>(toInt(info[8])));
                return Napi::Number::New(info.Env(), ms);
              }));
}

}  // namespace convreg_binding
