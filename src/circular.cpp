#include "circular.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include "blas.h"
#include "kernel_scale.h"

namespace convreg {

namespace {

using cd = std::complex<double>;
const double kTwoPi = 6.283185307179586476925286766559;

// |z|^2 without the hypot that std::norm may use.
inline double squared(cd z) { return z.real() * z.real() + z.imag() * z.imag(); }

// The kernel's DFT on the half plane f2 = 0..n/2 (the rest are complex conjugates:
// A_{-f} = conj(A_f) because K is real), one row f1 at a time so that memory stays O(k n g h)
// instead of O(n^2 g h). Block f2 of a row is A_f, g x h row-major.
class HalfSpectrum {
 public:
  HalfSpectrum(const ConvShape& s, const double* kernel)
      : n_(s.n), k_(s.k), half_(s.n / 2 + 1), gh_(s.g * s.h), w_(phases(s)), c_(static_cast<size_t>(s.k * half_ * gh_)) {
    // c[p] = W[0..half) (half x k) * K[p] (k x gh): the DFT along q of tap row p.
    std::vector<cd> kc(kernel, kernel + s.kernelSize());
    const cd one(1, 0), zero(0, 0);
    for (int64_t p = 0; p < k_; ++p)
      cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, half_, gh_, k_, &one, w_.data(), k_,
                  kc.data() + p * k_ * gh_, gh_, &zero, c_.data() + p * rowSize(), gh_);
  }

  int64_t half() const { return half_; }
  int64_t rowSize() const { return half_ * gh_; }
  // How many full-plane frequencies the half-plane frequency column f2 stands for.
  double weight(int64_t f2) const { return (f2 == 0 || 2 * f2 == n_) ? 1.0 : 2.0; }

  // out (half x gh) = row f1 of the spectrum = sum_p w[f1, p] c[p].
  void row(int64_t f1, cd* out) const {
    std::fill(out, out + rowSize(), cd(0, 0));
    for (int64_t p = 0; p < k_; ++p) cblas_zaxpy(rowSize(), &w_[f1 * k_ + p], c_.data() + p * rowSize(), 1, out, 1);
  }

  // Adjoint of row(): d[p] += conj(w[f1, p]) * in, for every p (d is k x half x gh).
  void addRowAdjoint(int64_t f1, const cd* in, cd* d) const {
    for (int64_t p = 0; p < k_; ++p) {
      const cd factor = std::conj(w_[f1 * k_ + p]);
      cblas_zaxpy(rowSize(), &factor, in, 1, d + p * rowSize(), 1);
    }
  }

  // Adjoint of the constructor's DFT along q, real part: grad[p] = Re( W[0..half)^H d[p] ).
  std::vector<double> kernelAdjoint(const std::vector<cd>& d) const {
    const cd one(1, 0), zero(0, 0);
    std::vector<cd> gp(static_cast<size_t>(k_ * gh_));
    std::vector<double> grad(static_cast<size_t>(k_ * k_ * gh_));
    for (int64_t p = 0; p < k_; ++p) {
      cblas_zgemm(CblasRowMajor, CblasConjTrans, CblasNoTrans, k_, gh_, half_, &one, w_.data(), k_,
                  d.data() + p * rowSize(), gh_, &zero, gp.data(), gh_);
      for (int64_t i = 0; i < k_ * gh_; ++i) grad[p * k_ * gh_ + i] = gp[i].real();
    }
    return grad;
  }

 private:
  static std::vector<cd> phases(const ConvShape& s) {
    // w[f * k + p] = exp(+2 pi i f offset(p) / n), with f * offset reduced mod n in integers
    // so that the angle stays exact for large n.
    std::vector<cd> w(static_cast<size_t>(s.n * s.k));
    for (int64_t f = 0; f < s.n; ++f)
      for (int64_t p = 0; p < s.k; ++p) {
        const int64_t r = ((f * s.offset(p)) % s.n + s.n) % s.n;
        const double angle = kTwoPi * static_cast<double>(r) / static_cast<double>(s.n);
        w[f * s.k + p] = cd(std::cos(angle), std::sin(angle));
      }
    return w;
  }

  int64_t n_, k_, half_, gh_;
  std::vector<cd> w_;  // n x k
  std::vector<cd> c_;  // k x half x gh
};

// Per-frequency Gram matrix on the smaller channel side, shifted by -alpha I.
struct FrequencyGram {
  int64_t g, h, side;
  bool outer;  // true: A A^H (g x g), false: A^H A (h x h)
  std::vector<cd> s;

