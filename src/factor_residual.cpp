// A-posteriori residual of a supernodal Cholesky factor, bounded rigorously (docs/MATH.md 7.2,
// "A-posteriori residual"). Row i of L is split by Rump's ExtractScalar with sigma_i = 2^(e_i + b),
// |l_ik| < 2^e_i: L1 = fl(fl(sigma_i + l) - sigma_i), L2 = l - L1, both exact. L1 entries are
// multiples of 2^(e_i + b - 53) below 2^(e_i + 1), so a product l1_ik l1_jk is a multiple of
// 2^(e_i + e_j + 2b - 106) below 2^(e_i + e_j + 2), and any partial sum of at most 2^tau of them
// (tau from the longest row) has at most 108 - 2b + tau <= 53 significant bits: exact in every
// order, in dsyrk and in our accumulation across supernodes. The rest, L1 L2^T + L2 L1^T + L2 L2^T
// = B L2^T + L2 B^T with B = L1 + L2/2, comes from dsyr2k on each diagonal block and one dgemm
// with inner dimension 2K below it; |L2| < 2^(e_i + b - 52) is ~2^-19 of the row's largest entry,
// so its rounding is ~2^-19 of the a-priori Cholesky bound.
#include "factor_residual.h"

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <climits>
#include <cmath>
#include <limits>
#include <memory>

#include "blas.h"
#include "blas_threads.h"
#include "coded_error.h"
#include "parallel.h"

// The exact split below needs every operation rounded once to double (no wider intermediates).
static_assert(FLT_EVAL_METHOD == 0, "convreg: double arithmetic must be evaluated in double");

namespace convreg {

namespace {
using Clock = std::chrono::steady_clock;
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
  // Two roundings as written: without -ffast-math (never used here) the compiler may not fold them.
  return (sigma + v) - sigma;
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

namespace {
int64_t longestSupernode(const Supernodes& S) {
  int64_t longest = 1;
  for (int64_t k = 0; k < S.count; ++k) longest = std::max(longest, S.rows(k));
  return longest;
}

// Supernodes [s0, s1): their columns are one range of the residual, built at once.
struct ColumnRange {
  int64_t s0, s1;
};

// The products of supernode k's rows [a0, nsrow) against its rows [b0, b1) (b1 within the range).
struct Task {
  int64_t k, a0, b0, b1;
  double cost;
};

// The range's tasks: each supernode's target rows in blocks small enough for the work buffers.
std::vector<Task> rangeTasks(const Supernodes& S, ColumnRange range, int64_t blockDoubles) {
  const int64_t c0 = S.super[range.s0], c1 = S.super[range.s1];
  std::vector<Task> tasks;
  // Only supernodes before s1 reach columns below c1, and only their rows from c0 on matter.
  for (int64_t k = 0; k < range.s1; ++k) {
    const int64_t nsrow = S.rows(k);
    const int64_t* rows = S.s + S.pi[k];
    const int64_t a0 = std::lower_bound(rows, rows + nsrow, c0) - rows;
    const int64_t a1 = std::lower_bound(rows + a0, rows + nsrow, c1) - rows;
    if (a1 == a0) continue;
    const int64_t targets = std::max<int64_t>(1, blockDoubles / (2 * (nsrow - a0)));
    for (int64_t b0 = a0; b0 < a1; b0 += targets) {
      const int64_t b1 = std::min(a1, b0 + targets);
      tasks.push_back(Task{k, a0, b0, b1, static_cast<double>(nsrow - b0) * static_cast<double>(b1 - b0) * static_cast<double>(S.cols(k))});
    }
  }
  return tasks;
}

// One worker's share of a range: the products of its tasks summed into its own buffers, r1 (the
// exact L1 L1^T) and r2 (B L2^T + L2 B^T), laid out as the range's columns of L.
class RangePart {
 public:
  RangePart(const Supernodes& S, const std::vector<int64_t>& colSuper, const std::vector<double>& sigma, int64_t blockDoubles)
      : S_(S),
        colSuper_(colSuper),
        sigma_(sigma),
        blockDoubles_(blockDoubles),
        map_(static_cast<size_t>(S.n), -1),
        rowSigma_(static_cast<size_t>(longestSupernode(S))),
        parts_(new double[static_cast<size_t>(blockDoubles) + 4 * rowSigma_.size()]),  // at least one column of each group
        w1_(new double[static_cast<size_t>(blockDoubles) + 2 * rowSigma_.size()]),
        w2_(new double[static_cast<size_t>(blockDoubles) + 2 * rowSigma_.size()]) {}

