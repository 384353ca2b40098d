// F and dF/dK of a grouped (or depthwise) layer in one call: M is block diagonal over the groups,
// so F is the sum of the groups' F and dF/dK is the groups' gradients in the layer's layout
// (lib/core/groups.ts). One native call instead of one per group: a depthwise kernel of C
// channels has C groups, each a tiny structured-engine call.
#pragma once
#include <cstdint>

#include "conv_shape.h"
#include "layer_spec.h"

namespace convreg {

// The layer kernel is [k, k, g, groups * h] (HWIO; `group` is the shape of one group's kernel
// [k, k, g, h]; a depthwise [k, k, C, m] kernel is read as g = 1, h = m, groups = C). Group j
// owns, at every row (tap, input channel), the output columns j h .. j h + h - 1. Writes dF/dK
// into `gradient` (the layer kernel's length, not aliasing `kernel`); returns F. Structured
// engine, zero padding, unit stride.
double groupedStructuredPenaltyAndGradient(const ConvShape& group, int64_t groups, const double* kernel, double alpha,
                                           double* gradient);

// The same by the layer engine (strides, VALID, dilation, H x W, transposed): `group` is one
// group's layer (k, g, h of one group's kernel).
double groupedLayerPenaltyAndGradient(const LayerSpec& group, int64_t groups, const double* kernel, double alpha,
                                      double* gradient);

}  // namespace convreg
