// Branch and bound for sup_w sigma_max(A(w)); the proof of every step is in docs/MATH.md,
// "A proven upper bound on sigma_max at any N". Notation: u = 2^-53 (unit roundoff),
// gamma(n) = n u / (1 - n u).
#include "symbol_bound.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <map>
#include <queue>
#include <utility>
#include <vector>

#include "blas.h"
#include "coded_error.h"

namespace convreg {
namespace {

using cd = std::complex<double>;
constexpr double kUnit = 0x1p-53;
constexpr double kTwoPi = 6.283185307179586;
// Coordinates on the torus are integers in units of 2 pi / 2^kLevels.
constexpr int kLevels = 40;
constexpr int64_t kFull = int64_t{1} << kLevels;
// An absolute term per operation covering underflow (the gamma model ignores it): 2^-1060.
constexpr double kUnderflow = 0x1p-1060;

double gamma(double n) { return n * kUnit / (1 - n * kUnit); }

struct Tap {
  int64_t u1, u2;  // offset on the coarse (polyphase) grid
  int64_t block;   // polyphase component phi1 * s + phi2
  int64_t index;   // (p k + q): the tap's slice of the kernel
};

// Evaluates sigma_max of the polyphase symbol at points w, with a proven interval around it.
class SymbolEvaluator {
 public:
  SymbolEvaluator(int64_t k, int64_t g, int64_t h, const double* kernel, int64_t s, int64_t d)
      : g_(g), h_(h), rows_(g * s * s), kernel_(kernel), a_(rows_ * h) {
    for (int64_t p = 0; p < k; ++p)
      for (int64_t q = 0; q < k; ++q) {
        const int64_t t1 = p * d, t2 = q * d;
        taps_.push_back({t1 / s, t2 / s, (t1 % s) * s + t2 % s, p * k + q});
      }
    // Each tap's g x h slice transposed (h x g), so that forming the column-major symbol reads and
    // writes contiguously.
    const int64_t taps = k * k;
    slices_.resize(taps * g * h);
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t din = 0; din < g; ++din)
        for (int64_t c = 0; c < h; ++c) slices_[(t * h + c) * g + din] = kernel[(t * g + din) * h + c];
    side_ = std::min(rows_, h_);
    inner_ = std::max(rows_, h_);
    gram_.resize(side_ * side_);
    eig_.resize(side_);
    work_.resize(side_ * 66 + 1);
    rwork_.resize(side_ * 7 + 1);
    iwork_.resize(side_ * 5 + 3);
    ifail_.resize(side_);
    // rho_A: worst-case error of the computed symbol, entrywise
    // (4u + 2 pi gamma(4) Umax + 2 gamma(T)) sum_t |K_t|, in Frobenius norm (MATH.md, step 4).
    std::vector<double> absSum(rows_ * h_, 0.0);
    double umax = 0;
    for (const Tap& t : taps_) {
      umax = std::max(umax, static_cast<double>(std::abs(t.u1) + std::abs(t.u2)));
      for (int64_t din = 0; din < g_; ++din)
        for (int64_t c = 0; c < h_; ++c) absSum[(t.block * g_ + din) + c * rows_] += std::fabs(entry(t, din, c));
    }
    double s2 = 0;
    for (double v : absSum) s2 += v * v;
    const double terms = static_cast<double>(taps_.size());
    rhoA_ = 1.01 * ((4 * kUnit + kTwoPi * gamma(4) * umax + 2 * gamma(terms)) * std::sqrt(s2) +
                    kUnderflow * terms * static_cast<double>(rows_ * h_));
    // LAPACK's backward error for the Hermitian eigenvalues, |lambda^ - lambda| <= p(n) u ||G||_2, with
    // a deliberately generous p(n) = 4 n^2 (the Users' Guide only calls p "modestly growing").
    const double n = static_cast<double>(side_);
    // Plus the bisection's stopping width with ABSTOL = 0, ulp ||T||_1 <= 2u 3 ||T||_2 (T tridiagonal): 7u.
    gramFactor_ = 1.01 * ((4 * n * n + 7) * kUnit * (1 + 2 * gamma(inner_ + 2)) + 2 * gamma(inner_ + 2));
  }

  const std::vector<Tap>& taps() const { return taps_; }
  double entry(const Tap& t, int64_t din, int64_t c) const { return kernel_[(t.index * g_ + din) * h_ + c]; }
  double rhoA() const { return rhoA_; }

