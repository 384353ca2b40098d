// Binding for the proven symbol bound on sigma_max (src/symbol_bound): symbolBound / symbolBoundAsync.
#include "../src/symbol_bound.h"
#include "convert.h"
#include "register.h"
#include "worker.h"

namespace convreg_binding {

namespace {
Napi::Object toJs(Napi::Env env, convreg::SymbolBoundResult& r) {
  Napi::Object o = Napi::Object::New(env);
  auto num = [&](const char* k, double v) { o.Set(k, Napi::Number::New(env, v)); };
  num("upper", r.upper);
  num("lower", r.lower);
  num("cells", static_cast<double>(r.cells));
  num("points", static_cast<double>(r.points));
  o.Set("converged", Napi::Boolean::New(env, r.converged));
  num("lipschitz1", r.lipschitz1);
  num("lipschitz2", r.lipschitz2);
  num("roundingMargin", r.roundingMargin);
  return o;
}
}  // namespace

void registerSymbolBound(Napi::Env env, Napi::Object exports) {
  // (kernel, k, g, h, stride, dilation, tolerance, maxCells)
  exportTask<convreg::SymbolBoundResult>(
      env, exports, "symbolBound",
      [](const Napi::CallbackInfo& info) {
        auto kernel = sharedCopy(info[0]);
        const int64_t k = toInt(info[1]), g = toInt(info[2]), h = toInt(info[3]);
        if (k < 1 || g < 1 || h < 1 || k > (1 << 10) || g > (1 << 16) || h > (1 << 16) ||
            static_cast<int64_t>(kernel->size()) != k * k * g * h)
          throw Napi::RangeError::New(info.Env(), "convreg native: the kernel's length does not match k*k*g*h");
        convreg::SymbolBoundOptions o;
        o.stride = toInt(info[4]);
        o.dilation = toInt(info[5]);
        o.tolerance = toDouble(info[6]);
        o.maxCells = toInt(info[7]);
        return std::function<convreg::SymbolBoundResult()>(
            [kernel, k, g, h, o]() { return convreg::symbolBound(k, g, h, kernel->data(), o); });
      },
      toJs);
}

}  // namespace convreg_binding