  void begin(ColumnRange range) {
    base_ = S_.px[range.s0];
    const size_t size = static_cast<size_t>(S_.px[range.s1] - base_);
    r1.assign(size, 0.0);
    r2.assign(size, 0.0);
  }

  void add(const Task& task) {
    const int64_t nsrow = S_.rows(task.k), m = nsrow - task.b0, q = task.b1 - task.b0;
    // The supernode's columns in blocks too, so that the split fits its buffer whatever its size.
    const int64_t inner = std::max<int64_t>(1, blockDoubles_ / (4 * m));
    for (int64_t j0 = 0; j0 < S_.cols(task.k); j0 += inner) {
      const int64_t j1 = std::min(S_.cols(task.k), j0 + inner);
      split(task.k, task.b0, j0, j1);
      products(m, q, j1 - j0, j0 > 0);
    }
    scatter(task.k, task.b0, m, q);
  }

  std::vector<double> r1, r2;
  double blasSeconds = 0;

 private:
  // Rows [a0, nsrow) and columns [j0, j1) of supernode k as four column groups of m rows each:
  // [L1 | B | L2 | B] with L1 = the exact high part, L2 = the low part and B = L1 + L2/2 (one
  // rounding); zero above the diagonal of the supernode's own block.
  void split(int64_t k, int64_t a0, int64_t j0, int64_t j1) {
    const int64_t nsrow = S_.rows(k), m = nsrow - a0, width = j1 - j0;
    const int64_t* rows = S_.s + S_.pi[k] + a0;
    for (int64_t i = 0; i < m; ++i) rowSigma_[static_cast<size_t>(i)] = sigma_[static_cast<size_t>(rows[i])];
    double *l1 = parts_.get(), *b = l1 + m * width, *l2 = b + m * width, *b2 = l2 + m * width;
    const double* sig = rowSigma_.data();
    for (int64_t jj = j0; jj < j1; ++jj) {
      const double* col = S_.x + S_.px[k] + jj * nsrow + a0;
      const int64_t above = std::min(m, std::max<int64_t>(0, jj - a0));  // rows of this column above the diagonal
      const int64_t o = (jj - j0) * m;
      for (int64_t i = 0; i < above; ++i) l1[o + i] = b[o + i] = l2[o + i] = b2[o + i] = 0;
      for (int64_t i = above; i < m; ++i) {
        const double v = col[i];
        const double hi = highPart(v, sig[i]), lo = v - hi;
        l1[o + i] = hi;
        l2[o + i] = lo;
        b[o + i] = b2[o + i] = hi + 0.5 * lo;
      }
    }
  }

  // w1 (+)= L1 L1(0:q)^T (exact) and w2 (+)= B L2(0:q)^T + L2 B(0:q)^T, both m x q, over the
  // columns split last; only the lower triangle of the top q x q block is computed.
  void products(int64_t m, int64_t q, int64_t width, bool accumulate) {
    const int M = static_cast<int>(m), Q = static_cast<int>(q), R = static_cast<int>(m - q), K = static_cast<int>(width);
    const double *l1 = parts_.get(), *b = l1 + m * width, *l2 = b + m * width;
    const double beta = accumulate ? 1.0 : 0.0;
    const auto t = Clock::now();
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, Q, K, 1.0, l1, M, beta, w1_.get(), M);
    cblas_dsyr2k(CblasColMajor, CblasLower, CblasNoTrans, Q, K, 1.0, b, M, l2, M, beta, w2_.get(), M);
    if (R > 0) {
      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, R, Q, K, 1.0, l1 + q, M, l1, M, beta, w1_.get() + q, M);
      // [B | L2](q:) [L2 | B](0:q)^T: one product with inner dimension 2K.
      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, R, Q, 2 * K, 1.0, b + q, M, l2, M, beta, w2_.get() + q, M);
    }
    blasSeconds += std::chrono::duration<double>(Clock::now() - t).count();
  }

