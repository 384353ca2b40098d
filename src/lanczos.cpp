#include "lanczos.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "blas.h"

namespace convreg {

double accurateDot(const double* x, const double* y, int64_t n) {
  double s = 0, c = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double p = x[i] * y[i];
    const double pe = std::fma(x[i], y[i], -p);  // exact error of the product
    const double t = s + p;
    const double z = t - s;
    c += ((s - (t - z)) + (p - z)) + pe;  // exact error of the sum, plus the product's
    s = t;
  }
  return s + c;
}

namespace {

// A fixed pseudo-random start (splitmix64 + Box-Muller): reproducible, and with
// probability one not orthogonal to the wanted eigenvector.
std::vector<double> defaultStart(int64_t n) {
  std::vector<double> v(static_cast<size_t>(n));
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  for (auto& x : v) x = std::sqrt(-2 * std::log(1 - next())) * std::cos(2 * M_PI * next());
  return v;
}

// Eigenpairs of the leading size x size block of the symmetric matrix h (leading dimension
// ld), largest first: values[i], vectors column i of z (size x count, column-major).
void topEigenpairs(const std::vector<double>& h, int64_t ld, int64_t size, int64_t count, std::vector<double>& values,
                   std::vector<double>& z) {
  std::vector<double> a(static_cast<size_t>(size * size));
  for (int64_t i = 0; i < size; ++i)
    for (int64_t j = 0; j < size; ++j) a[i * size + j] = 0.5 * (h[i * ld + j] + h[j * ld + i]);
  std::vector<double> w(static_cast<size_t>(size)), all(static_cast<size_t>(size * size));
  std::vector<lapack_int> support(static_cast<size_t>(2 * size));
  lapack_int found = 0;
  const lapack_int ns = static_cast<lapack_int>(size);
  const lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'U', ns, a.data(), ns, 0, 0, ns - count + 1, ns, 0.0, &found,
                                         w.data(), all.data(), ns, support.data());
  if (info != 0 || found != count) throw std::runtime_error("convreg: dsyevr failed in Lanczos (info " + std::to_string(info) + ")");
  // dsyevr returns ascending order; put the largest first.
  values.assign(static_cast<size_t>(count), 0.0);
  z.assign(static_cast<size_t>(size * count), 0.0);
  for (int64_t i = 0; i < count; ++i) {
    values[i] = w[count - 1 - i];
    std::copy(all.begin() + (count - 1 - i) * size, all.begin() + (count - i) * size, z.begin() + i * size);
  }
}

struct Check {
  double theta, residual, sigma, sigmaBound;
};

// Rayleigh quotient, true residual and the bound on sqrt(lambda) of a unit vector y.
Check verify(int64_t n, const std::function<void(const double*, double*)>& apply, const std::vector<double>& y, double rounding,
             std::vector<double>& ay) {
  apply(y.data(), ay.data());
  const double theta = std::max(0.0, accurateDot(y.data(), ay.data(), n));
  std::vector<double> r(ay);
  cblas_daxpy(static_cast<int>(n), -theta, y.data(), 1, r.data(), 1);
  const double residual = cblas_dnrm2(static_cast<int>(n), r.data(), 1);
  const double sigma = std::sqrt(theta);
  // Concavity of sqrt: the lower side of [theta - e, theta + e] is the wider one.
  const double sigmaBound = sigma - std::sqrt(std::max(0.0, theta - residual - rounding));
  return Check{theta, residual, sigma, sigmaBound};
}

bool meets(double sigmaBound, double sigma, double tolerance) { return sigmaBound <= tolerance * sigma || sigmaBound == 0; }

void normalize(std::vector<double>& v) {
  const double norm = cblas_dnrm2(static_cast<int>(v.size()), v.data(), 1);
  if (!(norm > 0) || !std::isfinite(norm)) throw std::invalid_argument("convreg: the Lanczos start vector must be finite and nonzero");
  cblas_dscal(static_cast<int>(v.size()), 1 / norm, v.data(), 1);
}

}  // namespace

