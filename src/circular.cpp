#include "circular.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include "blas.h"

namespace convreg {

namespace {

using cd = std::complex<double>;
const double kTwoPi = 6.283185307179586476925286766559;

// The kernel's DFT on the half plane f2 = 0..n/2 (the rest are complex conjugates:
// A_{-f} = conj(A_f) because K is real). Block (f1, f2) of `a` is A_f, g x h row-major.
struct HalfSpectrum {
  int64_t n = 0, half = 0, gh = 0;
  std::vector<cd> w;  // n x k: w[f * k + p] = exp(+2 pi i f offset(p) / n)
  std::vector<cd> a;  // n x half x (g h)

  cd* block(int64_t f1, int64_t f2) { return a.data() + (f1 * half + f2) * gh; }
  // How many full-plane frequencies the half-plane frequency column f2 stands for.
  double weight(int64_t f2) const { return (f2 == 0 || 2 * f2 == n) ? 1.0 : 2.0; }
};

std::vector<cd> phases(const ConvShape& s) {
  std::vector<cd> w(static_cast<size_t>(s.n * s.k));
  for (int64_t f = 0; f < s.n; ++f)
    for (int64_t p = 0; p < s.k; ++p) {
      // Reduce f * offset mod n in integers so the angle stays exact for large n.
      const int64_t r = ((f * s.offset(p)) % s.n + s.n) % s.n;
      const double angle = kTwoPi * static_cast<double>(r) / static_cast<double>(s.n);
      w[f * s.k + p] = cd(std::cos(angle), std::sin(angle));
    }
  return w;
}

// Separable DFT over the taps: first along q (to f2), then along p (to f1), both zgemm.
HalfSpectrum kernelSpectrum(const ConvShape& s, const double* kernel) {
  HalfSpectrum hs;
  hs.n = s.n;
  hs.half = s.n / 2 + 1;
  hs.gh = s.g * s.h;
  hs.w = phases(s);
  const int64_t k = s.k, gh = hs.gh, half = hs.half;
  std::vector<cd> kc(kernel, kernel + s.kernelSize());
  // c[p] = W[0..half) (half x k) * K[p] (k x gh): stored as k x (half gh).
  std::vector<cd> c(static_cast<size_t>(k * half * gh));
  const cd one(1, 0), zero(0, 0);
  for (int64_t p = 0; p < k; ++p)
    cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, half, gh, k, &one, hs.w.data(), k,
                kc.data() + p * k * gh, gh, &zero, c.data() + p * half * gh, gh);
  // a (n x half gh) = W (n x k) * c (k x half gh).
  hs.a.resize(static_cast<size_t>(s.n * half * gh));
  cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.n, half * gh, k, &one, hs.w.data(), k, c.data(),
              half * gh, &zero, hs.a.data(), half * gh);
  return hs;
}

// Adjoint of kernelSpectrum restricted to real kernels: dK[t] = Re sum_f weight(f) conj(w_f^t) G_f.
std::vector<double> spectrumAdjoint(const ConvShape& s, HalfSpectrum& hs) {
  const int64_t k = s.k, gh = hs.gh, half = hs.half;
  const cd one(1, 0), zero(0, 0);
  for (int64_t f1 = 0; f1 < s.n; ++f1)
    for (int64_t f2 = 0; f2 < half; ++f2) {
      const double wt = hs.weight(f2);
      if (wt != 1.0) std::transform(hs.block(f1, f2), hs.block(f1, f2) + gh, hs.block(f1, f2), [wt](cd v) { return v * wt; });
    }
  // d (k x half gh) = W^H (k x n) * a (n x half gh).
  std::vector<cd> d(static_cast<size_t>(k * half * gh));
  cblas_zgemm(CblasRowMajor, CblasConjTrans, CblasNoTrans, k, half * gh, s.n, &one, hs.w.data(), k, hs.a.data(),
              half * gh, &zero, d.data(), half * gh);
  // grad[p] = Re( W[0..half)^H (k x half) * d[p] (half x gh) ).
  std::vector<cd> gp(static_cast<size_t>(k * gh));
  std::vector<double> grad(static_cast<size_t>(s.kernelSize()));
  for (int64_t p = 0; p < k; ++p) {
    cblas_zgemm(CblasRowMajor, CblasConjTrans, CblasNoTrans, k, gh, half, &one, hs.w.data(), k,
                d.data() + p * half * gh, gh, &zero, gp.data(), gh);
    for (int64_t i = 0; i < k * gh; ++i) grad[p * k * gh + i] = gp[i].real();
  }
  return grad;
}

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
      sum += std::norm(row[i]);
      for (int64_t j = i + 1; j < side; ++j) sum += 2 * std::norm(row[j]);
    }
    // A^H A (g x g) has g - side more eigenvalues, all zero, each contributing alpha^2.
    return sum + alpha * alpha * static_cast<double>(g - side);
  }

  // out = 4 (A A^H - aI) A = 4 A (A^H A - aI): the gradient of the frequency's term w.r.t. A.
  void gradient(const cd* a, cd* out) const {
    const cd four(4, 0), zero(0, 0);
    cblas_zhemm(CblasRowMajor, outer ? CblasLeft : CblasRight, CblasUpper, g, h, &four, s.data(), side, a, h, &zero,
                out, h);
  }
};

}  // namespace