  // Adds w1 into r1 and w2 into r2 (rows a0.. of supernode k against its rows a0..a0+q-1).
  void scatter(int64_t k, int64_t a0, int64_t m, int64_t q) {
    const int64_t* rows = S_.s + S_.pi[k] + a0;
    int64_t target = -1;
    for (int64_t bcol = 0; bcol < q; ++bcol) {
      const int64_t j = rows[bcol], t = colSuper_[static_cast<size_t>(j)];
      const int64_t trows = S_.rows(t);
      const int64_t* tRows = S_.s + S_.pi[t];
      if (t != target) {
        target = t;
        for (int64_t z = 0; z < trows; ++z) map_[static_cast<size_t>(tRows[z])] = z;
      }
      const size_t offset = static_cast<size_t>((S_.px[t] - base_) + (j - S_.super[t]) * trows);
      double *d1 = r1.data() + offset, *d2 = r2.data() + offset;
      const double *s1 = w1_.get() + bcol * m, *s2 = w2_.get() + bcol * m;
      for (int64_t a = bcol; a < m; ++a) {
        const int64_t z = map_[static_cast<size_t>(rows[a])];
        if (z < 0 || z >= trows || tRows[z] != rows[a]) throw CodedError("ERR_NATIVE", "convreg: factor pattern is not closed under L L^T");
        d1[z] += s1[a];
        d2[z] += s2[a];
      }
    }
  }

  const Supernodes& S_;
  const std::vector<int64_t>& colSuper_;
  const std::vector<double>& sigma_;
  const int64_t blockDoubles_;  // each work buffer: four column groups of the split, or one product
  int64_t base_ = 0;
  std::vector<int64_t> map_;
  std::vector<double> rowSigma_;
  std::unique_ptr<double[]> parts_, w1_, w2_;  // not cleared: every entry read is written first
};

// Supernodes [s0, s1) cut into `parts` consecutive runs of about equal storage in L: the runs are
// [cuts[w], cuts[w + 1]).
std::vector<int64_t> splitByStorage(const Supernodes& S, ColumnRange range, int parts) {
  std::vector<int64_t> cuts{range.s0};
  for (int w = 1; w < parts; ++w) {
    const double cut = static_cast<double>(S.px[range.s0]) + static_cast<double>(S.px[range.s1] - S.px[range.s0]) * w / parts;
    int64_t t = cuts.back();
    while (t < range.s1 && static_cast<double>(S.px[t]) < cut) ++t;
    cuts.push_back(t);
  }
  cuts.push_back(range.s1);
  return cuts;
}

// Finishes supernodes [t0, t1) of a range: r1 = H~ - (sum of the parts' L1 L1^T), exact until H~
// is added (one rounding per entry), then R~ = fl(r1 - sum of the parts' cross products), and
// adds the row sums of |R~| (each stored off-diagonal entry counts in two rows) into rowAbsSum.
// Column j of the lower triangle of H~ (rows in any order) lies within column j of L's pattern.
void finishSupernodes(const Supernodes& S, const cholmod_sparse& A, double shift, ColumnRange range, int64_t t0, int64_t t1,
                      const std::vector<RangePart*>& parts, std::vector<int64_t>& map, std::vector<double>& rowAbsSum) {
  const auto* aStart = static_cast<const int64_t*>(A.p);
  const auto* aRow = static_cast<const int64_t*>(A.i);
  const auto* aValue = static_cast<const double*>(A.x);
  const int64_t base = S.px[range.s0];
  std::vector<double>& r1 = parts[0]->r1;
  std::vector<double>& r2 = parts[0]->r2;
  for (int64_t t = t0; t < t1; ++t) {
    const size_t e0 = static_cast<size_t>(S.px[t] - base), e1 = static_cast<size_t>(S.px[t + 1] - base);
    for (size_t p = 1; p < parts.size(); ++p)
      for (size_t e = e0; e < e1; ++e) r1[e] += parts[p]->r1[e], r2[e] += parts[p]->r2[e];
    for (size_t e = e0; e < e1; ++e) r1[e] = -r1[e];
    const int64_t* pattern = S.s + S.pi[t];
    for (int64_t z = 0; z < S.rows(t); ++z) map[static_cast<size_t>(pattern[z])] = z;
    for (int64_t j = S.super[t]; j < S.super[t + 1]; ++j) {
      const int64_t jj = j - S.super[t];
      double* column = r1.data() + e0 + jj * S.rows(t);
      bool diagonalSeen = false;
      for (int64_t z = aStart[j]; z < aStart[j + 1]; ++z) {
        const int64_t i = aRow[z], at = i >= j ? map[static_cast<size_t>(i)] : -1;
        if (at < jj || at >= S.rows(t) || pattern[at] != i) throw CodedError("ERR_NATIVE", "convreg: matrix entry outside the factor's pattern");
        column[at] += i == j ? aValue[z] - shift : aValue[z];
        diagonalSeen = diagonalSeen || i == j;
      }
      if (!diagonalSeen) column[jj] -= shift;
      const double* x2 = r2.data() + e0 + jj * S.rows(t);
      rowAbsSum[static_cast<size_t>(j)] += std::fabs(column[jj] - x2[jj]);
      double sum = 0;
      for (int64_t ii = jj + 1; ii < S.rows(t); ++ii) {
        const double a = std::fabs(column[ii] - x2[ii]);
        rowAbsSum[static_cast<size_t>(pattern[ii])] += a;
        sum += a;
      }
      rowAbsSum[static_cast<size_t>(j)] += sum;
    }
  }
}

}  // namespace

