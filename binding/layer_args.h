// The layer arguments (kernel, k, g, h, height, width, stride, dilation, valid, transposed)
// at info[0..9], read by every layer binding (layer.cpp).
#pragma once
#include <napi.h>

#include "../src/layer_spec.h"

namespace convreg_binding {
convreg::LayerSpec readLayerSpec(const Napi::CallbackInfo& info);
}  // namespace convreg_binding
