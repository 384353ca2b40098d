// A convolution layer beyond the paper's: stride, SAME ("zero") or VALID padding, dilation,
// a non-square H x W input, and the transposed convolution (the adjoint, same singular values).
// Semantics as TensorFlow computes them (/work/shared/paper/LAYERS.md, MATH.md section 8).
#pragma once
#include <cstdint>

namespace convreg {

enum class LayerPadding { Same,
                          Valid };

struct LayerSpec {
  int64_t k, g, h;        // kernel k x k x g x h (HWIO)
  int64_t height, width;  // input H x W
  int64_t stride = 1;
  int64_t dilation = 1;
  LayerPadding padding = LayerPadding::Same;
  bool transposed = false;  // the layer's M is the forward M^T

  int64_t effectiveK() const { return dilation * (k - 1) + 1; }
};

// One spatial axis of the forward convolution: output position r, tap p reads input
// r * stride - padBefore + p * dilation, when that lies in [0, in).
struct LayerAxis {
  int64_t in, out, padBefore, stride, dilation, k;
  int64_t input(int64_t r, int64_t p) const { return r * stride - padBefore + p * dilation; }
};

// Throws std::invalid_argument when the spec has no output (VALID with input < effective k) or
// a nonpositive field.
LayerAxis layerAxis(const LayerSpec& spec, int64_t in);

}  // namespace convreg
