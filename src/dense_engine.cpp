#include "dense_engine.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "blas.h"
#include "kernel_scale.h"
#include "sparse_gram.h"

namespace convreg {

namespace {

struct SmallerGram {
  GramFactor factor;
  SparseSquare gram;
  int64_t missing = 0;  // cols - side: zero eigenvalues of M^T M beyond the smaller Gram's
};

SmallerGram smallerGram(const ConvShape& shape, const double* kernel) {
  SmallerGram s;
  const SparseConvMatrix m = buildSparse(shape, kernel);
  s.factor = smallerSideFactor(m);
  s.gram = gramOf(s.factor.a);
  s.missing = m.cols - s.factor.a.rows;
  return s;
}

// From finite inputs only overflow makes a NaN (inf - inf in a Gram sum): report it as the
// overflow it is, as the dense syrk's +inf did.
double overflowAsInfinity(double f, const ConvShape& shape, const double* kernel, double alpha) {
  if (!std::isnan(f) || !std::isfinite(alpha)) return f;
  for (int64_t i = 0; i < shape.kernelSize(); ++i)
    if (!std::isfinite(kernel[i])) return f;
  return INFINITY;
}

}  // namespace

double densePenalty(const ConvShape& shape, const double* kernel, double alpha) {
  const SmallerGram s = smallerGram(shape, kernel);
  return overflowAsInfinity(shiftedFrobeniusSquared(s.gram, alpha) + alpha * alpha * static_cast<double>(s.missing),
                            shape, kernel, alpha);
}

PenaltyAndGradient densePenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha) {
  const SmallerGram s = smallerGram(shape, kernel);
  PenaltyAndGradient out;
  out.penalty = overflowAsInfinity(shiftedFrobeniusSquared(s.gram, alpha) + alpha * alpha * static_cast<double>(s.missing),
                                   shape, kernel, alpha);
  // R = M (M^T M - aI) = (M M^T - aI) M: with A the factor of the smaller Gram, R or R^T is
  // (A A^T - aI) A, read only where A (hence M) is nonzero.
  out.gradient.assign(static_cast<size_t>(shape.kernelSize()), 0.0);
  addShiftedProductOnPattern(s.gram, s.factor.a, alpha, 4.0, out.gradient.data());
  return out;
}

std::vector<double> denseSingularValues(const ConvShape& shape, const double* kernel) {
  const SparseConvMatrix sparse = buildSparse(shape, kernel);
  const int64_t rows = sparse.rows, cols = sparse.cols;
  std::vector<double> m(static_cast<size_t>(rows * cols));
  materializeDense(sparse, m.data());
  const int64_t count = std::min(rows, cols);
  std::vector<double> sigma(static_cast<size_t>(count));
  // Values only: dgesdd's bidiagonal dqds is faster than dgesvd's QR iteration, same backward error.
  const lapack_int info =
      LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', rows, cols, m.data(), cols, sigma.data(), nullptr, rows, nullptr, cols);
  if (info != 0)
    throw std::runtime_error("convreg: LAPACK dgesdd failed (info " + std::to_string(info) + ")");
  return sigma;
}

std::vector<double> gramSingularValues(const ConvShape& shape, const double* kernel) {
  // dsyevd fails on Gram matrices that over- or underflow: work on K / 2^e and scale back.
  const double scale = powerOfTwoScale(kernel, shape.kernelSize());
  const std::vector<double> scaled = scaledKernel(kernel, shape.kernelSize(), scale);
  const SmallerGram s = smallerGram(shape, scaled.data());
  const int64_t side = s.gram.order;
  std::vector<double> dense(static_cast<size_t>(side * side));
  scatterDense(s.gram, dense.data());
  std::vector<double> lambda(static_cast<size_t>(side));
  const lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', side, dense.data(), side, lambda.data());
  if (info != 0)
    throw std::runtime_error("convreg: LAPACK dsyevd failed (info " + std::to_string(info) + ")");
  std::vector<double> sigma(lambda.size());
  for (size_t i = 0; i < lambda.size(); ++i) sigma[lambda.size() - 1 - i] = scale * std::sqrt(std::max(0.0, lambda[i]));
  return sigma;
}

}  // namespace convreg