  // The computed sigma_max (no margin).
  double estimate(double w1, double w2) {
    form(w1, w2);
    return std::sqrt(std::max(topEigenvalue(), 0.0));
  }

  // [lower, upper] around sigma_max(A(w)) of the exact symbol at the point w.
  std::pair<double, double> interval(double w1, double w2) {
    form(w1, w2);
    double fa = 0;
    // re^2 + im^2: std::norm goes through hypot in libstdc++, a third of the time here.
    for (const cd& z : a_) fa += z.real() * z.real() + z.imag() * z.imag();
    const double lambda = topEigenvalue();
    const double eLambda = gramFactor_ * fa + kUnderflow * static_cast<double>(side_ * side_ * inner_);
    const double up = std::sqrt(std::max(lambda, 0.0) + eLambda) * (1 + 4 * kUnit) + rhoA_;
    const double low = std::max(0.0, std::sqrt(std::max(lambda - eLambda, 0.0)) * (1 - 4 * kUnit) - rhoA_);
    return {low, up};
  }

 private:
  void form(double w1, double w2) {
    std::fill(a_.begin(), a_.end(), cd(0, 0));
    for (const Tap& t : taps_) {
      const double theta = static_cast<double>(t.u1) * w1 + static_cast<double>(t.u2) * w2;
      const cd z(std::cos(theta), std::sin(theta));
      cd* out = a_.data() + t.block * g_;
      const double* kt = slices_.data() + t.index * g_ * h_;
      for (int64_t c = 0; c < h_; ++c)
        for (int64_t din = 0; din < g_; ++din) out[din + c * rows_] += kt[c * g_ + din] * z;
    }
  }

  // Largest eigenvalue of the smaller Gram matrix of the formed symbol.
  double topEigenvalue() {
    const bool inputSide = rows_ >= h_;  // G = A^H A (h x h) else A A^H (rows x rows)
    cblas_zherk(CblasColMajor, CblasUpper, inputSide ? CblasConjTrans : CblasNoTrans, static_cast<int>(side_),
                static_cast<int>(inputSide ? rows_ : h_), 1.0, a_.data(), static_cast<int>(rows_), 0.0, gram_.data(),
                static_cast<int>(side_));
    // Only the largest eigenvalue: zheevx (zhetrd, then bisection for eigenvalue n alone) instead of
    // all of them. Explicit workspaces: the size LAPACKE's query returns for zheevd was too small for
    // OpenBLAS's blocked zhetrd (it wrote past it); 66 n covers a block size of 64.
    const lapack_int n = static_cast<lapack_int>(side_);
    lapack_int found = 0;
    lapack_complex_double unusedZ[1];
    const lapack_int info = LAPACKE_zheevx_work(LAPACK_COL_MAJOR, 'N', 'I', 'U', n, reinterpret_cast<lapack_complex_double*>(gram_.data()), n,
                                                0.0, 0.0, n, n, 0.0, &found, eig_.data(), unusedZ, 1,
                                                reinterpret_cast<lapack_complex_double*>(work_.data()), static_cast<lapack_int>(work_.size()),
                                                rwork_.data(), iwork_.data(), ifail_.data());
    if (info != 0 || found != 1)
      throw CodedError("ERR_NATIVE", "zheevx failed in the symbol bound (info " + std::to_string(info) + ")");
    return eig_[0];
  }

