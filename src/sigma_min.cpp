// sigma_min(M) = sqrt(lambda_1(G)) for the smaller Gram matrix G = A^T A (gram_side.h).
//
// 1. G (upper triangle) is built from the tap products; its pixel graph is ordered by METIS
//    nested dissection and each pixel's channels are kept together; CHOLMOD analyses and
//    factors fl(G) - s0 I (supernodal, BLAS) with s0 a tiny negative shift.
// 2. Lanczos on (fl(G) - s0 I)^{-1} (full reorthogonalization) estimates lambda_1, lambda_2
//    and a vector. The factor only knows fl(G), whose rounding error is about eps ||G||, so
//    the vector is then refined by preconditioned inverse iteration whose residual G v - rho v
//    = A^T (A v) - rho v uses long double products (error ~ 2^-64 per term): the factor serves
//    as the preconditioner only, and the refined pair is accurate far below eps ||G||.
// 3. Upper bound: lambda_1 <= rho(v) = ||A v||^2 / ||v||^2, with the rounding of A v bounded.
// 4. Lower bound, first choice (Kato-Temple): delete the coordinate i* where v is largest;
//    a successful Cholesky of fl(G') - beta I for the principal submatrix G' proves, after the
//    rounding margin, lambda_1(G') >= beta2, and by Cauchy interlacing lambda_2(G) >= beta2.
//    Then lambda_1 is the only eigenvalue below beta2 and lambda_1 >= rho - eps^2/(beta2 - rho)
//    where eps = ||G v - rho v||/||v||. This needs only a coarse beta2, so the eps ||G|| rounding
//    margin of a Gram Cholesky, fatal next to lambda_1 when cond(M)^2 approaches 1/eps, matters
//    only next to the gap lambda_2 - lambda_1.
//    Fallback (direct): a successful Cholesky of fl(G) - theta I proves lambda_1 >= theta - margin.
// Rounding margin of a Cholesky certificate: ||E_form|| + ||E_shift|| + ||E_chol|| with
//    |E_form| <= gamma_m |A|^T|A| (m = products and sums per entry); E_shift <= u (max g_ii +
//    |theta|); |E_chol| <= D |L||L^T| D with D = diag(sqrt(gamma_{c_i})), c_i the nonzeros in
//    row i of L (Higham, Thm 10.3 entry by entry; see factorErrorNorm).
//    The 2-norms of the nonnegative |A|^T|A| and D|L||L^T|D are bounded by Collatz-Wielandt
//    (max_i (B x)_i / x_i for a positive x from a few power steps). gamma_m is the
//    deterministic m u / (1 - m u) with worstCaseRounding (the default: a proof), else
//    10 sqrt(m) u (Higham & Mary's probabilistic bound, failure probability < 1e-20 per inner
//    product: an estimate, labelled so by the caller).
#include "sigma_min.h"

#include <cholmod.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <numeric>
#include <set>
#include <thread>
#include <utility>

#include "blas.h"
#include "blas_threads.h"
#include "coded_error.h"
#include "factor_residual.h"
#include "gram_problem.h"
#include "gram_side.h"
#include "native_memory.h"
#include "parallel.h"