  FrequencyGram(int64_t g_, int64_t h_) : g(g_), h(h_), side(std::min(g_, h_)), outer(g_ <= h_), s(static_cast<size_t>(side * side)) {}

  // S = Gram(A) - alpha I (upper triangle valid); returns ||A^H A - alpha I_g||_F^2 for this frequency.
  double shiftedPenalty(const cd* a, double alpha) {
    cblas_zherk(CblasRowMajor, CblasUpper, outer ? CblasNoTrans : CblasConjTrans, side, outer ? h : g, 1.0, a, h,
                0.0, s.data(), side);
    double sum = 0;
    for (int64_t i = 0; i < side; ++i) {
      cd* row = s.data() + i * side;
      row[i] -= alpha;
      sum += squared(row[i]);
      for (int64_t j = i + 1; j < side; ++j) sum += 2 * squared(row[j]);
    }
    // A^H A (g x g) has g - side more eigenvalues, all zero, each contributing alpha^2.
    return sum + alpha * alpha * static_cast<double>(g - side);
  }

  // out = scale * 4 (A A^H - aI) A = scale * 4 A (A^H A - aI): the gradient of the frequency's
  // term with respect to A (uses S from the last shiftedPenalty).
  void gradient(const cd* a, double scale, cd* out) const {
    const cd factor(4 * scale, 0), zero(0, 0);
    cblas_zhemm(CblasRowMajor, outer ? CblasLeft : CblasRight, CblasUpper, g, h, &factor, s.data(), side, a, h, &zero,
                out, h);
  }
};

}  // namespace

std::vector<double> circularSingularValues(const ConvShape& shape, const double* kernel) {
  requireValidShape(shape);
  // The DFT sums k^2 taps, which can overflow for |K| near the largest double: work on K / 2^e.
  const double scale = powerOfTwoScale(kernel, shape.kernelSize());
  const std::vector<double> scaled = scaledKernel(kernel, shape.kernelSize(), scale);
  const HalfSpectrum hs(shape, scaled.data());
  const int64_t g = shape.g, h = shape.h, side = std::min(g, h), gh = g * h;
  std::vector<cd> row(static_cast<size_t>(hs.rowSize()));
  // Row-major g x h is column-major h x g (its transpose): same singular values, no copy.
  std::vector<double> sv(static_cast<size_t>(side)), rwork(static_cast<size_t>(5 * side));
  lapack_complex_double query;
  lapack_int info = LAPACKE_zgesvd_work(LAPACK_COL_MAJOR, 'N', 'N', h, g, reinterpret_cast<lapack_complex_double*>(row.data()), h,
                                        sv.data(), nullptr, 1, nullptr, 1, &query, -1, rwork.data());
  if (info != 0) throw std::runtime_error("convreg: LAPACK zgesvd workspace query failed (info " + std::to_string(info) + ")");
  const lapack_int lwork = static_cast<lapack_int>(reinterpret_cast<cd*>(&query)->real());
  std::vector<cd> work(static_cast<size_t>(std::max<lapack_int>(1, lwork)));
  std::vector<double> sigma;
  sigma.reserve(static_cast<size_t>(side * shape.n * shape.n));
  for (int64_t f1 = 0; f1 < shape.n; ++f1) {
    hs.row(f1, row.data());
    for (int64_t f2 = 0; f2 < hs.half(); ++f2) {
      // zgesvd overwrites its input: each block is used once.
      info = LAPACKE_zgesvd_work(LAPACK_COL_MAJOR, 'N', 'N', h, g, reinterpret_cast<lapack_complex_double*>(row.data() + f2 * gh), h,
                                 sv.data(), nullptr, 1, nullptr, 1, reinterpret_cast<lapack_complex_double*>(work.data()),
                                 lwork, rwork.data());
      if (info != 0) throw std::runtime_error("convreg: LAPACK zgesvd failed (info " + std::to_string(info) + ")");
      const int copies = static_cast<int>(hs.weight(f2));
      for (int c = 0; c < copies; ++c)
        for (double v : sv) sigma.push_back(scale * v);
    }
  }
  std::sort(sigma.begin(), sigma.end(), [](double x, double y) { return x > y; });
  return sigma;
}

double circularPenalty(const ConvShape& shape, const double* kernel, double alpha) {
  requireValidShape(shape);
  const HalfSpectrum hs(shape, kernel);
  FrequencyGram gram(shape.g, shape.h);
  const int64_t gh = shape.g * shape.h;
  std::vector<cd> row(static_cast<size_t>(hs.rowSize()));
  double total = 0;
  for (int64_t f1 = 0; f1 < shape.n; ++f1) {
    hs.row(f1, row.data());
    for (int64_t f2 = 0; f2 < hs.half(); ++f2) total += hs.weight(f2) * gram.shiftedPenalty(row.data() + f2 * gh, alpha);
  }
  return total;
}