  int64_t g_, h_, rows_, side_ = 1, inner_ = 1;
  const double* kernel_;
  std::vector<Tap> taps_;
  std::vector<cd> a_, gram_;
  std::vector<double> eig_, rwork_;
  std::vector<cd> work_;
  std::vector<lapack_int> iwork_, ifail_;
  std::vector<double> slices_;
  double rhoA_ = 0, gramFactor_ = 0;
};

// An upper bound on ||X||_2 for a real row-major rows x cols X: the top eigenvalue of the smaller
// Gram matrix by dsyevd, plus the same backward-error margin as for the symbol (step 4), capped by ||X||_F.
double normUpper(const std::vector<double>& x, int64_t rows, int64_t cols) {
  double f2 = 0;
  for (double v : x) f2 += v * v;
  if (f2 == 0) return 0;
  const int64_t side = std::min(rows, cols), inner = std::max(rows, cols);
  std::vector<double> gram(side * side), w(side), work(side * 66 + 1);
  std::vector<lapack_int> iwork(side * 5 + 3);
  cblas_dsyrk(CblasRowMajor, CblasUpper, rows >= cols ? CblasTrans : CblasNoTrans, static_cast<int>(side), static_cast<int>(inner), 1.0,
              x.data(), static_cast<int>(cols), 0.0, gram.data(), static_cast<int>(side));
  const lapack_int n = static_cast<lapack_int>(side);
  const lapack_int info = LAPACKE_dsyevd_work(LAPACK_ROW_MAJOR, 'N', 'U', n, gram.data(), n, w.data(), work.data(),
                                              static_cast<lapack_int>(work.size()), iwork.data(), static_cast<lapack_int>(iwork.size()));
  if (info != 0) throw CodedError("ERR_NATIVE", "dsyevd failed in the symbol bound (info " + std::to_string(info) + ")");
  const double sn = static_cast<double>(side);
  const double margin = 1.01 * (4 * sn * sn * kUnit * (1 + gamma(inner + 2)) + gamma(inner + 2)) * f2 + kUnderflow * sn * sn * inner;
  return std::min(std::sqrt(std::max(w[side - 1], 0.0) + margin), std::sqrt(f2)) * (1 + 4 * kUnit);
}

// What the cell bounds need (MATH.md, step 2): per tap an upper value of ||K_t|| and ||v_t||_1 with
// v_t = u_t - (centre of the offsets of t's polyphase block), and ||W|| for W = [P K_1, ..., P K_T]
// side by side, so that ||sum_t P K_t a_t|| <= min(sum_t ||K_t|| |a_t|, ||W|| ||a||_2).
struct Constants {
  std::vector<double> norm, v;
  double wide = 0;
  double l1 = 0, l2 = 0;  // sum_t ||K_t|| ||v_t||_1 and the smaller of sum_t ||K_t|| ||v_t||_1^2, ||W|| (sum_t ||v_t||_1^4)^(1/2)

  // sup over |eta|_inf <= r of ||sum_t P K_t (e^{i<v_t, w + eta>} - e^{i<v_t, w>})||, using |e^{ia} - e^{ib}| <= min(2, |a - b|).
  double moved(double r) const {
    double sum = 0, squares = 0;
    for (size_t t = 0; t < norm.size(); ++t) {
      const double d = std::min(2.0, r * v[t]);
      sum += norm[t] * d;
      squares += d * d;
    }
    return std::min(sum, wide * std::sqrt(squares)) * 1.0001;  // the factor covers the rounding of these sums
  }
  // A bound on sigma_max(A(w)) at every w: ||sum_t P K_t z_t|| with |z_t| = 1.
  double everywhere() const {
    double sum = 0;
    for (double n : norm) sum += n;
    return std::min(sum, wide * std::sqrt(static_cast<double>(norm.size()))) * 1.0001;
  }
};

Constants constants(const SymbolEvaluator& e, int64_t blocks, int64_t g, int64_t h) {
  std::vector<double> lo1(blocks, 1e300), hi1(blocks, -1e300), lo2(blocks, 1e300), hi2(blocks, -1e300);
  for (const Tap& t : e.taps()) {
    lo1[t.block] = std::min(lo1[t.block], double(t.u1));
    hi1[t.block] = std::max(hi1[t.block], double(t.u1));
    lo2[t.block] = std::min(lo2[t.block], double(t.u2));
    hi2[t.block] = std::max(hi2[t.block], double(t.u2));
  }
  const int64_t taps = static_cast<int64_t>(e.taps().size()), rows = blocks * g, cols = h * taps;
  std::vector<double> wide(rows * cols, 0.0), kt(g * h);
  Constants c;
  double fourth = 0;
  for (int64_t i = 0; i < taps; ++i) {
    const Tap& t = e.taps()[i];
    for (int64_t din = 0; din < g; ++din)
      for (int64_t o = 0; o < h; ++o) {
        kt[din * h + o] = e.entry(t, din, o);
        wide[(t.block * g + din) * cols + i * h + o] = kt[din * h + o];
      }
    const double norm = normUpper(kt, g, h);
    const double v = std::fabs(t.u1 - 0.5 * (lo1[t.block] + hi1[t.block])) + std::fabs(t.u2 - 0.5 * (lo2[t.block] + hi2[t.block]));
    c.norm.push_back(norm);
    c.v.push_back(v);
    c.l1 += norm * v;
    c.l2 += norm * v * v;
    fourth += v * v * v * v;
  }
  c.wide = normUpper(wide, rows, cols);
  c.l1 *= 1.0001;
  c.l2 = std::min(c.l2, c.wide * std::sqrt(fourth)) * 1.0001;  // the factor covers the rounding of these sums
  return c;
}

struct Cell {
  double upper;
  int64_t x, y, size;  // lower-left corner and side, in units of 2 pi / 2^kLevels
  bool operator<(const Cell& o) const { return upper < o.upper; }
};

void requireSizes(int64_t k, int64_t g, int64_t h, const SymbolBoundOptions& o) {
  if (k < 1 || g < 1 || h < 1 || k > 1024 || g > (1 << 16) || h > (1 << 16))
    throw CodedError("ERR_SHAPE", "symbol bound: sizes k, g, h out of range");
  if (o.stride < 1 || o.stride > 64 || o.dilation < 1 || o.dilation > 64)
    throw CodedError("ERR_ARGUMENT", "symbol bound: stride and dilation must be integers between 1 and 64");
  if (!(o.tolerance > 0) || !std::isfinite(o.tolerance)) throw CodedError("ERR_ARGUMENT", "symbol bound: tolerance must be > 0");
  if (o.maxCells < 1) throw CodedError("ERR_ARGUMENT", "symbol bound: maxCells must be >= 1");
}

}  // namespace

