// Binding for the layer engine (src/layer_engine): strided, VALID, dilated, non-square and
// transposed layers. Arguments: (kernel, k, g, h, height, width, stride, dilation, valid,
// transposed, alpha[, direction]).
#include <array>

#include "../src/grouped_penalty.h"
#include "../src/layer_engine.h"
#include "convert.h"
#include "layer_args.h"
#include "penalty_gradient.h"
#include "register.h"
#include "worker.h"

namespace convreg_binding {

// TypeScript has validated the spec; this re-checks what memory safety rests on.
convreg::LayerSpec readLayerSpec(const Napi::CallbackInfo& info, int64_t groups) {
  for (size_t i = 1; i <= 7; ++i)
    if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "convreg native: expected integer layer sizes");
  convreg::LayerSpec s{toInt(info[1]), toInt(info[2]), toInt(info[3]), toInt(info[4]), toInt(info[5])};
  s.stride = toInt(info[6]);
  s.dilation = toInt(info[7]);
  s.padding = info[8].As<Napi::Boolean>().Value() ? convreg::LayerPadding::Valid : convreg::LayerPadding::Same;
  s.transposed = info[9].As<Napi::Boolean>().Value();
  const int64_t big = int64_t{1} << 20;
  if (s.k < 1 || s.g < 1 || s.h < 1 || s.height < 1 || s.width < 1 || s.stride < 1 || s.dilation < 1 || s.k > (1 << 10) ||
      s.g > (1 << 16) || s.h > (1 << 16) || s.height > big || s.width > big || s.stride > big || s.dilation > big)
    throw Napi::RangeError::New(info.Env(), "convreg native: layer sizes out of range");
  if (static_cast<int64_t>(info[0].As<Napi::TypedArray>().ElementLength()) != s.k * s.k * s.g * s.h * groups)
    throw Napi::RangeError::New(info.Env(), "convreg native: the kernel's length does not match k*k*g*h");
  return s;
}

void registerLayer(Napi::Env env, Napi::Object exports) {
  exportTask<double>(
      env, exports, "layerPenalty",
      [](const Napi::CallbackInfo& info) {
        SharedDoubles kernel = sharedCopy(info[0]);
        const convreg::LayerSpec spec = readLayerSpec(info);
        const double alpha = toDouble(info[10]);
        return std::function<double()>([=] { return convreg::layerPenalty(spec, kernel->data(), alpha); });
      },
      [](Napi::Env env, double& f) -> Napi::Value { return Napi::Number::New(env, f); });

  // (..., alpha, gradient) -> F, dF/dK written into `gradient`
  exportTask<FilledPenalty>(
      env, exports, "layerPenaltyAndGradient",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        SharedDoubles kernel = sharedCopy(info[0]);
        const convreg::LayerSpec spec = readLayerSpec(info);
        const double alpha = toDouble(info[10]);
        DoublesOutput gradient(info[11], kernel->size(), mode);
        return std::function<FilledPenalty()>(
            [=] { return fillGradient(convreg::layerPenaltyAndGradient(spec, kernel->data(), alpha), gradient); });
      },
      filledPenaltyToJs);

  // (kernel, k, g, h, height, width, stride, dilation, valid, transposed, alpha, groups, gradient):
  // k, g, h one group's; the kernel and gradient the layer's (groups * k*k*g*h entries).
  exportTask<FilledPenalty>(
      env, exports, "groupedLayerPenaltyAndGradient",
      [](const Napi::CallbackInfo& info, InputMode mode) {
        if (!info[11].IsNumber()) throw Napi::TypeError::New(info.Env(), "convreg native: expected an integer groups");
        const int64_t groups = toInt(info[11]);
        if (groups < 1 || groups > (1 << 20)) throw Napi::RangeError::New(info.Env(), "convreg native: groups out of range");
        const convreg::LayerSpec spec = readLayerSpec(info, groups);
        DoublesInput kernel = readDoubles(info[0], mode);
        const double alpha = toDouble(info[10]);
        DoublesOutput gradient(info[12], static_cast<size_t>(spec.k * spec.k * spec.g * spec.h * groups), mode);
        return [kernel = std::move(kernel), spec, alpha, groups, gradient = std::move(gradient)] {
          return FilledPenalty{convreg::groupedLayerPenaltyAndGradient(spec, groups, kernel.data, alpha, gradient.data()), gradient};
        };
      },
      filledPenaltyToJs);

  exportTask<std::array<double, 5>>(
      env, exports, "layerLineQuartic",
      [](const Napi::CallbackInfo& info) {
        SharedDoubles kernel = sharedCopy(info[0]);
        const convreg::LayerSpec spec = readLayerSpec(info);
        const double alpha = toDouble(info[10]);
        SharedDoubles direction = sharedCopy(info[11]);
        if (direction->size() != kernel->size())
          throw Napi::RangeError::New(info.Env(), "convreg native: the direction's length does not match the kernel's");
        return std::function<std::array<double, 5>()>(
            [=] { return convreg::layerLineQuartic(spec, kernel->data(), direction->data(), alpha); });
      },
      [](Napi::Env env, std::array<double, 5>& c) -> Napi::Value {
        return toFloat64Array(env, std::vector<double>(c.begin(), c.end()));
      });
}

}  // namespace convreg_binding
