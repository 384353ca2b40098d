// sigma_max(M) without M: Lanczos on the smaller Gram operator applied by convolutions.
#pragma once
#include "conv_shape.h"
#include "lanczos.h"

namespace convreg {

// Largest singular value of M with a residual bound. `start`, when given, has the length of
// the smaller Gram side (h n^2 when h < g, else g n^2) and warm-starts the iteration; the
// returned vector is the Ritz vector on that side.
LanczosResult sigmaMaxIterative(const ConvShape& shape, const double* kernel, const double* start, const LanczosOptions& options);

// Absolute bound on the rounding of one Gram product M^T M y (or M M^T y) for a unit y,
// and of its Rayleigh quotient: eps (k^2 (g + h) + 8) || |M| ||_2^2, with
// || |M| ||_2^2 <= ||M||_1 ||M||_inf bounded by the kernel's absolute row and column sums.
double gramRoundingBound(const ConvShape& shape, const double* kernel);

}  // namespace convreg
