#include "dense_by_definition.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "blas.h"

namespace convreg {

namespace {

struct DenseWork {
  SparseConvMatrix sparse;
  std::vector<double> m;     // rows x cols, row-major
  std::vector<double> gram;  // side x side, upper triangle valid
  int64_t side = 0;          // the smaller of rows and cols
  bool outerGram = false;    // true: gram = M M^T, false: gram = M^T M
};

DenseWork buildDense(const ConvShape& shape, const double* kernel) {
  DenseWork w;
  w.sparse = buildSparse(shape, kernel);
  w.m.resize(static_cast<size_t>(w.sparse.rows * w.sparse.cols));
  materializeDense(w.sparse, w.m.data());
  return w;
}

// Gram matrix on the smaller side: its off-identity part has the same Frobenius
// norm as the larger one's up to alpha^2 times the difference in size.
void computeGram(DenseWork& w) {
  const int64_t rows = w.sparse.rows, cols = w.sparse.cols;
  w.outerGram = rows <= cols;
  w.side = w.outerGram ? rows : cols;
  w.gram.assign(static_cast<size_t>(w.side * w.side), 0.0);
  cblas_dsyrk(CblasRowMajor, CblasUpper, w.outerGram ? CblasNoTrans : CblasTrans, w.side,
              w.outerGram ? cols : rows, 1.0, w.m.data(), cols, 0.0, w.gram.data(), w.side);
}

// Subtract alpha I from the Gram matrix and return ||M^T M - alpha I||_F^2.
double shiftAndPenalty(DenseWork& w, double alpha) {
  double sum = 0;
  for (int64_t i = 0; i < w.side; ++i) {
    double* rowPtr = w.gram.data() + i * w.side;
    rowPtr[i] -= alpha;
    sum += rowPtr[i] * rowPtr[i];
    double off = 0;
    for (int64_t j = i + 1; j < w.side; ++j) off += rowPtr[j] * rowPtr[j];
    sum += 2 * off;
  }
  const double missing = static_cast<double>(w.sparse.cols - w.side);  // zero eigenvalues of M^T M
  return sum + alpha * alpha * missing;
}

}  // namespace

double densePenaltyByDefinition(const ConvShape& shape, const double* kernel, double alpha) {
  DenseWork w = buildDense(shape, kernel);
  computeGram(w);
  return shiftAndPenalty(w, alpha);
}

PenaltyAndGradient densePenaltyAndGradientByDefinition(const ConvShape& shape, const double* kernel, double alpha) {
  DenseWork w = buildDense(shape, kernel);
  computeGram(w);
  PenaltyAndGradient out;
  out.penalty = shiftAndPenalty(w, alpha);
  // R = M (M^T M - aI) = (M M^T - aI) M: multiply by the shifted Gram on its own side.
  const int64_t rows = w.sparse.rows, cols = w.sparse.cols;
  std::vector<double> r(static_cast<size_t>(rows * cols));
  cblas_dsymm(CblasRowMajor, w.outerGram ? CblasLeft : CblasRight, CblasUpper, rows, cols, 1.0,
              w.gram.data(), w.side, w.m.data(), cols, 0.0, r.data(), cols);
  out.gradient.assign(static_cast<size_t>(shape.kernelSize()), 0.0);
  const SparseConvMatrix& s = w.sparse;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t z = s.rowStart[i]; z < s.rowStart[i + 1]; ++z)
      out.gradient[s.entry[z]] += 4.0 * r[i * cols + s.column[z]];
  return out;
}

std::vector<double> denseSingularValuesByDefinition(const ConvShape& shape, const double* kernel) {
  DenseWork w = buildDense(shape, kernel);
  const int64_t rows = w.sparse.rows, cols = w.sparse.cols;
  const int64_t count = std::min(rows, cols);
  std::vector<double> sigma(static_cast<size_t>(count));
  std::vector<double> superb(static_cast<size_t>(std::max<int64_t>(1, count - 1)));
  const lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', rows, cols, w.m.data(), cols,
                                         sigma.data(), nullptr, 1, nullptr, 1, superb.data());
  if (info != 0)
    throw std::runtime_error("convreg: LAPACK dgesvd failed (info " + std::to_string(info) + ")");
  return sigma;
}

}  // namespace convreg