PenaltyAndGradient circularPenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha) {
  requireValidShape(shape);
  const HalfSpectrum hs(shape, kernel);
  FrequencyGram gram(shape.g, shape.h);
  const int64_t gh = shape.g * shape.h;
  std::vector<cd> row(static_cast<size_t>(hs.rowSize())), rowGradient(row.size());
  std::vector<cd> d(static_cast<size_t>(shape.k * hs.rowSize()));  // sum over f1 of conj(w) dF/dA, per tap row
  PenaltyAndGradient result;
  for (int64_t f1 = 0; f1 < shape.n; ++f1) {
    hs.row(f1, row.data());
    for (int64_t f2 = 0; f2 < hs.half(); ++f2) {
      const double weight = hs.weight(f2);
      result.penalty += weight * gram.shiftedPenalty(row.data() + f2 * gh, alpha);
      gram.gradient(row.data() + f2 * gh, weight, rowGradient.data() + f2 * gh);
    }
    hs.addRowAdjoint(f1, rowGradient.data(), d.data());
  }
  result.gradient = hs.kernelAdjoint(d);
  return result;
}

namespace {
// Re <X, Y> = Re tr(X^H Y) for Hermitian X, Y of which only the upper triangles are set.
double hermitianInner(const std::vector<cd>& x, const std::vector<cd>& y, int64_t side) {
  double sum = 0;
  for (int64_t i = 0; i < side; ++i) {
    sum += x[i * side + i].real() * y[i * side + i].real();
    for (int64_t j = i + 1; j < side; ++j) {
      const cd a = x[i * side + j], b = y[i * side + j];
      sum += 2 * (a.real() * b.real() + a.imag() * b.imag());
    }
  }
  return sum;
}
}  // namespace

std::array<double, 5> circularLineQuartic(const ConvShape& shape, const double* kernel, const double* direction,
                                          double alpha) {
  requireValidShape(shape);
  const HalfSpectrum hk(shape, kernel), hd(shape, direction);
  const int64_t g = shape.g, h = shape.h, gh = g * h, side = std::min(g, h);
  const bool outer = g <= h;  // Gram A A^H (g x g) or A^H A (h x h), as in FrequencyGram
  const CBLAS_TRANSPOSE trans = outer ? CblasNoTrans : CblasConjTrans;
  const int64_t inner = outer ? h : g;
  std::vector<cd> rowK(static_cast<size_t>(hk.rowSize())), rowD(rowK.size());
  std::vector<cd> x0(static_cast<size_t>(side * side)), x1(x0.size()), x2(x0.size());
  const cd one(1, 0);
  std::array<double, 5> c{0, 0, 0, 0, 0};
  for (int64_t f1 = 0; f1 < shape.n; ++f1) {
    hk.row(f1, rowK.data());
    hd.row(f1, rowD.data());
    for (int64_t f2 = 0; f2 < hk.half(); ++f2) {
      const cd* a = rowK.data() + f2 * gh;
      const cd* b = rowD.data() + f2 * gh;
      // Gram(A + t B) - alpha I = x0 + t x1 + t^2 x2 (upper triangles).
      cblas_zherk(CblasRowMajor, CblasUpper, trans, side, inner, 1.0, a, h, 0.0, x0.data(), side);
      for (int64_t i = 0; i < side; ++i) x0[i * side + i] -= alpha;
      cblas_zher2k(CblasRowMajor, CblasUpper, trans, side, inner, &one, a, h, b, h, 0.0, x1.data(), side);
      cblas_zherk(CblasRowMajor, CblasUpper, trans, side, inner, 1.0, b, h, 0.0, x2.data(), side);
      const double w = hk.weight(f2);
      // The g x g Gram has g - side more eigenvalues, all -alpha after the shift.
      c[0] += w * (hermitianInner(x0, x0, side) + alpha * alpha * static_cast<double>(g - side));
      c[1] += w * 2 * hermitianInner(x0, x1, side);
      c[2] += w * (hermitianInner(x1, x1, side) + 2 * hermitianInner(x0, x2, side));
      c[3] += w * 2 * hermitianInner(x1, x2, side);
      c[4] += w * hermitianInner(x2, x2, side);
    }
  }
  return c;
}

}  // namespace convreg
