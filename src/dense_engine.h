// The dense engine: the penalty and Theorem 3.1 gradient from M's nonzeros (sparse Gram of the
// smaller side, product read on M's pattern; dense_by_definition.h keeps the literal dense
// construction) and the full singular value spectrum of the materialized M.
#pragma once
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <vector>

#include "conv_matrix.h"

namespace convreg {

struct PenaltyAndGradient {
  double penalty = 0;
  std::vector<double> gradient;  // dF/dK in HWIO order (not halved)
};

// F = ||M^T M - alpha I||_F^2 from the sparse smaller Gram matrix.
double densePenalty(const ConvShape& shape, const double* kernel, double alpha);

// F and dF/dK = 4 * sum over Omega of [M (M^T M - alpha I)]_ij.
PenaltyAndGradient densePenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha);

// All min(rows, cols) singular values of M, descending, by LAPACK dgesdd on the dense M.
std::vector<double> denseSingularValues(const ConvShape& shape, const double* kernel);

// The same values as sqrt of the eigenvalues of the smaller Gram matrix (built sparse, then
// dsyevd; no dense M): faster, but each value errs by up to about delta / sigma_i with
// delta = side * eps * sigma_max^2, so values below sqrt(eps) * sigma_max lose relative accuracy.
std::vector<double> gramSingularValues(const ConvShape& shape, const double* kernel);

// The error bound stated for one value of gramSingularValues: the Gram eigenvalues err by at
// most delta = side * eps * sigma_max^2 (backward-stable dsyevd plus the Gram's rounding, the
// bound the optimizer uses), and |sqrt(a) - sqrt(b)| <= min(sqrt|a - b|, |a - b| / sqrt(a)).
inline double gramSingularValueError(double sigma, double sigmaMax, int64_t side) {
  const double delta = static_cast<double>(side) * DBL_EPSILON * sigmaMax * sigmaMax;
  return sigma > 0 ? std::min(std::sqrt(delta), delta / sigma) : std::sqrt(delta);
}

}  // namespace convreg
