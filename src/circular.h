// Circular padding: M is block circulant with circulant blocks, so the 2-D DFT
// block-diagonalizes it (Sedghi, Gupta and Long, ICLR 2019). Per frequency f the
// g x h matrix A_f = sum_t K_t exp(+2 pi i <f, t> / N) (t the tap offset, K_t the
// g x h slice of tap t) is, up to transposition and unitary changes of basis, the
// diagonal block of M at f. Everything here costs O(N^2 (k g h + min(g,h)^2 max(g,h))).
#pragma once
#include <array>
#include <vector>

#include "conv_shape.h"
#include "dense_engine.h"

namespace convreg {

// All min(g, h) N^2 singular values of the circular M, descending (zgesvd per frequency).
std::vector<double> circularSingularValues(const ConvShape& shape, const double* kernel);

// F = ||M^T M - alpha I||_F^2 for the circular M.
double circularPenalty(const ConvShape& shape, const double* kernel, double alpha);

// F and dF/dK (HWIO, not halved) for the circular M.
PenaltyAndGradient circularPenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha);

// The coefficients c of F(K + t D) = c0 + c1 t + ... + c4 t^4 for the circular M.
std::array<double, 5> circularLineQuartic(const ConvShape& shape, const double* kernel, const double* direction,
                                          double alpha);

}  // namespace convreg
