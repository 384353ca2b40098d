#include "dense_quartic.h"

#include <vector>

#include "blas.h"
#include "conv_matrix.h"

namespace convreg {

namespace {

std::vector<double> denseM(const ConvShape& shape, const double* kernel) {
  const SparseConvMatrix sparse = buildSparse(shape, kernel);
  std::vector<double> m(static_cast<size_t>(sparse.rows * sparse.cols));
  materializeDense(sparse, m.data());
  return m;
}

double dot(const std::vector<double>& x, const std::vector<double>& y) {
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += x[i] * y[i];
  return sum;
}

}  // namespace

std::array<double, 5> denseLineQuartic(const ConvShape& shape, const double* kernel, const double* direction,
                                       double alpha) {
  const std::vector<double> mk = denseM(shape, kernel), md = denseM(shape, direction);
  const int64_t rows = shape.rows(), cols = shape.cols();
  // Products on the smaller side: X Y^T (rows <= cols) or X^T Y.
  const bool outer = rows <= cols;
  const int64_t side = outer ? rows : cols, inner = outer ? cols : rows;
  auto product = [&](const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> out(static_cast<size_t>(side * side));
    cblas_dgemm(CblasRowMajor, outer ? CblasNoTrans : CblasTrans, outer ? CblasTrans : CblasNoTrans, side, side, inner,
                1.0, x.data(), cols, y.data(), cols, 0.0, out.data(), side);
    return out;
  };
  // Gram(K + tD) - alpha I = x0 + t x1 + t^2 x2.
  std::vector<double> x0 = product(mk, mk), x1 = product(mk, md), x2 = product(md, md);
  for (int64_t i = 0; i < side; ++i) x0[i * side + i] -= alpha;
  for (int64_t i = 0; i < side; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      const double v = x1[i * side + j] + x1[j * side + i];
      x1[i * side + j] = v;
      x1[j * side + i] = v;
    }
  const double missing = alpha * alpha * static_cast<double>(cols - side);
  return {dot(x0, x0) + missing, 2 * dot(x0, x1), dot(x1, x1) + 2 * dot(x0, x2), 2 * dot(x1, x2), dot(x2, x2)};
}

}  // namespace convreg