namespace convreg {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr double u = std::numeric_limits<double>::epsilon() / 2;
constexpr long double uLd = std::numeric_limits<long double>::epsilon() / 2;
constexpr double safety = 1.01;  // bound computations are themselves rounded

double gammaWorst(double m) { return m * u / (1 - m * u); }
double gammaProbable(double m) { return std::expm1(10.0 * std::sqrt(m) * u + m * u * u / (1 - u)); }
double gammaLd(double m) { return static_cast<double>(m * uLd / (1 - m * uLd)); }

void checkCancel(const std::atomic<bool>* c) {
  if (c && c->load()) throw CodedError("ERR_ABORTED", "convreg: sigmaMin was aborted");
}

std::string formatGiB(double bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  return buf;
}

long double dotLd(const std::vector<double>& a, const std::vector<double>& b) {
  long double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<long double>(a[i]) * b[i];
  return s;
}
double norm2(const std::vector<double>& a) { return std::sqrt(static_cast<double>(dotLd(a, a))); }

struct Cholmod {
  cholmod_common c;
  cholmod_factor* L = nullptr;
  Cholmod() {
    cholmod_l_start(&c);
    c.print = 0;
    c.error_handler = nullptr;
    c.supernodal = CHOLMOD_SUPERNODAL;
    c.final_ll = 1;
    c.quick_return_if_not_posdef = 1;
  }
  ~Cholmod() {
    if (L) cholmod_l_free_factor(&L, &c);
    cholmod_l_finish(&c);
    // CHOLMOD counts its own blocks; any left after finish is a leak: make it visible for good.
    if (c.malloc_count > 0) {
      countObjects(static_cast<int64_t>(c.malloc_count));
      countAllocation(c.memory_inuse);
    }
  }
  Cholmod(const Cholmod&) = delete;
  Cholmod& operator=(const Cholmod&) = delete;
};

cholmod_sparse wrap(GramUpper& g) {
  cholmod_sparse A{};
  A.nrow = A.ncol = static_cast<size_t>(g.order);
  A.nzmax = g.value.size();
  A.p = g.colStart.data();
  A.i = g.row.data();
  A.x = g.value.data();
  A.stype = 1;
  A.itype = CHOLMOD_LONG;
  A.xtype = CHOLMOD_REAL;
  A.dtype = CHOLMOD_DOUBLE;
  A.sorted = 1;
  A.packed = 1;
  return A;
}

// Pixel offsets u - t between taps: the pixel graph's stencil.
std::vector<std::pair<int64_t, int64_t>> stencil(const GramSide& side) {
  std::set<std::pair<int64_t, int64_t>> d;
  for (const SideTap& t : side.taps)
    for (const SideTap& v : side.taps) d.emplace(v.dr - t.dr, v.ds - t.ds);
  return {d.begin(), d.end()};
}

// Geometric nested dissection of the n x n pixel grid: a strip `width` pixels wide (the
// stencil's reach) separates the two halves of the longer side; halves first, strip last.
void gridDissection(int64_t r0, int64_t r1, int64_t s0, int64_t s1, int64_t width, int64_t n, std::vector<int64_t>& order) {
  const int64_t hr = r1 - r0, hs = s1 - s0;
  if (hr <= 0 || hs <= 0) return;
  if (width == 0 || hr * hs <= 16 || std::max(hr, hs) <= 2 * width + 1) {
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t s = s0; s < s1; ++s) order.push_back(r * n + s);
    return;
  }
  if (hr >= hs) {
    const int64_t mid = r0 + (hr - width) / 2;
    gridDissection(r0, mid, s0, s1, width, n, order);
    gridDissection(mid + width, r1, s0, s1, width, n, order);
    for (int64_t r = mid; r < mid + width; ++r)
      for (int64_t s = s0; s < s1; ++s) order.push_back(r * n + s);
  } else {
    const int64_t mid = s0 + (hs - width) / 2;
    gridDissection(r0, r1, s0, mid, width, n, order);
    gridDissection(r0, r1, mid + width, s1, width, n, order);
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t s = mid; s < mid + width; ++s) order.push_back(r * n + s);
  }
}

// Fill-reducing ordering of the pixel graph (a pixel is adjacent to the pixels its Gram
// blocks couple), each pixel's channels kept together. Candidates: METIS nested dissection
// and geometric nested dissection of the grid; the symbolic analysis of the small pixel
// graph predicts their flops, and the cheaper one is used.
std::vector<int64_t> pixelOrdering(const GramSide& side, cholmod_common& c, std::string& name) {
  const int64_t n = side.n, np = n * n, sm = side.small;
  const auto st = stencil(side);
  int64_t width = 0;
  for (const auto& [dr, ds] : st) width = std::max({width, std::abs(dr), std::abs(ds)});
  std::vector<int64_t> colStart{0}, row;
  for (int64_t r2 = 0; r2 < n; ++r2)
    for (int64_t s2 = 0; s2 < n; ++s2) {
      std::vector<int64_t> rows;
      for (const auto& [dr, ds] : st) {
        const int64_t r = r2 - dr, s = s2 - ds;
        if (r < 0 || r >= n || s < 0 || s >= n) continue;
        const int64_t a = r * n + s;
        if (a <= r2 * n + s2) rows.push_back(a);
      }
      std::sort(rows.begin(), rows.end());
      row.insert(row.end(), rows.begin(), rows.end());
      colStart.push_back(static_cast<int64_t>(row.size()));
    }
  cholmod_sparse P{};
  P.nrow = P.ncol = static_cast<size_t>(np);
  P.nzmax = row.size();
  P.p = colStart.data();
  P.i = row.data();
  P.stype = 1;
  P.itype = CHOLMOD_LONG;
  P.xtype = CHOLMOD_PATTERN;
  P.dtype = CHOLMOD_DOUBLE;
  P.sorted = 1;
  P.packed = 1;

  std::vector<std::pair<std::string, std::vector<int64_t>>> candidates;
  {
    std::vector<int64_t> geo;
    gridDissection(0, n, 0, n, width, n, geo);
    candidates.emplace_back("geometric nested dissection of the pixel grid", std::move(geo));
  }
  std::vector<int64_t> perm(static_cast<size_t>(np));
  if (np > 1 && cholmod_l_metis(&P, nullptr, 0, 1, perm.data(), &c)) candidates.emplace_back("METIS nested dissection of the pixel graph", perm);
  // Predicted cost on the pixel graph: the flops of its own Cholesky (blocks scale it by small^3).
  const int savedMethods = c.nmethods, savedOrdering = c.method[0].ordering, savedSuper = c.supernodal;
  c.nmethods = 1;
  c.method[0].ordering = CHOLMOD_GIVEN;
  c.supernodal = CHOLMOD_SIMPLICIAL;
  double bestFlops = std::numeric_limits<double>::infinity();
  size_t best = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    cholmod_factor* Lp = cholmod_l_analyze_p(&P, candidates[i].second.data(), nullptr, 0, &c);
    if (!Lp) continue;
    if (c.fl < bestFlops) bestFlops = c.fl, best = i;
    cholmod_l_free_factor(&Lp, &c);
  }
  c.nmethods = savedMethods;
  c.method[0].ordering = savedOrdering;
  c.supernodal = savedSuper;
  name = candidates[best].first;
  const std::vector<int64_t>& chosen = candidates[best].second;
  std::vector<int64_t> full(static_cast<size_t>(np * sm));
  for (int64_t k = 0; k < np; ++k)
    for (int64_t ch = 0; ch < sm; ++ch) full[k * sm + ch] = chosen[k] * sm + ch;
  return full;
}

