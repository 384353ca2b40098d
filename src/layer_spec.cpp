#include "layer_spec.h"

#include <algorithm>
#include <stdexcept>

namespace convreg {

LayerAxis layerAxis(const LayerSpec& spec, int64_t in) {
  if (spec.k < 1 || spec.g < 1 || spec.h < 1 || in < 1 || spec.stride < 1 || spec.dilation < 1)
    throw std::invalid_argument("convreg: k, g, h, H, W, stride and dilation must all be >= 1");
  const int64_t ke = spec.effectiveK(), s = spec.stride;
  if (spec.padding == LayerPadding::Valid) {
    if (in < ke) throw std::invalid_argument("convreg: VALID padding needs an input at least the effective kernel size");
    return LayerAxis{in, (in - ke) / s + 1, 0, s, spec.dilation, spec.k};
  }
  const int64_t out = (in + s - 1) / s;
  const int64_t total = std::max<int64_t>((out - 1) * s + ke - in, 0);
  return LayerAxis{in, out, total / 2, s, spec.dilation, spec.k};
}

}  // namespace convreg
