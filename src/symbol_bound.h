// A proven upper bound on sigma_max of the zero-padded M at every N (docs/MATH.md, "A proven
// upper bound on sigma_max at any N"). M_N is a compression of the bi-infinite convolution,
// whose norm is the supremum over the torus of sigma_max of the kernel's (polyphase) symbol.
// Branch and bound over dyadic cells of the torus bounds that supremum from above, with a
// second-order Taylor bound per cell and a worst-case rounding margin per evaluated point.
#pragma once
#include <cstdint>

namespace convreg {

struct SymbolBoundOptions {
  int64_t stride = 1;
  int64_t dilation = 1;
  // Stop when upper - lower <= tolerance * lower.
  double tolerance = 1e-3;
  // Cap on the cells examined; when reached the result is still a valid bound (converged = false).
  int64_t maxCells = 100000;
};

struct SymbolBoundResult {
  // sup over the torus of sigma_max(A(w)) <= upper (proven, rounding included).
  double upper = 0;
  // A value sigma_max(A(w)) at a sampled point, minus its rounding margin: <= the supremum.
  double lower = 0;
  int64_t cells = 0;
  int64_t points = 0;
  bool converged = false;
  // L1 = sum_t ||K_t||_2 ||v_t||_1 and L2 = sum_t ||K_t||_2 ||v_t||_1^2 (centred offsets v_t).
  double lipschitz1 = 0;
  double lipschitz2 = 0;
  // The largest rounding margin added to a computed sigma_max.
  double roundingMargin = 0;
};

// Kernel in HWIO order, k x k x g x h. Throws CodedError on invalid sizes.
SymbolBoundResult symbolBound(int64_t k, int64_t g, int64_t h, const double* kernel, const SymbolBoundOptions& options);

// sigma_max of the (polyphase) symbol at one point w, as computed (no margin). For tests.
double symbolSigmaMax(int64_t k, int64_t g, int64_t h, const double* kernel, int64_t stride, int64_t dilation,
                      double w1, double w2);

}  // namespace convreg