ResidualBound factorResidualBound(const cholmod_factor* L, const cholmod_sparse& A, double shift, const ResidualOptions& options) {
  const std::atomic<bool>* cancel = options.cancel;
  const int64_t normSteps = options.normSteps;
  const double enough = options.enough;
  auto checkCancel = [&] {
    if (cancel && cancel->load()) throw CodedError("ERR_ABORTED", "convreg: sigmaMin was aborted");
  };
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  const auto start = Clock::now();
  const Supernodes S(L);
  const int64_t n = S.n;
  ResidualBound out;
  if (A.stype >= 0 || !A.packed || static_cast<int64_t>(A.ncol) != n || A.itype != CHOLMOD_LONG || A.xtype != CHOLMOD_REAL)
    throw CodedError("ERR_NATIVE", "convreg: the residual needs the permuted lower triangle of the matrix (packed)");
  std::vector<int64_t> colSuper(static_cast<size_t>(n));
  for (int64_t k = 0; k < S.count; ++k)
    for (int64_t j = S.super[k]; j < S.super[k + 1]; ++j) colSuper[j] = k;

  // Row maxima and counts (one pass over L, on the workers' halves of it), then the split points
  // sigma_i = 2^(e_i + b).
  const int workers = std::max(1, options.workers);
  std::vector<std::vector<double>> rowMaxes(static_cast<size_t>(workers)), rowCounts(static_cast<size_t>(workers));
  const std::vector<int64_t> halves = splitByStorage(S, ColumnRange{0, S.count}, workers);
  runOnWorkers(workers, [&](int w) {
    std::vector<double>& rowMax = rowMaxes[static_cast<size_t>(w)];
    std::vector<double>& rowCount = rowCounts[static_cast<size_t>(w)];
    rowMax.assign(static_cast<size_t>(n), 0.0);
    rowCount.assign(static_cast<size_t>(n), 0.0);
    for (int64_t k = halves[static_cast<size_t>(w)]; k < halves[static_cast<size_t>(w) + 1]; ++k)
      for (int64_t jj = 0; jj < S.cols(k); ++jj)
        for (int64_t ii = jj; ii < S.rows(k); ++ii) {
          const int64_t r = S.s[S.pi[k] + ii];
          rowMax[r] = std::max(rowMax[r], std::fabs(S.x[S.px[k] + jj * S.rows(k) + ii]));
          rowCount[r] += 1;
        }
  });
  std::vector<double>& rowMax = rowMaxes[0];
  std::vector<double>& rowCount = rowCounts[0];
  for (size_t w = 1; w < rowMaxes.size(); ++w)
    for (int64_t i = 0; i < n; ++i) {
      rowMax[static_cast<size_t>(i)] = std::max(rowMax[static_cast<size_t>(i)], rowMaxes[w][static_cast<size_t>(i)]);
      rowCount[static_cast<size_t>(i)] += rowCounts[w][static_cast<size_t>(i)];
    }
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

  // Column ranges with at most rangeBytes of residual buffers (two per worker), so that only |R~|'s
  // row sums outlive a range: rho(|R~|) <= max row sum. The workers share each range: its tasks
  // are dealt out by cost (largest first, to the less loaded), the same way every time, and the
  // parts are added in worker order, so the bound does not depend on timing.
  const int64_t blockDoubles = std::max<int64_t>(1, options.blockDoubles);
  const double perRange = options.rangeBytes / (2.0 * workers);
  std::vector<ColumnRange> ranges;
  for (int64_t s0 = 0; s0 < S.count;) {
    int64_t s1 = s0 + 1;
    while (s1 < S.count && static_cast<double>(S.px[s1 + 1] - S.px[s0]) * 8 <= perRange) ++s1;
    ranges.push_back(ColumnRange{s0, s1});
    s0 = s1;
  }
  std::vector<std::unique_ptr<RangePart>> owned;
  std::vector<RangePart*> parts;
  for (int w = 0; w < workers; ++w) {
    owned.push_back(std::make_unique<RangePart>(S, colSuper, sigma, blockDoubles));
    parts.push_back(owned.back().get());
  }
  std::vector<std::vector<double>> rowSums(static_cast<size_t>(workers), std::vector<double>(static_cast<size_t>(n), 0.0));
  std::vector<std::vector<int64_t>> maps(static_cast<size_t>(workers), std::vector<int64_t>(static_cast<size_t>(n), -1));
  {
    std::unique_ptr<SingleThreadedBlas> single;  // several workers: each BLAS call single-threaded
    if (workers > 1) single = std::make_unique<SingleThreadedBlas>();
    for (const ColumnRange& range : ranges) {
      checkCancel();
      std::vector<Task> tasks = rangeTasks(S, range, blockDoubles);
      std::stable_sort(tasks.begin(), tasks.end(), [](const Task& x, const Task& y) { return x.cost > y.cost; });
      std::vector<std::vector<Task>> dealt(static_cast<size_t>(workers));
      std::vector<double> load(static_cast<size_t>(workers), 0.0);
      for (const Task& task : tasks) {
        const size_t w = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        dealt[w].push_back(task);
        load[w] += task.cost;
      }
      runOnWorkers(workers, [&](int w) {
        RangePart& part = *parts[static_cast<size_t>(w)];
        part.begin(range);
        for (size_t i = 0; i < dealt[static_cast<size_t>(w)].size(); ++i) {
          if ((i & 15) == 0) checkCancel();
          part.add(dealt[static_cast<size_t>(w)][i]);
        }
      });
      // Finishing: the range's supernodes split between the workers by their size in L.
      const std::vector<int64_t> bounds = splitByStorage(S, range, workers);
      runOnWorkers(workers, [&](int w) {
        finishSupernodes(S, A, shift, range, bounds[static_cast<size_t>(w)], bounds[static_cast<size_t>(w) + 1], parts, maps[static_cast<size_t>(w)],
                         rowSums[static_cast<size_t>(w)]);
      });
    }
  }
  for (const RangePart* part : parts) out.blasSeconds += part->blasSeconds;
  owned.clear();
  std::vector<double>& rowAbsSum = rowSums[0];
  for (size_t w = 1; w < rowSums.size(); ++w)
    for (int64_t i = 0; i < n; ++i) rowAbsSum[static_cast<size_t>(i)] += rowSums[w][static_cast<size_t>(i)];
  checkCancel();
  const auto tn = Clock::now();
  std::vector<double> mid(static_cast<size_t>(n)), ones(static_cast<size_t>(n), 1.0);
  out.computedPart = safety * *std::max_element(rowAbsSum.begin(), rowAbsSum.end());
  out.normSteps = {out.computedPart};
  // The norms of |L| and |L2| only scale the rounding term: one power step each first, and the
  // full steps only if that bound does not fit `enough` (every step's bound is valid).
  auto boundWith = [&](int64_t steps) {
    // The two norms on two workers when there are two (each pass over L is memory-bound).
    double absL = 0, l2F = 0;
    std::vector<double> mid2(static_cast<size_t>(n));
    runOnWorkers(std::min(workers, 2), [&](int w) {
      if (w == 0 || workers == 1)
        absL = std::sqrt(nonnegativeNormBound(
            [&](const std::vector<double>& x, std::vector<double>& t) { applyAbsFactorProduct(L, ones, x, t, mid); }, static_cast<size_t>(n), steps));
      // R - R~ = -(rounding of H~ - L1 L1^T) - (rounding of the cross products' sum, R_acc a leaf of
      // it) + the rounding of B: |R - R~| <= g (|R_acc| + X), X = |B||L2^T| + |L2||B^T|, and
      // |R_acc| <= 1.01 (|R~| + 1.01 X); rho(X) <= 2 || |B| ||_2 || |L2| ||_2.
      if (w == 1 || workers == 1)
        l2F = std::sqrt(nonnegativeNormBound(
            [&](const std::vector<double>& x, std::vector<double>& t) {
              applyAbsEntries(S, ones, x, t, mid2, [&](double v, int64_t row) { return v - highPart(v, sigma[row]); });
            },
            static_cast<size_t>(n), steps));
    });
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
