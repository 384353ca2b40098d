#include "two_norm_penalty.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "blas.h"
#include "conv_matrix.h"
#include "conv_operator.h"
#include "kernel_correlation.h"

namespace convreg {

std::vector<double> defaultStartVector(int64_t length) {
  // splitmix64: the same vector on every platform (std distributions are not specified exactly).
  std::vector<double> v(static_cast<size_t>(length));
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (auto& x : v) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    x = static_cast<double>(z >> 11) * 0x1.0p-53 * 2.0 - 1.0;
  }
  return v;
}

namespace internal {

// The power method shared by the engines. `gram(v, other, out)` writes the middle product
// (M^T v on the output side, M v on the input side) to `other` and the Gram product to `out`.
struct PowerState {
  std::vector<double> v, other, next;
  double eigenvalue = 0, residual = 0;
};

PowerState powerSteps(int64_t side, int64_t otherSize, double alpha, const double* start, int64_t steps,
                      const std::function<void(const double*, double*, double*)>& gram) {
  if (steps < 1) throw std::invalid_argument("convreg: powerSteps must be >= 1");
  PowerState st;
  st.v = start ? std::vector<double>(start, start + side) : defaultStartVector(side);
  st.other.assign(static_cast<size_t>(otherSize), 0.0);
  st.next.assign(static_cast<size_t>(side), 0.0);
  double norm = cblas_dnrm2(side, st.v.data(), 1);
  if (!(norm > 0) || !std::isfinite(norm)) throw std::invalid_argument("convreg: the start vector must be finite and nonzero");
  cblas_dscal(side, 1.0 / norm, st.v.data(), 1);
  for (int64_t i = 0; i < steps; ++i) {
    gram(st.v.data(), st.other.data(), st.next.data());
    cblas_daxpy(side, -alpha, st.v.data(), 1, st.next.data(), 1);  // B v = G v - alpha v
    norm = cblas_dnrm2(side, st.next.data(), 1);
    if (i + 1 == steps) break;
    if (!(norm > 0)) break;  // B v = 0: v is an eigenvector with eigenvalue 0
    cblas_dscal(side, 1.0 / norm, st.next.data(), 1);
    st.v.swap(st.next);
  }
  st.eigenvalue = cblas_ddot(side, st.v.data(), 1, st.next.data(), 1);
  // ||B v - lambda v|| directly (sqrt(||Bv||^2 - lambda^2) cancels badly near convergence).
  double residual2 = 0;
  for (int64_t i = 0; i < side; ++i) {
    const double d = st.next[i] - st.eigenvalue * st.v[i];
    residual2 += d * d;
  }
  st.residual = std::sqrt(residual2);
  if (norm > 0)
    cblas_dscal(side, 1.0 / norm, st.next.data(), 1);
  else
    st.next = st.v;
  return st;
}

}  // namespace internal

SpectralResult spectralDense(const ConvShape& shape, const double* kernel, double alpha, const double* start, int64_t steps) {
  requireValidShape(shape);
  const SparseConvMatrix sparse = buildSparse(shape, kernel);
  const int64_t rows = sparse.rows, cols = sparse.cols;
  std::vector<double> m(static_cast<size_t>(rows * cols));
  materializeDense(sparse, m.data());
  const bool outputs = spectralOnOutputs(shape);
  const int64_t side = outputs ? rows : cols, otherSize = outputs ? cols : rows;
  const auto gram = [&](const double* v, double* other, double* out) {
    // outputs: other = M^T v, out = M other; inputs: other = M v, out = M^T other.
    cblas_dgemv(CblasRowMajor, outputs ? CblasTrans : CblasNoTrans, rows, cols, 1.0, m.data(), cols, v, 1, 0.0, other, 1);
    cblas_dgemv(CblasRowMajor, outputs ? CblasNoTrans : CblasTrans, rows, cols, 1.0, m.data(), cols, other, 1, 0.0, out, 1);
  };
  internal::PowerState st = internal::powerSteps(side, otherSize, alpha, start, steps, gram);
  SpectralResult out;
  out.eigenvalue = st.eigenvalue;
  out.residual = st.residual;
  out.next = std::move(st.next);
  out.gradient.assign(static_cast<size_t>(shape.kernelSize()), 0.0);
  const double sign = st.eigenvalue > 0 ? 1.0 : (st.eigenvalue < 0 ? -1.0 : 0.0);
  // d lambda / dM = 2 v (M^T v)^T (outputs) or 2 (M v) v^T (inputs); summed over Omega.
  const double* left = outputs ? st.v.data() : st.other.data();   // indexed by rows
  const double* right = outputs ? st.other.data() : st.v.data();  // indexed by columns
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t z = sparse.rowStart[i]; z < sparse.rowStart[i + 1]; ++z)
      out.gradient[sparse.entry[z]] += 2.0 * sign * left[i] * right[sparse.column[z]];
  return out;
}

SpectralResult spectralMatrixFree(const ConvShape& shape, const double* kernel, double alpha, const double* start, int64_t steps) {
  requireValidShape(shape);
  if (shape.padding != Padding::Zero) throw std::invalid_argument("convreg: the 2-norm penalty supports zero padding only");
  ConvOperator op(shape, kernel);
  const bool outputs = spectralOnOutputs(shape);
  const int64_t side = outputs ? shape.rows() : shape.cols(), otherSize = outputs ? shape.cols() : shape.rows();
  const auto gram = [&](const double* v, double* other, double* out) {
    if (outputs) {
      op.applyTranspose(v, other, 1);
      op.apply(other, out, 1);
    } else {
      op.apply(v, other, 1);
      op.applyTranspose(other, out, 1);
    }
  };
  internal::PowerState st = internal::powerSteps(side, otherSize, alpha, start, steps, gram);
  SpectralResult out;
  out.eigenvalue = st.eigenvalue;
  out.residual = st.residual;
  out.next = std::move(st.next);
  out.gradient.assign(static_cast<size_t>(shape.kernelSize()), 0.0);
  const double sign = st.eigenvalue > 0 ? 1.0 : (st.eigenvalue < 0 ? -1.0 : 0.0);
  if (sign != 0)
    addBilinearKernelGradient(shape, outputs ? st.v.data() : st.other.data(), outputs ? st.other.data() : st.v.data(), 2.0 * sign,
                              out.gradient.data());
  return out;
}

}  // namespace convreg
