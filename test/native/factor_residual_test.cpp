// The a-posteriori residual bound of src/factor_residual against the residual H - L L^T computed
// here entry by entry in __float128 (products of doubles are exact there) from CHOLMOD's factor,
// whose 2-norm and |.| spectral radius come from the Jacobi eigenvalues of native_ref. Also: a
// factor with a planted error (the bound must cover it and must not be loose by 2x, so a halved
// bound would certify a wrong claim), and sigma_min with the residual certificate forced.
#include <cholmod.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "../../src/factor_residual.h"
#include "../../src/gram_side.h"
#include "../../src/sigma_min.h"
#include "check.h"
#include "reference.h"
#include "shapes.h"

using namespace native_test;
using native_ref::Matrix;

namespace {

// A sparse symmetric matrix (band plus scattered entries, magnitudes over 6 decades), upper CSC.
convreg::GramUpper sparseSymmetric(int64_t n, uint64_t seed) {
  const std::vector<double> draws = native_ref::randomKernel(1, 1, n * n, seed);
  Matrix a(n, n);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < j; ++i)
      if (j - i <= 4 || (i * 7 + j * 13) % 29 == 0) {
        const double v = draws[static_cast<size_t>(i * n + j)] * std::pow(10.0, static_cast<double>((i + j) % 7) - 3);
        a.at(i, j) = a.at(j, i) = v;
      }
  for (int64_t i = 0; i < n; ++i) {
    double s = 0;
    for (int64_t j = 0; j < n; ++j) s += std::fabs(a.at(i, j));
    a.at(i, i) = s + 1e-3 * (1 + static_cast<double>(i % 5));
  }
  convreg::GramUpper g;
  g.order = n;
  g.colStart.push_back(0);
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i <= j; ++i)
      if (a.at(i, j) != 0) g.row.push_back(i), g.value.push_back(a.at(i, j));
    g.colStart.push_back(static_cast<int64_t>(g.row.size()));
  }
  return g;
}

convreg::ResidualOptions options(int64_t normSteps, double rangeBytes, double enough = 0) {
  convreg::ResidualOptions o;
  o.normSteps = normSteps;
  o.rangeBytes = rangeBytes;
  o.enough = enough;
  return o;
}

struct Factor {
  cholmod_common c;
  cholmod_factor* L = nullptr;
  cholmod_sparse* lower = nullptr;  // tril(P G P^T), what factorResidualBound reads
  Factor(convreg::GramUpper& g, double shift) {
    cholmod_l_start(&c);
    c.print = 0;
    c.supernodal = CHOLMOD_SUPERNODAL;
    c.final_ll = 1;
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
    L = cholmod_l_analyze(&A, &c);
    double beta[2] = {-shift, 0};
    cholmod_l_factorize_p(&A, beta, nullptr, 0, L, &c);
    lower = cholmod_l_ptranspose(&A, 2, static_cast<int64_t*>(L->Perm), nullptr, 0, &c);
  }
  ~Factor() {
    cholmod_l_free_sparse(&lower, &c);
    cholmod_l_free_factor(&L, &c);
    cholmod_l_finish(&c);
  }
};

// Dense lower-triangular L (permuted numbering) from the supernodal factor.
Matrix denseFactor(const cholmod_factor* L) {
  const int64_t n = static_cast<int64_t>(L->n);
  const auto* super = static_cast<const int64_t*>(L->super);
  const auto* pi = static_cast<const int64_t*>(L->pi);
  const auto* px = static_cast<const int64_t*>(L->px);
  const auto* s = static_cast<const int64_t*>(L->s);
  const auto* x = static_cast<const double*>(L->x);
  Matrix d(n, n);
  for (size_t k = 0; k < L->nsuper; ++k) {
    const int64_t nscol = super[k + 1] - super[k], nsrow = pi[k + 1] - pi[k];
    for (int64_t jj = 0; jj < nscol; ++jj)
      for (int64_t ii = jj; ii < nsrow; ++ii) d.at(s[pi[k] + ii], super[k] + jj) = x[px[k] + jj * nsrow + ii];
  }
  return d;
}

// R = H~ - L L^T with H~ = P A P^T and fl(a_jj - shift) on the diagonal, in __float128.
Matrix exactResidual(const convreg::GramUpper& g, const cholmod_factor* L, double shift) {
  const int64_t n = g.order;
  const Matrix l = denseFactor(L);
  const auto* perm = static_cast<const int64_t*>(L->Perm);
  std::vector<int64_t> inverse(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) inverse[perm[k]] = k;
  Matrix h(n, n);
  for (int64_t j = 0; j < n; ++j) h.at(j, j) = -shift;
  for (int64_t c = 0; c < n; ++c)
    for (int64_t z = g.colStart[c]; z < g.colStart[c + 1]; ++z) {
      const int64_t i = inverse[g.row[z]], j = inverse[c];
      if (i == j) h.at(i, i) = g.value[z] - shift;
      else h.at(i, j) = h.at(j, i) = g.value[z];
    }
  Matrix r(n, n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      __float128 sum = h.at(i, j);
      for (int64_t k = 0; k < n; ++k) sum -= static_cast<__float128>(l.at(i, k)) * l.at(j, k);
      r.at(i, j) = static_cast<double>(sum);
    }
  return r;
}