// Threads this call may use for its own parallel parts: as many as BLAS threads when it runs
// alone, but no more than the cores (each residual worker holds ~200 MB of work buffers).
int callThreads() {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return activeBlasCalls() <= 1 ? std::min(blasThreads(), cores) : 1;
}

// S is tril(P G P^T) in the factor's numbering (PermutedLower): CHOLMOD factors it as it is, where
// given G it would build that permuted copy anew for every factorization.
bool factorize(Cholmod& ch, cholmod_sparse& S, double shift, double& seconds, int64_t& count) {
  const auto t0 = Clock::now();
  double beta[2] = {-shift, 0};
  const int ordering = ch.L->ordering;
  ch.L->ordering = CHOLMOD_NATURAL;  // S is permuted already; L->Perm stays for the solves
  cholmod_l_factorize_p(&S, beta, nullptr, 0, ch.L, &ch.c);
  ch.L->ordering = ordering;
  seconds += since(t0);
  ++count;
  if (ch.c.status < CHOLMOD_OK) throw CodedError("ERR_NATIVE", "convreg: CHOLMOD numeric factorization failed (status " + std::to_string(ch.c.status) + ")");
  return ch.c.status == CHOLMOD_OK && ch.L->minor == ch.L->n;
}

// tril(P G P^T) with P = L->Perm (rows unsorted within a column), owned.
class PermutedLower {
 public:
  PermutedLower(cholmod_sparse& upper, Cholmod& ch) : ch_(ch) {
    m_ = cholmod_l_ptranspose(&upper, 2, static_cast<int64_t*>(ch.L->Perm), nullptr, 0, &ch.c);
    if (!m_) throw CodedError("ERR_NATIVE", "convreg: CHOLMOD could not permute the Gram matrix (status " + std::to_string(ch.c.status) + ")");
  }
  ~PermutedLower() { cholmod_l_free_sparse(&m_, &ch_.c); }
  PermutedLower(const PermutedLower&) = delete;
  PermutedLower& operator=(const PermutedLower&) = delete;
  cholmod_sparse& matrix() { return *m_; }

 private:
  Cholmod& ch_;
  cholmod_sparse* m_ = nullptr;
};

void solve(Cholmod& ch, const std::vector<double>& b, std::vector<double>& x) {
  cholmod_dense B{};
  B.nrow = b.size();
  B.ncol = 1;
  B.nzmax = b.size();
  B.d = b.size();
  B.x = const_cast<double*>(b.data());
  B.xtype = CHOLMOD_REAL;
  B.dtype = CHOLMOD_DOUBLE;
  cholmod_dense* X = cholmod_l_solve(CHOLMOD_A, ch.L, &B, &ch.c);
  if (!X) throw CodedError("ERR_NATIVE", "convreg: CHOLMOD solve failed");
  const double* xv = static_cast<const double*>(X->x);
  x.assign(xv, xv + b.size());
  cholmod_l_free_dense(&X, &ch.c);
}

int64_t longestColumn(const cholmod_factor* L) {
  const auto* pi = static_cast<const int64_t*>(L->pi);
  int64_t longest = 0;
  for (size_t s = 0; s < L->nsuper; ++s) longest = std::max(longest, pi[s + 1] - pi[s]);
  return longest;
}

// Bound on ||Delta||_2 for the backward error of the computed factor, fl(G) - theta I + Delta =
// L L^T (docs/MATH.md 7.2). Entry (i, j), i >= j, sums the t_ij products l_ik l_jk (k <= j, both
// nonzero; any order): |Delta_ij| <= gamma(t_ij) (|L||L^T|)_ij off the diagonal (a division),
// gamma(t_jj + 1) on it (a square root) (Higham, Lemma 8.4 / Thm 10.3, entry by entry). With c_i
// the nonzeros in row i of L (diagonal included), t_ij <= min(c_i, c_j) and t_jj = c_j; gamma is
// increasing and gamma(min(a, b)) <= sqrt(gamma(a) gamma(b)), so |Delta| <= D |L||L^T| D with
// D = diag(sqrt(gamma(c_i + 1))) and ||Delta||_2 <= rho(D|L||L^T|D) (Collatz-Wielandt).
// The power steps stop once a lower bound on rho exceeds stopAbove (`lower` gets it).
double factorErrorNorm(const cholmod_factor* L, const std::function<double(double)>& gamma, int64_t maxSteps, std::vector<double>* steps,
                       double stopAbove, double* lower) {
  std::vector<double> scale = factorRowCounts(L), mid(L->n);
  for (double& c : scale) c = std::sqrt(gamma(c + 1));
  return nonnegativeNormBound([&](const std::vector<double>& x, std::vector<double>& t) { applyAbsFactorProduct(L, scale, x, t, mid); }, L->n,
                              maxSteps, steps, stopAbove, lower);
}

