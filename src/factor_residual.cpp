// A-posteriori residual of a supernodal Cholesky factor, bounded rigorously (docs/MATH.md 7.2,
// "A-posteriori residual"). Row i of L is split by Rump's ExtractScalar with sigma_i = 2^(e_i + b),
// |l_ik| < 2^e_i: L1 = fl(fl(sigma_i + l) - sigma_i), L2 = l - L1, both exact. L1 entries are
// multiples of 2^(e_i + b - 53) below 2^(e_i + 1), so a product l1_ik l1_jk is a multiple of
// 2^(e_i + e_j + 2b - 106) below 2^(e_i + e_j + 2), and any partial sum of at most 2^tau of them
// (tau from the longest row) has at most 108 - 2b + tau <= 53 significant bits: exact in every
// order, in dsyrk and in our accumulation across supernodes. The rest, L1 L2^T + L2 L1^T + L2 L2^T
// = B L2^T + L2 B^T with B = L1 + L2/2, comes from one dsyr2k; |L2| < 2^(e_i + b - 52) is ~2^-19
// of the row's largest entry, so its rounding is ~2^-19 of the a-priori Cholesky bound.
#include "factor_residual.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <limits>

#include "blas.h"
#include "coded_error.h"

namespace convreg {

namespace {
constexpr double u = std::numeric_limits<double>::epsilon() / 2;
constexpr double safety = 1.01;  // bound computations are themselves rounded
double gammaWorst(double m) { return m * u / (1 - m * u); }

struct Supernodes {
  explicit Supernodes(const cholmod_factor* L)
      : n(static_cast<int64_t>(L->n)),
        count(static_cast<int64_t>(L->nsuper)),
        super(static_cast<const int64_t*>(L->super)),
        pi(static_cast<const int64_t*>(L->pi)),
        px(static_cast<const int64_t*>(L->px)),
        s(static_cast<const int64_t*>(L->s)),
        x(static_cast<const double*>(L->x)) {
    if (!L->is_super || !L->is_ll || L->xtype != CHOLMOD_REAL) throw CodedError("ERR_NATIVE", "convreg: expected a real supernodal LL^T factor");
  }
  int64_t cols(int64_t k) const { return super[k + 1] - super[k]; }
  int64_t rows(int64_t k) const { return pi[k + 1] - pi[k]; }
  int64_t n, count;
  const int64_t *super, *pi, *px, *s;
  const double* x;
};

}  // namespace

double nonnegativeNormBound(const std::function<void(const std::vector<double>&, std::vector<double>&)>& B, size_t n, int64_t maxSteps,
                            std::vector<double>* steps, double stopAbove, double* lower) {
  std::vector<double> x(n, 1.0), y(n);
  double bound = std::numeric_limits<double>::infinity(), rayleigh = 0;
  for (int64_t step = 0; step <= std::max<int64_t>(maxSteps, 1); ++step) {
    B(x, y);
    double ratio = 0, top = 0, xy = 0, xx = 0;
    for (size_t i = 0; i < n; ++i) {
      ratio = std::max(ratio, y[i] / x[i]), top = std::max(top, y[i]);
      xy += x[i] * y[i], xx += x[i] * x[i];
    }
    if (!(top > 0)) {
      if (lower) *lower = 0;
      return 0;
    }
    // Only decides when to stop (the result never depends on it); 1 - 1e-6 covers its rounding.
    rayleigh = std::max(rayleigh, (1 - 1e-6) * xy / xx);
    if (lower) *lower = rayleigh;
    const double previous = bound;
    bound = std::min(bound, ratio);
    if (steps) steps->push_back(safety * ratio);
    if (rayleigh > stopAbove) break;
    if (step >= 4 && previous - bound < 1e-3 * previous) break;
    for (size_t i = 0; i < n; ++i) x[i] = y[i] / top + 1e-12;  // stays > 0
  }
  return safety * bound;
}

namespace {
// t = S |F| |F|^T S x where F_ik = entry(l_ik, i): L itself, or the low part of its split.
template <class Entry>
void applyAbsEntries(const Supernodes& S, const std::vector<double>& scale, const std::vector<double>& x, std::vector<double>& t,
                     std::vector<double>& mid, Entry entry) {
  std::fill(t.begin(), t.end(), 0.0);
  for (int64_t k = 0; k < S.count; ++k) {
    const int64_t nscol = S.cols(k), nsrow = S.rows(k);
    for (int64_t jj = 0; jj < nscol; ++jj) {
      const double* col = S.x + S.px[k] + jj * nsrow;
      double sum = 0;
      for (int64_t ii = jj; ii < nsrow; ++ii) {
        const int64_t r = S.s[S.pi[k] + ii];
        sum += std::fabs(entry(col[ii], r)) * scale[r] * x[r];
      }
      mid[S.super[k] + jj] = sum;
    }
  }
  for (int64_t k = 0; k < S.count; ++k) {
    const int64_t nscol = S.cols(k), nsrow = S.rows(k);
    for (int64_t jj = 0; jj < nscol; ++jj) {
      const double* col = S.x + S.px[k] + jj * nsrow;
      const double m = mid[S.super[k] + jj];
      for (int64_t ii = jj; ii < nsrow; ++ii) {
        const int64_t r = S.s[S.pi[k] + ii];
        t[r] += std::fabs(entry(col[ii], r)) * m;
      }
    }
  }
  for (size_t i = 0; i < t.size(); ++i) t[i] *= scale[i];
}

// The exact split of Rump's ExtractScalar: high = fl(fl(sigma + v) - sigma), v - high exact.
inline double highPart(double v, double sigma) {
  const volatile double up = sigma + v;  // volatile: keep the two roundings as written
  return up - sigma;
}
}  // namespace

void applyAbsFactorProduct(const cholmod_factor* L, const std::vector<double>& scale, const std::vector<double>& x, std::vector<double>& t,
                           std::vector<double>& mid) {
  applyAbsEntries(Supernodes(L), scale, x, t, mid, [](double v, int64_t) { return v; });
}

std::vector<double> factorRowCounts(const cholmod_factor* L) {
  const Supernodes S(L);
  std::vector<double> rowCount(static_cast<size_t>(S.n), 0.0);
  for (int64_t k = 0; k < S.count; ++k)
    for (int64_t jj = 0; jj < S.cols(k); ++jj)
      for (int64_t ii = jj; ii < S.rows(k); ++ii) rowCount[S.s[S.pi[k] + ii]] += 1;
  return rowCount;
}

ResidualBound factorResidualBound(const cholmod_factor* L, const GramUpper& A, double shift, int64_t normSteps, double rangeBytes,
                                  const std::atomic<bool>* cancel, double enough) {
  auto checkCancel = [&] {
    if (cancel && cancel->load()) throw CodedError("ERR_ABORTED", "convreg: sigmaMin was aborted");
  };
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  const auto start = Clock::now();
  const Supernodes S(L);
  const int64_t n = S.n;
  ResidualBound out;
  std::vector<int64_t> colSuper(static_cast<size_t>(n));
  for (int64_t k = 0; k < S.count; ++k)
    for (int64_t j = S.super[k]; j < S.super[k + 1]; ++j) colSuper[j] = k;

  // Row maxima and the split points sigma_i = 2^(e_i + b).
  std::vector<double> rowMax(static_cast<size_t>(n), 0.0);
  for (int64_t k = 0; k < S.count; ++k)
    for (int64_t jj = 0; jj < S.cols(k); ++jj)
      for (int64_t ii = jj; ii < S.rows(k); ++ii) {
        const int64_t r = S.s[S.pi[k] + ii];
        rowMax[r] = std::max(rowMax[r], std::fabs(S.x[S.px[k] + jj * S.rows(k) + ii]));
      }
  const std::vector<double> rowCount = factorRowCounts(L);
  const double longest = *std::max_element(rowCount.begin(), rowCount.end());
  int tau = 0;
  while (std::ldexp(1.0, tau) < longest) ++tau;
  const int b = (55 + tau + 1) / 2;
  std::vector<double> sigma(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int e = 0;
    if (!(rowMax[i] > 0) || !std::isfinite(rowMax[i])) {
      out.why = "row " + std::to_string(i) + " of the factor is zero or not finite";
      return out;
    }
    std::frexp(rowMax[i], &e);  // rowMax < 2^e
    if (e < -400 || e > 400) {
      out.why = "the factor's entries span too wide a range for an exact split";
      return out;
    }
    sigma[i] = std::ldexp(1.0, e + b);
  }

  // The residual is built for one range of supernodes' columns at a time (at most rangeBytes of
  // it), so that only |R~|'s row sums outlive a range: rho(|R~|) <= max row sum.
  std::vector<double> r, l1, l2, w, rowAbsSum(static_cast<size_t>(n), 0.0);
  std::vector<int64_t> map(static_cast<size_t>(n), -1), inverse(static_cast<size_t>(n));
  const auto* perm = static_cast<const int64_t*>(L->Perm);
  for (int64_t k = 0; k < n; ++k) inverse[perm ? perm[k] : k] = k;
  for (int64_t s0 = 0; s0 < S.count;) {
    int64_t s1 = s0 + 1;
    while (s1 < S.count && static_cast<double>(S.px[s1 + 1] - S.px[s0]) * 8 <= rangeBytes) ++s1;
    const int64_t c0 = S.super[s0], c1 = S.super[s1], base = S.px[s0];
    r.assign(static_cast<size_t>(S.px[s1] - base), 0.0);
    // Adds sign * w (m x q, rows a0.. of supernode k against its rows a0..a0+q-1) into r.
    auto scatter = [&](int64_t k, int64_t a0, int64_t m, int64_t q, double sign) {
      const int64_t* rows = S.s + S.pi[k] + a0;
      int64_t target = -1;
      for (int64_t bcol = 0; bcol < q; ++bcol) {
        const int64_t j = rows[bcol], t = colSuper[j];
        if (t != target) {
          target = t;
          for (int64_t z = 0; z < S.rows(t); ++z) map[S.s[S.pi[t] + z]] = z;
        }
        double* dst = r.data() + (S.px[t] - base) + (j - S.super[t]) * S.rows(t);
        const double* src = w.data() + bcol * m;
        for (int64_t a = bcol; a < m; ++a) {
          const int64_t z = map[rows[a]];
          if (z < 0 || z >= S.rows(t) || S.s[S.pi[t] + z] != rows[a])
            throw CodedError("ERR_NATIVE", "convreg: factor pattern is not closed under L L^T");
          dst[z] += sign * src[a];
        }
      }
    };
    // Pass 1 (second = false): r = L1 L1^T, exact. Pass 2: r -= B L2^T + L2 B^T. Only supernodes
    // before s1 reach columns below c1, and only their rows from c0 on matter.
    for (const bool second : {false, true}) {
      for (int64_t k = 0; k < s1; ++k) {
        if ((k & 63) == 0) checkCancel();
        const int64_t nscol = S.cols(k), nsrow = S.rows(k);
        const int64_t* rows = S.s + S.pi[k];
        const int64_t a0 = std::lower_bound(rows, rows + nsrow, c0) - rows;
        const int64_t a1 = std::lower_bound(rows + a0, rows + nsrow, c1) - rows;
        if (a1 == a0) continue;
        const int64_t m = nsrow - a0, q = a1 - a0;
        const double* lk = S.x + S.px[k];
        l1.assign(static_cast<size_t>(m * nscol), 0.0);
        l2.assign(static_cast<size_t>(m * nscol), 0.0);
        for (int64_t jj = 0; jj < nscol; ++jj)
          for (int64_t ii = std::max(jj, a0); ii < nsrow; ++ii) {
            const double v = lk[jj * nsrow + ii];
            const double hi = highPart(v, sigma[rows[ii]]);
            const double lo = v - hi;
            l1[jj * m + ii - a0] = second ? hi + 0.5 * lo : hi;  // pass 2 needs B = L1 + L2/2 (one rounding)
            l2[jj * m + ii - a0] = lo;
          }
        w.assign(static_cast<size_t>(m * q), 0.0);
        const int M = static_cast<int>(m), Q = static_cast<int>(q), R = static_cast<int>(m - q), K = static_cast<int>(nscol);
        const auto tb = Clock::now();
        if (!second) {
          cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, Q, K, 1.0, l1.data(), M, 0.0, w.data(), M);
          if (R > 0) cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, R, Q, K, 1.0, l1.data() + q, M, l1.data(), M, 0.0, w.data() + q, M);
        } else {
          cblas_dsyr2k(CblasColMajor, CblasLower, CblasNoTrans, Q, K, 1.0, l1.data(), M, l2.data(), M, 0.0, w.data(), M);
          if (R > 0) {
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, R, Q, K, 1.0, l1.data() + q, M, l2.data(), M, 0.0, w.data() + q, M);
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, R, Q, K, 1.0, l2.data() + q, M, l1.data(), M, 1.0, w.data() + q, M);
          }
        }
        out.blasSeconds += since(tb);
        scatter(k, a0, m, q, second ? -1.0 : 1.0);
      }
      if (second) break;
      // r = H~ - L1 L1^T: negate (exact), then add H~ (one rounding per entry).
      for (auto& v : r) v = -v;
      std::vector<char> diagonalSeen(static_cast<size_t>(c1 - c0), 0);
      for (int64_t c = 0; c < A.order; ++c)
        for (int64_t z = A.colStart[c]; z < A.colStart[c + 1]; ++z) {
          const int64_t pr = inverse[A.row[z]], pc = inverse[c];
          const int64_t i = std::max(pr, pc), j = std::min(pr, pc);
          if (j < c0 || j >= c1) continue;
          const int64_t t = colSuper[j];
          const int64_t* first = S.s + S.pi[t];
          const int64_t* last = S.s + S.pi[t + 1];
          const int64_t* at = std::lower_bound(first, last, i);
          if (at == last || *at != i) throw CodedError("ERR_NATIVE", "convreg: matrix entry outside the factor's pattern");
          double& dst = r[(S.px[t] - base) + (j - S.super[t]) * S.rows(t) + (at - first)];
          if (i == j) {
            dst += A.value[z] - shift;
            diagonalSeen[j - c0] = 1;
          } else {
            dst += A.value[z];
          }
        }
      for (int64_t j = c0; j < c1; ++j)
        if (!diagonalSeen[j - c0]) {
          const int64_t t = colSuper[j], jj = j - S.super[t];
          r[(S.px[t] - base) + jj * S.rows(t) + jj] -= shift;
        }
    }
    // Row sums of |R~| (symmetric: each stored off-diagonal entry counts in two rows).
    for (int64_t k = s0; k < s1; ++k)
      for (int64_t jj = 0; jj < S.cols(k); ++jj) {
        const int64_t j = S.super[k] + jj;
        const double* col = r.data() + (S.px[k] - base) + jj * S.rows(k);
        rowAbsSum[j] += std::fabs(col[jj]);
        for (int64_t ii = jj + 1; ii < S.rows(k); ++ii) {
          const double a = std::fabs(col[ii]);
          rowAbsSum[S.s[S.pi[k] + ii]] += a;
          rowAbsSum[j] += a;
        }
      }
    s0 = s1;
  }
  checkCancel();
  const auto tn = Clock::now();
  std::vector<double> mid(static_cast<size_t>(n)), ones(static_cast<size_t>(n), 1.0);
  out.computedPart = safety * *std::max_element(rowAbsSum.begin(), rowAbsSum.end());
  out.normSteps = {out.computedPart};
  // The norms of |L| and |L2| only scale the rounding term: one power step each first, and the
  // full steps only if that bound does not fit `enough` (every step's bound is valid).
  auto boundWith = [&](int64_t steps) {
    const double absL = std::sqrt(nonnegativeNormBound(
        [&](const std::vector<double>& x, std::vector<double>& t) { applyAbsFactorProduct(L, ones, x, t, mid); }, static_cast<size_t>(n), steps));
    // R - R~ = -(rounding of H~ - L1 L1^T) - (rounding of the dsyr2k sum, R_acc a leaf of it) + the
    // rounding of B: |R - R~| <= g (|R_acc| + X), X = |B||L2^T| + |L2||B^T|, and
    // |R_acc| <= 1.01 (|R~| + 1.01 X); rho(X) <= 2 || |B| ||_2 || |L2| ||_2.
    const double l2F = std::sqrt(nonnegativeNormBound(
        [&](const std::vector<double>& x, std::vector<double>& t) {
          applyAbsEntries(S, ones, x, t, mid, [&](double v, int64_t row) { return v - highPart(v, sigma[row]); });
        },
        static_cast<size_t>(n), steps));
    const double bNorm = safety * (absL + 1.5 * l2F);
    const double g = gammaWorst(2 * longest + 2) + 2 * u;
    const double crossNorm = 2 * bNorm * l2F;
    out.roundingPart = safety * (1.01 * g * out.computedPart + 2.03 * g * crossNorm);
    out.roundingPart += 1e-290;  // underflow in B or the products (each below 2^-1074, far fewer than 1e15 of them)
    out.norm = safety * out.computedPart + out.roundingPart;
  };
  boundWith(std::min<int64_t>(normSteps, 1));
  out.normPowerSteps = std::min<int64_t>(normSteps, 1);
  if (normSteps > 1 && !(out.norm < enough)) {
    boundWith(normSteps);
    out.normPowerSteps = normSteps;
  }
  out.applicable = true;
  out.normSeconds = since(tn);
  out.totalSeconds = since(start);
  return out;
}

}  // namespace convreg