double spectralNorm(const Matrix& r) {
  const std::vector<double> e = native_ref::eigenvalues(r);
  return std::max(std::fabs(e.front()), std::fabs(e.back()));
}

double absoluteRadius(Matrix r) {
  for (double& v : r.a) v = std::fabs(v);
  return native_ref::eigenvalues(r).front();
}
}  // namespace

TEST(factor_residual, bounds_the_exact_residual_and_tracks_its_size) {
  for (const uint64_t seed : {3u, 17u}) {
    convreg::GramUpper g = sparseSymmetric(70, seed);
    const double shift = 5e-4;
    Factor f(g, shift);
    CHECK(f.L->is_super && f.L->minor == f.L->n);
    const convreg::ResidualBound rb = convreg::factorResidualBound(f.L, *f.lower, shift, options(40, 1e12));
    CHECK(rb.applicable);
    // Built a few hundred bytes of L at a time (many column ranges): the same bound.
    const convreg::ResidualBound ranged = convreg::factorResidualBound(f.L, *f.lower, shift, options(40, 400));
    CHECK(ranged.applicable && std::fabs(ranged.norm - rb.norm) <= 1e-6 * rb.norm);
    const Matrix r = exactResidual(g, f.L, shift);
    const double norm = spectralNorm(r), radius = absoluteRadius(r);
    std::fprintf(stderr, "residual seed %llu: ||R|| %.3e, rho(|R|) %.3e, bound %.3e (computed part %.3e)\n", (unsigned long long)seed, norm,
                 radius, rb.norm, rb.computedPart);
    (void)norm;
    CHECK(norm <= rb.norm);
    // The bound is the largest row sum of the computed |R~|, which is the exact R up to ~2^-19 of
    // the rounding level: it lies between rho(|R|) and that row sum of the reference.
    double rowSum = 0;
    for (int64_t i = 0; i < r.rows; ++i) {
      double t = 0;
      for (int64_t j = 0; j < r.cols; ++j) t += std::fabs(r.at(i, j));
      rowSum = std::max(rowSum, t);
    }
    CHECK(rb.computedPart >= radius && std::fabs(rb.computedPart - 1.01 * rowSum) <= 1e-3 * rowSum);
    CHECK(rb.norm <= 1.1 * rb.computedPart);
  }
}

TEST(factor_residual, blocks_and_workers_give_the_same_bound) {
  // Supernodes split into blocks of one column each way (the tiny block size), column ranges built
  // by two threads at once: the same ranges as one thread (rangeBytes covers all workers), so the
  // same bound up to the rounding of the cross products, and still above the exact ||R||.
  for (const uint64_t seed : {3u, 17u}) {
    convreg::GramUpper g = sparseSymmetric(70, seed);
    const double shift = 5e-4;
    Factor f(g, shift);
    const convreg::ResidualBound one = convreg::factorResidualBound(f.L, *f.lower, shift, options(40, 400));
    convreg::ResidualOptions split = options(40, 800);
    split.workers = 2;
    split.blockDoubles = 16;
    const convreg::ResidualBound two = convreg::factorResidualBound(f.L, *f.lower, shift, split);
    CHECK(one.applicable && two.applicable);
    std::fprintf(stderr, "blocks seed %llu: computed part %.6e vs %.6e\n", (unsigned long long)seed, two.computedPart, one.computedPart);
    // R~ is at the rounding level of L L^T while the cross products are 2^-19 of L L^T: their
    // rounding, in another order, moves R~ by ~2^-19 of itself. A lost block would move it by ~2^18.
    CHECK(std::fabs(two.computedPart - one.computedPart) <= 1e-4 * one.computedPart);
    CHECK(std::fabs(two.norm - one.norm) <= 1e-4 * one.norm);
    CHECK(spectralNorm(exactResidual(g, f.L, shift)) <= two.norm);
  }
}

TEST(factor_residual, one_power_step_for_the_norms_when_that_fits_still_bounds_the_residual) {
  convreg::GramUpper g = sparseSymmetric(70, 3);
  const double shift = 5e-4;
  Factor f(g, shift);
  const convreg::ResidualBound full = convreg::factorResidualBound(f.L, *f.lower, shift, options(40, 1e12));
  const convreg::ResidualBound roomy = convreg::factorResidualBound(f.L, *f.lower, shift, options(40, 1e12, 1.0));
  const convreg::ResidualBound tight = convreg::factorResidualBound(f.L, *f.lower, shift, options(40, 1e12, 0.5 * full.norm));
  CHECK(full.normPowerSteps == 40 && roomy.normPowerSteps == 1 && tight.normPowerSteps == 40);
  CHECK(roomy.computedPart == full.computedPart && tight.norm == full.norm);
  CHECK(roomy.norm >= full.norm);  // the smallest over fewer steps
  CHECK(spectralNorm(exactResidual(g, f.L, shift)) <= roomy.norm);
}

