// The layer arguments (kernel, k, g, h, height, width, stride, dilation, valid, transposed)
// at info[0..9], read by every layer binding (layer.cpp).
#pragma once
#include <napi.h>

#include "../src/layer_spec.h"

namespace convreg_binding {
// `groups`: the kernel holds that many k*k*g*h kernels side by side (a grouped layer; k, g, h one group's).
convreg::LayerSpec readLayerSpec(const Napi::CallbackInfo& info, int64_t groups = 1);
}  // namespace convreg_binding
