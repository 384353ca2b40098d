// The 2-norm penalty of the paper's reference [7]: ||B||_2 with B the smaller Gram matrix of M
// minus alpha I, from a warm-started power method, and its kernel gradient by the chain rule.
#pragma once
#include <cstdint>
#include <vector>

#include "conv_shape.h"

namespace convreg {

// The Gram matrix on the smaller side: M M^T (h n^2 square) when h < g, else M^T M (g n^2).
// (For h == g both have the same spectrum; M^T M is used.)
inline bool spectralOnOutputs(const ConvShape& s) { return s.h < s.g; }
inline int64_t spectralSide(const ConvShape& s) { return spectralOnOutputs(s) ? s.rows() : s.cols(); }

struct SpectralResult {
  double eigenvalue = 0;         // lambda = v^T B v for the unit vector v after the power steps
  double residual = 0;           // ||B v - lambda v||: zero exactly when v is an eigenvector
  std::vector<double> gradient;  // d|v^T B v|/dK with v held fixed, HWIO (the chain rule of docs/MATH.md)
  std::vector<double> next;      // B v / ||B v||: the start vector of the next call (warm start)
};

// `steps` >= 1 products with B: v_0 = start / ||start|| (or a fixed pseudo-random vector when
// `start` is null), v_{i+1} = B v_i / ||B v_i||; the last product gives lambda, the residual and
// `next`. The gradient is 2 sign(lambda) sum over Omega of [v (M^T v)^T]_ij on the output side,
// [(M v) v^T]_ij on the input side; at an eigenvector it is the gradient of the eigenvalue's magnitude.

// Reference: M materialized, products by dgemv, the gradient summed over Omega from the CSR M.
SpectralResult spectralDense(const ConvShape& shape, const double* kernel, double alpha, const double* start, int64_t steps);

// Matrix-free: products as convolutions (ConvOperator, one gemm per tap), the gradient as a
// correlation of the two vectors (one gemm per tap). Zero padding only.
SpectralResult spectralMatrixFree(const ConvShape& shape, const double* kernel, double alpha, const double* start, int64_t steps);

// Fixed pseudo-random unit vector of the given length (the default start).
std::vector<double> defaultStartVector(int64_t length);

}  // namespace convreg
