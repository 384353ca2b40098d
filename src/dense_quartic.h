// The line quartic F(K + t D) = sum c_i t^i from the dense M(K) and M(D): the dense
// reference for the structured engine's coefficients.
#pragma once
#include <array>

#include "conv_shape.h"

namespace convreg {

std::array<double, 5> denseLineQuartic(const ConvShape& shape, const double* kernel, const double* direction,
                                       double alpha);

}  // namespace convreg