double symbolSigmaMax(int64_t k, int64_t g, int64_t h, const double* kernel, int64_t stride, int64_t dilation,
                      double w1, double w2) {
  SymbolBoundOptions o;
  o.stride = stride;
  o.dilation = dilation;
  requireSizes(k, g, h, o);
  SymbolEvaluator e(k, g, h, kernel, stride, dilation);
  return e.estimate(w1, w2);
}

SymbolBoundResult symbolBound(int64_t k, int64_t g, int64_t h, const double* kernel, const SymbolBoundOptions& o) {
  requireSizes(k, g, h, o);
  // Scale by a power of two (exact) so that squares neither overflow nor underflow.
  double maxAbs = 0;
  const int64_t size = k * k * g * h;
  for (int64_t i = 0; i < size; ++i) maxAbs = std::max(maxAbs, std::fabs(kernel[i]));
  SymbolBoundResult r;
  if (maxAbs == 0) {
    r.converged = true;
    return r;
  }
  const int exponent = std::ilogb(maxAbs);
  std::vector<double> scaled(kernel, kernel + size);
  for (double& v : scaled) v = std::ldexp(v, -exponent);

  SymbolEvaluator eval(k, g, h, scaled.data(), o.stride, o.dilation);
  // n1 + n2: half the spread of the taps' coarse offsets per axis (the symbol's degrees about their centre).
  double degrees = 0;
  {
    int64_t lo1 = INT64_MAX, hi1 = INT64_MIN, lo2 = INT64_MAX, hi2 = INT64_MIN;
    for (const Tap& t : eval.taps()) {
      lo1 = std::min(lo1, t.u1);
      hi1 = std::max(hi1, t.u1);
      lo2 = std::min(lo2, t.u2);
      hi2 = std::max(hi2, t.u2);
    }
    degrees = 0.5 * static_cast<double>((hi1 - lo1) + (hi2 - lo2));
  }
  // All taps at one coarse offset u ((k - 1) d < s): A(w) = e^{i<u, w>} A(0), so sigma_max(A) is
  // constant and one point is the supremum (MATH.md §9, step 5); the Lipschitz constants are 0.
  if (degrees == 0) {
    const auto v = eval.interval(0, 0);
    r.cells = 1;
    r.points = 1;
    r.converged = true;
    r.upper = std::ldexp(v.second, exponent);
    r.lower = std::ldexp(v.first, exponent);
    r.roundingMargin = std::ldexp(v.second - v.first, exponent);
    return r;
  }
  const Constants bounds = constants(eval, o.stride * o.stride, g, h);
  const double l2 = bounds.l2, everywhere = bounds.everywhere();
  r.lipschitz1 = std::ldexp(bounds.l1, exponent);
  r.lipschitz2 = std::ldexp(l2, exponent);

  // Proven [lower, upper] of sigma_max(A(w)) per dyadic point, cached. sigma_max(A) is 2 pi periodic
  // and, K being real, even (A(-w) = conj A(w)): the key is the smaller of (x, y) and (-x, -y) mod 2^40.
  std::map<std::pair<int64_t, int64_t>, std::pair<double, double>> points;
  double best = 0;
  auto point = [&](int64_t x, int64_t y) {
    x = ((x % kFull) + kFull) % kFull;
    y = ((y % kFull) + kFull) % kFull;
    const std::pair<int64_t, int64_t> key = std::min(std::make_pair(x, y), std::make_pair((kFull - x) % kFull, (kFull - y) % kFull));
    auto it = points.find(key);
    if (it != points.end()) return it->second;
    const double unit = kTwoPi / static_cast<double>(kFull);
    const auto v = eval.interval(static_cast<double>(key.first) * unit, static_cast<double>(key.second) * unit);
    r.roundingMargin = std::max(r.roundingMargin, v.second - v.first);
    best = std::max(best, v.first);
    points.emplace(key, v);
    return v;
  };
  // sup over a cell of half-width delta (MATH.md, steps 2-3): second order from the four corners,
  // first order from the lowest corner, or the bound valid everywhere, whichever is smallest.
  auto cellUpper = [&](int64_t x, int64_t y, int64_t side) {
    double maxUp = 0, minUp = 1e308;
    for (int64_t dx : {int64_t{0}, side})
      for (int64_t dy : {int64_t{0}, side}) {
        const double up = point(x + dx, y + dy).second;
        maxUp = std::max(maxUp, up);
        minUp = std::min(minUp, up);
      }
    const double delta = kTwoPi * static_cast<double>(side) / static_cast<double>(kFull) / 2;
    double upper = std::min({maxUp + delta * delta * l2, minUp + bounds.moved(2 * delta), everywhere});
    // Valid for the cell holding a maximizer of sigma_max(A), which is all the search needs
    // (MATH.md §9, step 3b): the largest of the corners and the centre over cos((n1 + n2) delta / 2)
    // (every point of the cell is that close to one of them), while that angle is below pi/2.
    const double angle = degrees * delta / 2 * (1 + 1e-12);
    if (angle < 1.5 && side >= 2) {
      const double sampled = std::max(maxUp, point(x + side / 2, y + side / 2).second);
      upper = std::min(upper, sampled / std::cos(angle) * (1 + 16 * kUnit));
    }
    return upper * (1 + 8 * kUnit);
  };

  // The half torus [0, 2 pi] x [0, pi] suffices by the symmetry; 2m x m cells to start, m = 8
  // unless maxCells is smaller (a coarse but still proven bound for large channel counts).
  // m a power of two, so that the 2m x m cells tile the half torus exactly (2^40 / 2m is an integer).
  int64_t m = 1;
  while (2 * m <= 8 && 2 * (2 * m) * (2 * m) <= o.maxCells) m *= 2;
  std::priority_queue<Cell> queue;
  double finished = 0;  // largest upper value of the cells dropped
  auto add = [&](int64_t x, int64_t y, int64_t side) {
    ++r.cells;
    queue.push({cellUpper(x, y, side), x, y, side});
  };
  const int64_t start = kFull / (2 * m);
  for (int64_t i = 0; i < 2 * m; ++i)
    for (int64_t j = 0; j < m; ++j) add(i * start, j * start, start);
  double upper = 0;
  while (true) {
    const Cell top = queue.top();
    if (top.upper <= best * (1 + o.tolerance)) {
      r.converged = true;
      upper = std::max(top.upper, finished);
      break;
    }
    if (r.cells + 4 > o.maxCells || top.size < 2) {
      upper = std::max(top.upper, finished);
      break;
    }
    queue.pop();
    const int64_t half = top.size / 2;
    for (int64_t dx : {int64_t{0}, half})
      for (int64_t dy : {int64_t{0}, half}) {
        ++r.cells;
        const double up = cellUpper(top.x + dx, top.y + dy, half);
        if (up <= best * (1 + o.tolerance)) finished = std::max(finished, up);
        else queue.push({up, top.x + dx, top.y + dy, half});
      }
    if (queue.empty()) {
      r.converged = true;
      upper = finished;
      break;
    }
  }
  r.points = static_cast<int64_t>(points.size());
  r.upper = std::ldexp(upper, exponent);
  r.lower = std::ldexp(best, exponent);
  r.roundingMargin = std::ldexp(r.roundingMargin, exponent);
  return r;
}

}  // namespace convreg