// The Rayleigh quotient, residual and their rounding bounds for a vector v.
struct Evaluation {
  double rho = 0, rhoLower = 0, rhoUpper = 0, residual = 0, residualBound = 0, floor = 0;
  std::vector<double> r;  // G v - rho v (computed)
};

Evaluation evaluate(const GramProblem& p, const std::vector<double>& v, bool withBounds) {
  const size_t n = v.size(), m = static_cast<size_t>(p.otherSize);
  std::vector<double> w(m), z(n);
  p.applyA(v.data(), w.data(), false);
  p.applyAt(w.data(), z.data(), false);
  const long double vv = dotLd(v, v), ww = dotLd(w, w);
  Evaluation e;
  e.rho = static_cast<double>(ww / vv);
  e.r.resize(n);
  for (size_t i = 0; i < n; ++i) e.r[i] = static_cast<double>(static_cast<long double>(z[i]) - static_cast<long double>(e.rho) * v[i]);
  const double nv = std::sqrt(static_cast<double>(vv));
  e.residual = norm2(e.r) / nv;
  if (!withBounds) return e;
  // |fl(A v) - A v| <= gamma^ld_{m+1} |A||v| + u |w|.
  std::vector<double> absV(n), a(m), eW(m), absW(m), e1(n), e2(n);
  for (size_t i = 0; i < n; ++i) absV[i] = std::fabs(v[i]);
  p.applyA(absV.data(), a.data(), true);
  const double gA = gammaLd(static_cast<double>(p.maxTermsA + 1)), gAt = gammaLd(static_cast<double>(p.maxTermsAt + 1));
  for (size_t i = 0; i < m; ++i) {
    eW[i] = safety * (gA * a[i] + u * std::fabs(w[i]));
    absW[i] = std::fabs(w[i]);
  }
  const double nw = std::sqrt(static_cast<double>(ww)), nEW = norm2(eW);
  e.rhoUpper = (nw + nEW) * (nw + nEW) / (nv * nv) * (1 + 8 * u);
  e.rhoLower = nw > nEW ? (nw - nEW) * (nw - nEW) / (nv * nv) * (1 - 8 * u) : 0.0;
  // |fl(A^T w) - A^T A v| <= gamma |A^T||w| + u |z| + |A^T| eW; the residual adds u |r|.
  p.applyAt(absW.data(), e1.data(), true);
  p.applyAt(eW.data(), e2.data(), true);
  std::vector<double> eR(n);
  for (size_t i = 0; i < n; ++i) eR[i] = safety * (gAt * e1[i] + u * std::fabs(z[i]) + e2[i] * (1 + gAt) + u * std::fabs(e.r[i]));
  e.floor = norm2(eR) / nv;
  e.residualBound = (e.residual + e.floor) * (1 + 8 * u);
  return e;
}

struct Ritz {
  double mu1 = 0, mu2 = 0;
  std::vector<double> v1, v2;
  int64_t steps = 0;
};

// Lanczos with full reorthogonalization on x -> F^{-1} x; the two largest Ritz pairs.
Ritz lanczos(Cholmod& ch, int64_t order, int64_t maxSteps, const std::atomic<bool>* cancel) {
  std::vector<std::vector<double>> V;
  std::vector<double> alpha, beta;
  std::vector<double> q(static_cast<size_t>(order));
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (auto& x : q) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    x = static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
  }
  const double nq = norm2(q);
  for (auto& x : q) x /= nq;
  V.push_back(q);
  Ritz out;
  std::vector<double> w, d, e, z;
  const int64_t steps = std::min(maxSteps, order);
  for (int64_t j = 0; j < steps; ++j) {
    checkCancel(cancel);
    solve(ch, V[j], w);
    const double a = static_cast<double>(dotLd(w, V[j]));
    alpha.push_back(a);
    for (int pass = 0; pass < 2; ++pass)
      for (const auto& vk : V) {
        const double h = cblas_ddot(static_cast<int>(order), w.data(), 1, vk.data(), 1);
        cblas_daxpy(static_cast<int>(order), -h, vk.data(), 1, w.data(), 1);
      }
    const double b = norm2(w);
    const int64_t k = j + 1;
    d = alpha;
    e.assign(beta.begin(), beta.end());
    e.push_back(0);
    z.assign(static_cast<size_t>(k * k), 0.0);
    if (LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', static_cast<int>(k), d.data(), e.data(), z.data(), static_cast<int>(k)) != 0)
      throw CodedError("ERR_NATIVE", "convreg: LAPACK dstev failed in Lanczos");
    // Ascending: the largest mu is the smallest lambda.
    const double mu1 = d[k - 1], r1 = std::fabs(b * z[(k - 1) * k + k - 1]);
    const double mu2 = k > 1 ? d[k - 2] : 0, r2 = k > 1 ? std::fabs(b * z[(k - 2) * k + k - 1]) : 0;
    out.steps = k;
    const bool done = k == steps || b <= 1e-14 * std::fabs(mu1) || (k > 2 && r1 <= 1e-10 * mu1 && r2 <= 1e-6 * mu2);
    if (done) {
      out.mu1 = mu1;
      out.mu2 = mu2;
      out.v1.assign(static_cast<size_t>(order), 0.0);
      out.v2.assign(static_cast<size_t>(order), 0.0);
      for (int64_t i = 0; i < k; ++i) {
        cblas_daxpy(static_cast<int>(order), z[(k - 1) * k + i], V[i].data(), 1, out.v1.data(), 1);
        if (k > 1) cblas_daxpy(static_cast<int>(order), z[(k - 2) * k + i], V[i].data(), 1, out.v2.data(), 1);
      }
      return out;
    }
    for (auto& x : w) x /= b;
    beta.push_back(b);
    V.push_back(w);
  }
  return out;  // not reached
}

