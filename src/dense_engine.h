// The paper's dense reference engine: M materialized, Gram matrix by syrk, penalty,
// Theorem 3.1 gradient and the full singular value spectrum.
#pragma once
#include <vector>

#include "conv_matrix.h"

namespace convreg {

struct PenaltyAndGradient {
  double penalty = 0;
  std::vector<double> gradient;  // dF/dK in HWIO order (not halved)
};

// F = ||M^T M - alpha I||_F^2 computed from dense M.
double densePenalty(const ConvShape& shape, const double* kernel, double alpha);

// F and dF/dK = 4 * sum over Omega of [M (M^T M - alpha I)]_ij.
PenaltyAndGradient densePenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha);

// All min(rows, cols) singular values of M, descending, by LAPACK dgesvd.
std::vector<double> denseSingularValues(const ConvShape& shape, const double* kernel);

// The same values as sqrt of the eigenvalues of the smaller Gram matrix (dsyevd): faster,
// but values below about sqrt(eps) * sigma_max lose relative accuracy.
std::vector<double> gramSingularValues(const ConvShape& shape, const double* kernel);

}  // namespace convreg