LanczosResult largestEigenpair(int64_t n, const std::function<void(const double*, double*)>& apply, const double* start,
                               double rounding, const LanczosOptions& o) {
  if (n < 1) throw std::invalid_argument("convreg: Lanczos needs a dimension >= 1");
  if (!(o.tolerance > 0)) throw std::invalid_argument("convreg: the Lanczos tolerance must be > 0");
  if (o.maxIterations < 2 || o.basisSize < 2) throw std::invalid_argument("convreg: maxIterations and basisSize must be >= 2");
  const int64_t m = std::min(o.basisSize, n);
  const int64_t keep = std::max<int64_t>(1, m / 2);  // Ritz vectors kept at a thick restart
  const int ni = static_cast<int>(n);
  std::vector<double> v = start ? std::vector<double>(start, start + n) : defaultStart(n);
  normalize(v);

  // basis: m rows of length n (orthonormal); h: m x m projection V^T A V, row-major.
  std::vector<double> basis(static_cast<size_t>(m * n)), w(static_cast<size_t>(n)), ay(static_cast<size_t>(n));
  std::vector<double> h(static_cast<size_t>(m * m), 0.0), coef(static_cast<size_t>(m)), total(static_cast<size_t>(m));
  std::vector<double> theta, z;
  std::copy(v.begin(), v.end(), basis.begin());
  int64_t first = 0;  // index of the next basis vector to multiply by A
  LanczosResult out;
  auto cancelled = [&o] { return o.cancel && o.cancel->load(std::memory_order_relaxed); };
  auto project = [&](int64_t rows) {  // coef = V[0..rows) w; w -= V^T coef; total += coef
    cblas_dgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(rows), ni, 1.0, basis.data(), ni, w.data(), 1, 0.0, coef.data(), 1);
    cblas_dgemv(CblasRowMajor, CblasTrans, static_cast<int>(rows), ni, -1.0, basis.data(), ni, coef.data(), 1, 1.0, w.data(), 1);
    for (int64_t i = 0; i < rows; ++i) total[i] += coef[i];
  };

  for (;;) {
    for (int64_t j = first; j < m; ++j) {
      if (cancelled()) throw Cancelled();
      const double* vj = basis.data() + j * n;
      apply(vj, w.data());
      ++out.iterations;
      // The three-term recurrence first, then a full Gram-Schmidt pass against every kept
      // vector, repeated when it removed much (Daniel-Gragg-Kaufman-Stewart criterion):
      // this keeps the basis orthogonal to working precision at one pass per step.
      std::fill(total.begin(), total.begin() + j + 1, 0.0);
      total[j] = cblas_ddot(ni, vj, 1, w.data(), 1);
      cblas_daxpy(ni, -total[j], vj, 1, w.data(), 1);
      if (j > 0) {
        total[j - 1] = h[j * m + j - 1];
        cblas_daxpy(ni, -total[j - 1], vj - n, 1, w.data(), 1);
      }
      double before = cblas_dnrm2(ni, w.data(), 1);
      for (int pass = 0; pass < 3; ++pass) {
        project(j + 1);
        const double after = cblas_dnrm2(ni, w.data(), 1);
        const bool enough = after > 0.7071 * before;
        before = after;
        if (enough) break;
      }
      const double beta = before;
      for (int64_t i = 0; i <= j; ++i) h[i * m + j] = h[j * m + i] = total[i];

      topEigenpairs(h, m, j + 1, 1, theta, z);
      const double sigma = std::sqrt(std::max(0.0, theta[0]));
      const double estimate = beta * std::fabs(z[j]);  // residual of the Ritz pair in exact arithmetic
      const bool invariant = beta <= 1e3 * std::numeric_limits<double>::epsilon() * std::max(theta[0], rounding);
      const bool looksDone = invariant || meets(sigma - std::sqrt(std::max(0.0, theta[0] - estimate - rounding)), sigma, o.tolerance);
      const bool lastStep = out.iterations + 1 >= o.maxIterations;
      if (looksDone || lastStep) {
        // The Ritz vector y = V z and its true residual decide.
        cblas_dgemv(CblasRowMajor, CblasTrans, static_cast<int>(j + 1), ni, 1.0, basis.data(), ni, z.data(), 1, 0.0, v.data(), 1);
        normalize(v);
        if (cancelled()) throw Cancelled();
        const Check c = verify(n, apply, v, rounding, ay);
        ++out.iterations;
        out.eigenvalue = c.theta;
        out.residual = c.residual;
        out.rounding = rounding;
        out.sigma = c.sigma;
        out.sigmaBound = c.sigmaBound;
        out.converged = meets(c.sigmaBound, c.sigma, o.tolerance);
        out.vector = v;
        if (out.converged || out.iterations >= o.maxIterations) return out;
        if (invariant) {  // nothing left to expand: start again from the Ritz vector
          std::copy(v.begin(), v.end(), basis.begin());
          first = 0;
          ++out.restarts;
          break;
        }
      }
      if (j + 1 < m) {
        cblas_dscal(ni, 1 / beta, w.data(), 1);
        std::copy(w.begin(), w.end(), basis.begin() + (j + 1) * n);
        h[(j + 1) * m + j] = h[j * m + j + 1] = beta;
        continue;
      }
      // Thick restart: keep the top Ritz vectors Y = Z^T V and the next Lanczos vector;
      // the projection becomes diag(theta) bordered by beta * (last row of Z).
      topEigenpairs(h, m, m, keep, theta, z);
      std::vector<double> kept(static_cast<size_t>(keep * n));
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(keep), ni, static_cast<int>(m), 1.0, z.data(),
                  static_cast<int>(m), basis.data(), ni, 0.0, kept.data(), ni);
      std::copy(kept.begin(), kept.end(), basis.begin());
      cblas_dscal(ni, 1 / beta, w.data(), 1);
      std::copy(w.begin(), w.end(), basis.begin() + keep * n);
      std::fill(h.begin(), h.end(), 0.0);
      for (int64_t i = 0; i < keep; ++i) {
        h[i * m + i] = theta[i];
        h[keep * m + i] = h[i * m + keep] = beta * z[i * m + m - 1];
      }
      first = keep;
      ++out.restarts;
      break;
    }
  }
}

}  // namespace convreg