// Puts G' (G without row and column i, whose diagonal becomes `big`) into a symmetric matrix
// stored by one triangle in CSC (rows in any order), and back.
class Deflation {
 public:
  Deflation(cholmod_sparse& a, int64_t i, double big) : a_(a) {
    const auto* start = static_cast<const int64_t*>(a.p);
    const auto* row = static_cast<const int64_t*>(a.i);
    for (int64_t z = start[i]; z < start[i + 1]; ++z) save(z, row[z] == i ? big : 0.0);
    for (int64_t j = 0; j < static_cast<int64_t>(a.ncol); ++j)
      if (j != i)
        for (int64_t z = start[j]; z < start[j + 1]; ++z)
          if (row[z] == i) save(z, 0.0);
  }
  ~Deflation() {
    for (const auto& [z, v] : saved_) static_cast<double*>(a_.x)[z] = v;
  }
  Deflation(const Deflation&) = delete;
  Deflation& operator=(const Deflation&) = delete;

 private:
  void save(int64_t z, double v) {
    double* x = static_cast<double*>(a_.x);
    saved_.emplace_back(z, x[z]);
    x[z] = v;
  }
  cholmod_sparse& a_;
  std::vector<std::pair<int64_t, double>> saved_;
};

std::string sci(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", x);
  return buf;
}

// Why the lower bound holds, or by how much the best try missed (margin against what would do).
std::string describeCertificate(const SigmaMinResult& r, double rhoLo, double rhoHi, double eps, double lambda2) {
  const std::string bracket = "lambda_1 in [" + sci(r.lambdaLower > 0 ? r.lambdaLower : 0) + ", " + sci(rhoHi) + "], residual " + sci(eps);
  if (r.certificate == "exact") return "exact";
  if (r.attempts.empty())
    return "no Cholesky certificate tried: the estimated gap lambda_2 - lambda_1 (lambda_2 ~ " + sci(lambda2) +
           ") does not exceed the residual bound " + sci(eps) + " and no shift below rho_lo = " + sci(rhoLo) + " was positive";
  const CertificateAttempt* shown = r.certified ? &r.attempts.back() : nullptr;
  if (!r.certified)
    for (const auto& a : r.attempts)
      if (a.factored && (!shown || a.allowedMargin - a.margin > shown->allowedMargin - shown->margin)) shown = &a;
  if (!shown)
    return "every Cholesky try failed to factor (" + std::to_string(r.attempts.size()) + " tries; lambda_2 ~ " + sci(lambda2) + ")";
  const std::string terms = shown->kind + " at shift " + sci(shown->shift) + ": rounding margin " + sci(shown->margin) + " (formation " +
                            sci(shown->formMargin) + ", shift " + sci(shown->shiftMargin) + ", Cholesky a priori " + sci(shown->choleskyMargin) +
                            (shown->choleskyStoppedEarly ? " (power steps stopped early: it is at least " + sci(shown->choleskyLowerBound) +
                                                               ", more than the " + sci(shown->allowedMargin - shown->formMargin - shown->shiftMargin) +
                                                               " left for it)"
                                                         : std::string()) +
                            (shown->residualComputed ? (shown->residualNote.empty() ? ", a-posteriori residual " + sci(shown->residualMargin)
                                                                                    : ", residual not applicable: " + shown->residualNote)
                                                     : std::string()) +
                            ")";
  if (r.certified) return terms + " below the allowed " + sci(shown->allowedMargin) + "; " + bracket;
  return "not certified: best try " + terms + " exceeds the allowed " + sci(shown->allowedMargin) + " by a factor " +
         sci(shown->margin / shown->allowedMargin) + "; lambda_1 ~ " + sci(r.lambdaEstimate) + ", lambda_2 ~ " + sci(lambda2);
}

}  // namespace

double sigmaMinGramBytes(const ConvShape& shape, const SigmaMinOptions& options) {
  requireValidShape(shape);
  std::vector<double> zeros(static_cast<size_t>(shape.kernelSize()), 0.0);
  const GramSide side = makeGramSide(shape, zeros.data());
  const double order = static_cast<double>(side.size()), other = static_cast<double>(side.otherSize());
  const double gram = static_cast<double>(gramUpperNonzeros(side)) * 16 + (order + 1) * 8 + order * 8;
  const double vectors = (static_cast<double>(options.maxLanczos) + 16) * order * 8 + 8 * other * 8;
  const double ordering = static_cast<double>(shape.n * shape.n) * (2 * shape.k - 1) * (2 * shape.k - 1) * 8 + order * 8;
  return gram + vectors + ordering + static_cast<double>(tapProductBytes(side));
}

