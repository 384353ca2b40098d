// The structured engine (docs/MATH.md, "Beyond the paper"): the penalty, its gradient and the
// exact line quartic from the kernel alone, at a cost that does not depend on N.
// Zero padding only.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "conv_shape.h"
#include "dense_engine.h"

namespace convreg {

// F = ||M^T M - alpha I||_F^2.
double structuredPenalty(const ConvShape& shape, const double* kernel, double alpha);

// F and dF/dK (HWIO, not halved).
PenaltyAndGradient structuredPenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha);
// The same, dF/dK written to `gradient` (k*k*g*h doubles, not aliasing `kernel`); returns F.
double structuredPenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha, double* gradient);

// c[0..4] with F(K + t D) = sum_i c[i] t^i for every real t.
std::array<double, 5> structuredLineQuartic(const ConvShape& shape, const double* kernel, const double* direction,
                                            double alpha);

}  // namespace convreg
