#include "layer_matrix.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "blas.h"
#include "kernel_scale.h"
#include "sparse_gram.h"

namespace convreg {

namespace {

// Output positions r in [0, out) whose tap p lands inside [0, in).
int64_t validPositions(const LayerAxis& a, int64_t p) {
  const int64_t shift = p * a.dilation - a.padBefore;  // input = r s + shift
  auto floorDiv = [](int64_t x, int64_t y) { return x >= 0 ? x / y : -((-x + y - 1) / y); };
  const int64_t first = std::max<int64_t>(0, floorDiv(-shift + a.stride - 1, a.stride));
  const int64_t last = std::min(a.out - 1, floorDiv(a.in - 1 - shift, a.stride));
  return std::max<int64_t>(0, last - first + 1);
}

SparseConvMatrix buildForward(const LayerSpec& spec, const double* kernel) {
  const LayerAxis ax = layerAxis(spec, spec.height), ay = layerAxis(spec, spec.width);
  const int64_t k = spec.k, g = spec.g, h = spec.h, hw = spec.height * spec.width;
  SparseConvMatrix m;
  m.rows = h * ax.out * ay.out;
  m.cols = g * hw;
  const int64_t nnz = layerNonzeros(spec);
  m.rowStart.reserve(static_cast<size_t>(m.rows + 1));
  m.column.reserve(static_cast<size_t>(nnz));
  m.entry.reserve(static_cast<size_t>(nnz));
  m.value.reserve(static_cast<size_t>(nnz));
  m.rowStart.push_back(0);
  for (int64_t o = 0; o < h; ++o)
    for (int64_t r = 0; r < ax.out; ++r)
      for (int64_t c = 0; c < ay.out; ++c) {
        // Channel, then tap row, then tap column: columns ascend within the row.
        for (int64_t i = 0; i < g; ++i)
          for (int64_t p = 0; p < k; ++p) {
            const int64_t x = ax.input(r, p);
            if (x < 0 || x >= spec.height) continue;
            for (int64_t q = 0; q < k; ++q) {
              const int64_t y = ay.input(c, q);
              if (y < 0 || y >= spec.width) continue;
              const int64_t e = ((p * k + q) * g + i) * h + o;
              m.column.push_back(i * hw + x * spec.width + y);
              m.entry.push_back(e);
              m.value.push_back(kernel[e]);
            }
          }
        m.rowStart.push_back(static_cast<int64_t>(m.column.size()));
      }
  return m;
}

}  // namespace

int64_t layerNonzeros(const LayerSpec& spec) {
  const LayerAxis ax = layerAxis(spec, spec.height), ay = layerAxis(spec, spec.width);
  int64_t perX = 0, perY = 0;
  for (int64_t p = 0; p < spec.k; ++p) {
    perX += validPositions(ax, p);
    perY += validPositions(ay, p);
  }
  return perX * perY * spec.g * spec.h;
}

SparseConvMatrix buildLayerSparse(const LayerSpec& spec, const double* kernel) {
  SparseConvMatrix forward = buildForward(spec, kernel);
  return spec.transposed ? transposeOf(forward) : forward;
}

std::vector<double> layerDenseMatrix(const LayerSpec& spec, const double* kernel) {
  const SparseConvMatrix m = buildLayerSparse(spec, kernel);
  std::vector<double> dense(static_cast<size_t>(m.rows * m.cols));
  materializeDense(m, dense.data());
  return dense;
}

std::vector<double> layerSingularValues(const LayerSpec& spec, const double* kernel, bool viaGram) {
  // M and M^T have the same singular values: work on the forward M.
  LayerSpec forward = spec;
  forward.transposed = false;
  const int64_t size = spec.k * spec.k * spec.g * spec.h;
  if (!viaGram) {
    const SparseConvMatrix m = buildForward(forward, kernel);
    const int64_t rows = m.rows, cols = m.cols;
    std::vector<double> dense(static_cast<size_t>(rows * cols));
    materializeDense(m, dense.data());
    std::vector<double> sigma(static_cast<size_t>(std::min(rows, cols)));
    const lapack_int info =
        LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', rows, cols, dense.data(), cols, sigma.data(), nullptr, rows, nullptr, cols);
    if (info != 0) throw std::runtime_error("convreg: LAPACK dgesdd failed (info " + std::to_string(info) + ")");
    return sigma;
  }
  // dsyevd fails on Gram matrices that over- or underflow: work on K / 2^e and scale back.
  const double scale = powerOfTwoScale(kernel, size);
  const std::vector<double> scaled = scaledKernel(kernel, size, scale);
  const GramFactor factor = smallerSideFactor(buildForward(forward, scaled.data()));
  const SparseSquare gram = gramOf(factor.a);
  const int64_t side = gram.order;
  std::vector<double> dense(static_cast<size_t>(side * side));
  scatterDense(gram, dense.data());
  std::vector<double> lambda(static_cast<size_t>(side));
  const lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', side, dense.data(), side, lambda.data());
  if (info != 0) throw std::runtime_error("convreg: LAPACK dsyevd failed (info " + std::to_string(info) + ")");
  std::vector<double> sigma(lambda.size());
  for (size_t i = 0; i < lambda.size(); ++i) sigma[lambda.size() - 1 - i] = scale * std::sqrt(std::max(0.0, lambda[i]));
  return sigma;
}

}  // namespace convreg