TEST(factor_residual, covers_a_planted_error_and_is_not_loose_by_two) {
  convreg::GramUpper g = sparseSymmetric(60, 5);
  const double shift = 1e-3;
  Factor f(g, shift);
  // Perturb one stored off-diagonal entry of L by delta: R gains a rank-2 term of size ~ delta l_jj.
  auto* x = static_cast<double*>(f.L->x);
  const auto* pi = static_cast<const int64_t*>(f.L->pi);
  const auto* px = static_cast<const int64_t*>(f.L->px);
  const auto* super = static_cast<const int64_t*>(f.L->super);
  size_t k = 0;
  while (k < f.L->nsuper && pi[k + 1] - pi[k] <= super[k + 1] - super[k]) ++k;  // a supernode with rows below its block
  CHECK(k < f.L->nsuper);
  const int64_t nsrow = pi[k + 1] - pi[k], nscol = super[k + 1] - super[k];
  x[px[k] + nscol] += 1e-6;  // column 0 of supernode k, first row below the diagonal block
  (void)nsrow;
  const convreg::ResidualBound rb = convreg::factorResidualBound(f.L, *f.lower, shift, options(40, 1e12));
  const double norm = spectralNorm(exactResidual(g, f.L, shift));
  CHECK(norm > 1e-8);
  CHECK(norm <= rb.norm);
  CHECK(rb.norm / 2 < norm);  // mutation check: half the bound would not cover the residual
}

TEST(factor_residual, sigma_min_with_the_residual_certificate_forced_brackets_the_truth) {
  for (const SmallShape& ss : smallShapes()) {
    std::vector<double> kernel = native_ref::randomKernel(ss.k, ss.g, ss.h, 400 + ss.k * 31 + ss.g * 7 + ss.h * 3 + ss.n);
    const convreg::ConvShape shape = toShape(ss);
    convreg::SigmaMinOptions options;
    options.residualCertificate = convreg::ResidualCertificate::always;
    const convreg::SigmaMinResult r = convreg::sigmaMin(shape, kernel.data(), options);
    const std::vector<double> sigma = native_ref::singularValues(native_ref::bruteForceM(kernel, ss.k, ss.g, ss.h, ss.n, false).m);
    const double truth = sigma.back();
    const double slack = 1e-14 * sigma[0] * sigma[0] / std::max(truth, 1e-300) + 1e-12 * truth;
    CHECK(r.lower <= truth + slack && truth <= r.upper + slack);
    for (const convreg::CertificateAttempt& a : r.attempts)
      if (a.factored) {
        CHECK(a.residualComputed);
        CHECK(a.residualNote.empty() && a.residualMargin > 0);
        CHECK(a.residualMargin < a.choleskyMargin);  // the a-posteriori bound is the sharper one
      }
  }
}

TEST(factor_residual, norm_bound_stopped_early_still_bounds_the_spectral_radius) {
  // |S| of a sparse symmetric matrix: rho from Jacobi; the Rayleigh lower bound never exceeds it,
  // and stopping once it passes half of rho leaves a valid (upper) bound after fewer steps.
  const convreg::GramUpper g = sparseSymmetric(40, 11);
  Matrix a(40, 40);
  for (int64_t c = 0; c < g.order; ++c)
    for (int64_t z = g.colStart[c]; z < g.colStart[c + 1]; ++z) a.at(g.row[z], c) = a.at(c, g.row[z]) = std::fabs(g.value[z]);
  const double rho = native_ref::eigenvalues(a)[0];
  auto apply = [&](const std::vector<double>& x, std::vector<double>& y) {
    for (int64_t i = 0; i < 40; ++i) {
      double t = 0;
      for (int64_t j = 0; j < 40; ++j) t += a.at(i, j) * x[static_cast<size_t>(j)];
      y[static_cast<size_t>(i)] = t;
    }
  };
  std::vector<double> fullSteps, earlySteps;
  double fullLower = 0, earlyLower = 0;
  const double full = convreg::nonnegativeNormBound(apply, 40, 40, &fullSteps, std::numeric_limits<double>::infinity(), &fullLower);
  const double early = convreg::nonnegativeNormBound(apply, 40, 40, &earlySteps, 0.5 * rho, &earlyLower);
  CHECK(fullLower <= rho && rho <= full);
  CHECK(earlyLower <= rho && earlyLower > 0.5 * rho && rho <= early);
  CHECK(earlySteps.size() < fullSteps.size());
}