std::vector<double> circularSingularValues(const ConvShape& shape, const double* kernel) {
  requireValidShape(shape);
  HalfSpectrum hs = kernelSpectrum(shape, kernel);
  const int64_t g = shape.g, h = shape.h, side = std::min(g, h);
  // Row-major g x h is column-major h x g (its transpose): same singular values, no copy.
  std::vector<cd> block(static_cast<size_t>(hs.gh));
  std::vector<double> sv(static_cast<size_t>(side)), rwork(static_cast<size_t>(5 * side));
  lapack_complex_double query;
  lapack_int info = LAPACKE_zgesvd_work(LAPACK_COL_MAJOR, 'N', 'N', h, g, reinterpret_cast<lapack_complex_double*>(block.data()), h,
                                        sv.data(), nullptr, 1, nullptr, 1, &query, -1, rwork.data());
  if (info != 0) throw std::runtime_error("convreg: LAPACK zgesvd workspace query failed (info " + std::to_string(info) + ")");
  const lapack_int lwork = static_cast<lapack_int>(reinterpret_cast<cd*>(&query)->real());
  std::vector<cd> work(static_cast<size_t>(std::max<lapack_int>(1, lwork)));
  std::vector<double> sigma;
  sigma.reserve(static_cast<size_t>(side * shape.n * shape.n));
  for (int64_t f1 = 0; f1 < shape.n; ++f1)
    for (int64_t f2 = 0; f2 < hs.half; ++f2) {
      std::copy(hs.block(f1, f2), hs.block(f1, f2) + hs.gh, block.begin());
      info = LAPACKE_zgesvd_work(LAPACK_COL_MAJOR, 'N', 'N', h, g, reinterpret_cast<lapack_complex_double*>(block.data()), h,
                                 sv.data(), nullptr, 1, nullptr, 1, reinterpret_cast<lapack_complex_double*>(work.data()),
                                 lwork, rwork.data());
      if (info != 0) throw std::runtime_error("convreg: LAPACK zgesvd failed (info " + std::to_string(info) + ")");
      const int copies = static_cast<int>(hs.weight(f2));
      for (int c = 0; c < copies; ++c) sigma.insert(sigma.end(), sv.begin(), sv.end());
    }
  std::sort(sigma.begin(), sigma.end(), [](double x, double y) { return x > y; });
  return sigma;
}

double circularPenalty(const ConvShape& shape, const double* kernel, double alpha) {
  requireValidShape(shape);
  HalfSpectrum hs = kernelSpectrum(shape, kernel);
  FrequencyGram gram(shape.g, shape.h);
  double total = 0;
  for (int64_t f1 = 0; f1 < shape.n; ++f1)
    for (int64_t f2 = 0; f2 < hs.half; ++f2) total += hs.weight(f2) * gram.shiftedPenalty(hs.block(f1, f2), alpha);
  return total;
}

PenaltyAndGradient circularPenaltyAndGradient(const ConvShape& shape, const double* kernel, double alpha) {
  requireValidShape(shape);
  HalfSpectrum hs = kernelSpectrum(shape, kernel);
  FrequencyGram gram(shape.g, shape.h);
  std::vector<cd> out(static_cast<size_t>(hs.gh));
  PenaltyAndGradient result;
  for (int64_t f1 = 0; f1 < shape.n; ++f1)
    for (int64_t f2 = 0; f2 < hs.half; ++f2) {
      cd* a = hs.block(f1, f2);
      result.penalty += hs.weight(f2) * gram.shiftedPenalty(a, alpha);
      gram.gradient(a, out.data());
      std::copy(out.begin(), out.end(), a);  // the spectrum's slot now holds dF/dA_f
    }
  result.gradient = spectrumAdjoint(shape, hs);
  return result;
}

}  // namespace convreg