SigmaMinResult sigmaMin(const ConvShape& shape, const double* kernel, const SigmaMinOptions& options) {
  requireValidShape(shape);
  checkCancel(options.cancel);
  const GramSide side = makeGramSide(shape, kernel);
  GramProblem p;
  p.order = side.size();
  p.otherSize = side.otherSize();
  p.inputSide = side.inputSide;
  p.maxTermsA = maxTermsA(side);
  p.maxTermsAt = maxTermsAt(side);
  p.applyA = [&side](const double* x, double* y, bool absolute) { applyA(side, x, y, absolute); };
  p.applyAt = [&side](const double* y, double* z, bool absolute) { applyAt(side, y, z, absolute); };
  p.buildUpper = [&side](GramUpper& g, const std::atomic<bool>* cancel) { return buildGramUpper(side, g, cancel); };
  p.ordering = [&side](cholmod_common& c, std::string& name) { return pixelOrdering(side, c, name); };
  p.blockWidth = side.small;
  p.output = [&side](const std::vector<double>& v) { return toChannelMajor(v, side.small, side.n * side.n); };
  return sigmaMinOf(p, sigmaMinGramBytes(shape, options), options);
}

SigmaMinResult sigmaMinOf(const GramProblem& p, double gramBytes, const SigmaMinOptions& options) {
  const std::atomic<bool>* cancel = options.cancel;
  auto gamma = [&](double m) { return options.worstCaseRounding ? gammaWorst(m) : gammaProbable(m); };
  SigmaMinResult res;
  checkCancel(cancel);
  const int64_t order = p.order;
  res.order = order;
  res.inputSide = p.inputSide;

  auto t0 = Clock::now();
  GramUpper G;
  if (!p.buildUpper(G, cancel)) checkCancel(cancel);
  res.gramSeconds = since(t0);
  res.gramNonzeros = static_cast<int64_t>(G.value.size());
  res.gramBytes = gramBytes;
  if (G.maxDiagonal == 0) {  // A = 0 exactly: every singular value is 0
    res.certified = true;
    res.certificate = "exact";
    res.vector.assign(static_cast<size_t>(order), 0.0);
    res.vector[0] = 1;
    return res;
  }

  // || |A|^T |A| ||_2 (power steps with A), which bounds the formation error of G, and the symbolic
  // analysis are independent: two threads when this call runs alone.
  const bool twoThreads = callThreads() > 1;
  double absGramNorm = 0;
  Cholmod ch;
  cholmod_sparse A = wrap(G);
  t0 = Clock::now();
  runOnWorkers(twoThreads ? 2 : 1, [&](int w) {
    if (w == 0) {
      ch.c.postorder = 1;
      // Supernodes already as wide as a pixel's channels need no relaxed amalgamation: its explicit
      // zeros would only add work (at N = 32 for 3x3x64x64: 5% more of L, 11% more residual flops).
      if (p.blockWidth >= 16) ch.c.zrelax[0] = ch.c.zrelax[1] = ch.c.zrelax[2] = 0;
      if (p.ordering) {
        std::vector<int64_t> perm = p.ordering(ch.c, res.ordering);
        checkCancel(cancel);
        ch.c.nmethods = 1;
        ch.c.method[0].ordering = CHOLMOD_GIVEN;
        ch.L = cholmod_l_analyze_p(&A, perm.data(), nullptr, 0, &ch.c);
      } else {
        ch.L = cholmod_l_analyze(&A, &ch.c);
        if (ch.L) res.ordering = "CHOLMOD's best of AMD and METIS on the Gram matrix";
      }
      res.analyzeSeconds = since(t0);
    }
    if (w == 1 || !twoThreads) {
      std::vector<double> scratch(static_cast<size_t>(p.otherSize));
      absGramNorm = nonnegativeNormBound(
          [&](const std::vector<double>& x, std::vector<double>& t) {
            p.applyA(x.data(), scratch.data(), true);
            p.applyAt(scratch.data(), t.data(), true);
          },
          static_cast<size_t>(order), options.normSteps, &res.formNormSteps);
    }
  });
  const double formMargin = gamma(static_cast<double>(G.termsPerEntry + 1)) * absGramNorm;
  double diagonalTop = G.maxDiagonal;  // raised by a deflation's decoupled diagonal
  auto shiftMargin = [&](double theta) { return (1 + 2 * u) * u * (diagonalTop + std::fabs(theta)); };
  if (!ch.L) throw CodedError("ERR_NATIVE", "convreg: CHOLMOD symbolic analysis failed (status " + std::to_string(ch.c.status) + ")");
  res.factorNonzeros = static_cast<int64_t>(ch.c.lnz);
  res.factorFlops = ch.c.fl;
  res.factorBytes = 8.0 * (static_cast<double>(ch.L->xsize) + static_cast<double>(ch.L->ssize) + static_cast<double>(ch.L->maxcsize)) +
                    16.0 * static_cast<double>(order) * 6;
  if (res.factorBytes > options.factorMemoryLimit)
    throw CodedError("ERR_MEMORY_LIMIT", "the Cholesky factor of the " + std::to_string(order) + " x " + std::to_string(order) +
                                             " Gram matrix (" + std::to_string(res.factorNonzeros) + " nonzeros) would need " +
                                             formatGiB(res.factorBytes) + ", more than the factorMemoryLimit of " +
                                             formatGiB(options.factorMemoryLimit) + " (raise it with the factorMemoryLimit option)");
  // From here on G lives as tril(P G P^T) in the factor's numbering: factored as it is and read
  // column by column with the factor by the residual.
  PermutedLower permuted(A, ch);
  cholmod_sparse& S = permuted.matrix();
  std::vector<int64_t>().swap(G.row);  // freed (assigning {} would keep the capacity)
  std::vector<double>().swap(G.value);
  std::vector<int64_t>().swap(G.colStart);

  // Factor fl(G) - s0 I with a tiny negative shift, larger until it is positive definite.
  double s0 = -64 * u * G.maxAbsRowSum;
  bool ok = false;
  for (int attempt = 0; attempt < 10 && !ok; ++attempt) {
    checkCancel(cancel);
    ok = factorize(ch, S, s0, res.factorSeconds, res.factorizations);
    if (!ok) s0 *= 16;
  }
  if (!ok) throw CodedError("ERR_NOT_CONVERGED", "convreg: the shifted Gram matrix could not be factored (shift " + std::to_string(s0) + ")");
  res.shift = s0;

  // Lanczos on the inverse, then refinement with accurate residuals.
  t0 = Clock::now();
  Ritz ritz = lanczos(ch, order, options.maxLanczos, cancel);
  res.lanczosSteps = ritz.steps;
  const double lambda2 = ritz.mu2 > 0 ? s0 + 1 / ritz.mu2 : std::numeric_limits<double>::infinity();
  res.lambda2Estimate = lambda2;
  std::vector<double> v = ritz.v1, best = v, step;
  Evaluation ev = evaluate(p, v, true);
  const double floor = ev.floor;
  double bestResidual = ev.residual;
  int stalls = 0;
  for (int64_t it = 0; it < options.maxRefinements; ++it) {
    checkCancel(cancel);
    const double gap = std::max(lambda2 - ev.rho, 1e-300);
    const double predicted = (ev.residual + floor) * (ev.residual + floor) / gap / std::max(ev.rho, 1e-300);
    if (ev.residual <= 2 * floor || (std::isfinite(lambda2) && predicted < options.tolerance / 8)) break;
    solve(ch, ev.r, step);
    for (size_t i = 0; i < v.size(); ++i) v[i] -= step[i];
    const double nv = norm2(v);
    for (auto& x : v) x /= nv;
    ev = evaluate(p, v, false);
    ++res.refinements;
    if (ev.residual < bestResidual) {
      stalls = ev.residual < 0.5 * bestResidual ? 0 : stalls + 1;
      bestResidual = ev.residual;
      best = v;
    } else {
      ++stalls;
    }
    if (stalls >= 3) break;
  }
  ev = evaluate(p, best, true);
  res.iterateSeconds = since(t0);
  res.lambdaEstimate = ev.rho;
  res.lambdaUpper = ev.rhoUpper;
  res.residualBound = ev.residualBound;
  const double rhoLo = ev.rhoLower, rhoHi = ev.rhoUpper, eps = ev.residualBound;

  // Lower bounds. Every Cholesky try is recorded with its margin terms (res.attempts).
  t0 = Clock::now();
  double lower = 0;
  auto tryCholesky = [&](const char* kind, double shift, double allowedBase) {
    checkCancel(cancel);
    CertificateAttempt at;
    at.kind = kind;
    at.shift = shift;
    at.formMargin = formMargin;
    at.shiftMargin = shiftMargin(shift);
    at.allowedMargin = shift - allowedBase;
    at.factored = factorize(ch, S, shift, res.factorSeconds, res.factorizations);
    if (at.factored) {
      // With the residual to fall back on, the a-priori power steps stop once a lower bound on
      // the Cholesky term shows that it cannot fit the allowed margin (its bound is then looser).
      const double room = at.allowedMargin - at.formMargin - at.shiftMargin;
      const bool canStop = options.residualCertificate != ResidualCertificate::never;
      at.choleskyMargin = factorErrorNorm(ch.L, gamma, options.normSteps, &at.choleskyNormSteps,
                                          canStop ? room : std::numeric_limits<double>::infinity(), &at.choleskyLowerBound);
      at.choleskyStoppedEarly = canStop && at.choleskyLowerBound > room;
      at.margin = at.formMargin + at.shiftMargin + at.choleskyMargin;
      // The a-priori bound counts every product at its worst; the a-posteriori residual, accumulated
      // error-free, sees the rounding that happened (about sqrt(count) smaller), at ~3 factorizations' cost.
      const auto mode = options.residualCertificate;
      if (mode == ResidualCertificate::always || (mode == ResidualCertificate::whenNeeded && !(at.margin < at.allowedMargin))) {
        const auto tr = Clock::now();
        ResidualOptions ro;
        ro.enough = room;
        ro.rangeBytes = options.residualRangeBytes;
        ro.workers = options.residualWorkers > 0 ? options.residualWorkers : callThreads();
        ro.cancel = cancel;
        const ResidualBound rb = factorResidualBound(ch.L, S, shift, ro);
        res.residualSeconds += since(tr);
        at.residualComputed = true;
        at.residualNote = rb.why;
        at.residualBlasSeconds = rb.blasSeconds;
        at.residualNormSeconds = rb.normSeconds;
        at.residualSeconds = rb.totalSeconds;
        if (rb.applicable) {
          at.residualMargin = rb.norm;
          at.residualNormSteps = rb.normSteps;
          at.residualPowerSteps = rb.normPowerSteps;
          at.margin = at.formMargin + at.shiftMargin + std::min(at.choleskyMargin, at.residualMargin);
        }
      }
    }
    res.attempts.push_back(at);
    return at;
  };
  if (order == 1) {
    lower = rhoLo;  // G is 1 x 1: its Rayleigh quotient is its eigenvalue
    res.certified = true;
    res.certificate = "exact";
  } else if (std::isfinite(lambda2) && lambda2 > rhoHi + eps) {
    size_t istar = 0;
    double score = -1;
    for (size_t i = 0; i < best.size(); ++i) {
      const double s = best[i] * best[i] - (ritz.v2.empty() ? 0 : ritz.v2[i] * ritz.v2[i]);
      if (s > score) score = s, istar = i;
    }
    // The deleted coordinate becomes a decoupled 1 x 1 block: any value above beta works, and
    // one on the scale of G keeps the Collatz-Wielandt bound of |L||L^T| from growing.
    const double big = std::max(G.maxDiagonal, 2 * lambda2);
    diagonalTop = big;
    const auto* perm = static_cast<const int64_t*>(ch.L->Perm);
    const int64_t position = std::find(perm, perm + order, static_cast<int64_t>(istar)) - perm;  // in S's numbering
    Deflation deflated(S, position, big);
    // beta2 = beta - margin must exceed both rho_hi + eps and rho_lo.
    const double need = std::max(rhoHi + eps, rhoLo);
    for (double f : {0.5, 0.25, 0.1, 0.03}) {
      const double beta = ev.rho + f * (lambda2 - ev.rho);
      if (beta <= need) break;
      CertificateAttempt at = tryCholesky("kato-temple", beta, need);
      if (!at.factored) continue;
      // The margin hardly depends on beta: if it was too large here, a shift nearer lambda_2
      // (up to 0.9 of the gap; beyond, the factorization of G' tends to fail) may clear it.
      if (!(at.margin < at.allowedMargin)) {
        const double wanted = need + 1.25 * at.margin;
        const double top = ev.rho + 0.9 * (lambda2 - ev.rho);
        if (wanted > beta && wanted < top) {
          const double first = std::max(wanted, ev.rho + 0.75 * (lambda2 - ev.rho));
          for (const double b2 : {first, wanted}) {
            if (b2 <= beta || (b2 == wanted && wanted == first && res.attempts.back().shift == first)) continue;
            at = tryCholesky("kato-temple", b2, need);
            if (at.factored) break;
          }
        }
      }
      if (at.factored && at.margin < at.allowedMargin) {
        const double beta2 = at.shift - at.margin;
        lower = std::max(rhoLo - eps * eps / (beta2 - rhoLo), rhoLo - eps);
        res.lambda2Lower = beta2;
        res.certificateShift = at.shift;
        res.roundingMargin = at.margin;
        res.certified = true;
        res.certificate = "kato-temple";
      }
      break;
    }
  }
  if (!res.certified && order > 1) {
    // Direct: Cholesky of fl(G) - theta I just below the estimate. A margin measured above
    // (the Cholesky term hardly depends on the shift) that exceeds rho_lo rules it out.
    double estimate = formMargin + shiftMargin(ev.rho);
    for (const auto& at : res.attempts) estimate = std::max(estimate, at.margin);
    for (int attempt = 0; attempt < 4 && estimate < rhoLo; ++attempt) {
      const double theta = rhoLo - std::max(estimate * std::pow(4.0, attempt), rhoLo * options.tolerance);
      if (theta <= 0) break;
      const CertificateAttempt at = tryCholesky("cholesky", theta, 0.0);
      if (!at.factored) continue;
      if (at.margin < at.allowedMargin) {
        lower = theta - at.margin;
        res.certificateShift = theta;
        res.roundingMargin = at.margin;
        res.certified = true;
        res.certificate = "cholesky";
        break;
      }
      estimate = at.margin;
    }
  }
  if (!res.certified) res.certificate = "none";
  res.certifySeconds = since(t0);
  res.lambdaLower = std::max(0.0, lower);
  res.certificateReason = describeCertificate(res, rhoLo, rhoHi, eps, lambda2);
  res.sigmaMin = std::sqrt(ev.rho);
  res.lower = std::sqrt(res.lambdaLower);
  res.upper = std::sqrt(rhoHi);
  res.cholmodPeakBytes = static_cast<double>(ch.c.memory_usage);
  if (ch.L->is_super) res.maxFront = longestColumn(ch.L);
  res.vector = p.output(best);
  const double nb = norm2(res.vector);
  for (auto& x : res.vector) x /= nb;
  return res;
}

}  // namespace convreg
