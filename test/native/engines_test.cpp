// The matrix-free and structured paths of src/ (ConvOperator, Lanczos sigma_max, the structured
// engine and line quartics, the bilinear kernel gradient, the 2-norm penalty, the Gram side and
// its sparse upper triangle, CHOLMOD sigma_min) against M built from the definition.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <utility>

#include "../../src/blas_threads.h"
#include "../../src/conv_operator.h"
#include "../../src/dense_quartic.h"
#include "../../src/gram_side.h"
#include "../../src/kernel_correlation.h"
#include "../../src/lanczos.h"
#include "../../src/sigma_max.h"
#include "../../src/sigma_min.h"
#include "../../src/structured_engine.h"
#include "../../src/two_norm_penalty.h"
#include "check.h"
#include "reference.h"
#include "shapes.h"

using namespace native_test;
using native_ref::Matrix;

namespace {
std::vector<double> multiply(const Matrix& m, const std::vector<double>& x, bool transpose) {
  std::vector<double> y(static_cast<size_t>(transpose ? m.cols : m.rows), 0.0);
  for (int64_t i = 0; i < m.rows; ++i)
    for (int64_t j = 0; j < m.cols; ++j) {
      if (transpose) y[static_cast<size_t>(j)] += m.at(i, j) * x[static_cast<size_t>(i)];
      else y[static_cast<size_t>(i)] += m.at(i, j) * x[static_cast<size_t>(j)];
    }
  return y;
}

std::vector<double> vectorOf(int64_t length, uint64_t seed) { return native_ref::randomKernel(1, 1, length, seed); }

struct Case {
  SmallShape s;
  convreg::ConvShape shape;
  std::vector<double> kernel;
  native_ref::BruteM ref;
};

std::vector<Case> zeroPaddedCases(uint64_t seed) {
  std::vector<Case> out;
  for (const SmallShape& ss : smallShapes()) {
    std::vector<double> kernel = native_ref::randomKernel(ss.k, ss.g, ss.h, seed + ss.k * 31 + ss.g * 7 + ss.h * 3 + ss.n);
    native_ref::BruteM ref = native_ref::bruteForceM(kernel, ss.k, ss.g, ss.h, ss.n, false);
    out.push_back({ss, toShape(ss), std::move(kernel), std::move(ref)});
  }
  return out;
}
}  // namespace

TEST(conv_operator, products_match_the_definition) {
  for (const Case& c : zeroPaddedCases(3)) {
    convreg::ConvOperator op(c.shape, c.kernel.data());
    for (int64_t count : {1, 3}) {
      const std::vector<double> x = vectorOf(count * c.shape.cols(), 5 + count), y = vectorOf(count * c.shape.rows(), 9 + count);
      std::vector<double> mx(static_cast<size_t>(count * c.shape.rows()), -7), mty(static_cast<size_t>(count * c.shape.cols()), -7);
      op.apply(x.data(), mx.data(), count);
      op.applyTranspose(y.data(), mty.data(), count);
      for (int64_t v = 0; v < count; ++v) {
        const std::vector<double> xv(x.begin() + v * c.shape.cols(), x.begin() + (v + 1) * c.shape.cols());
        const std::vector<double> yv(y.begin() + v * c.shape.rows(), y.begin() + (v + 1) * c.shape.rows());
        const std::vector<double> a(mx.begin() + v * c.shape.rows(), mx.begin() + (v + 1) * c.shape.rows());
        const std::vector<double> b(mty.begin() + v * c.shape.cols(), mty.begin() + (v + 1) * c.shape.cols());
        CHECK(scaledDiff(a, multiply(c.ref.m, xv, false)) < 1e-13);
        CHECK(scaledDiff(b, multiply(c.ref.m, yv, true)) < 1e-13);
      }
    }
    const std::vector<double> v = vectorOf(op.gramSize(), 13);
    std::vector<double> gv(static_cast<size_t>(op.gramSize()));
    op.applyGram(v.data(), gv.data());
    const std::vector<double> expected = op.gramOnOutputs() ? multiply(c.ref.m, multiply(c.ref.m, v, true), false)
                                                            : multiply(c.ref.m, multiply(c.ref.m, v, false), true);
    CHECK(scaledDiff(gv, expected) < 1e-12);
    CHECK(convreg::ConvOperator::workBytes(c.shape, 1) > 0);
  }
}

TEST(lanczos, sigma_max_matches_the_definition_within_its_bound) {
  for (const Case& c : zeroPaddedCases(17)) {
    convreg::LanczosOptions options;
    options.tolerance = 1e-9;
    options.basisSize = 8;  // small, so that thick restarts run too
    const convreg::LanczosResult r = convreg::sigmaMaxIterative(c.shape, c.kernel.data(), nullptr, options);
    const double sigma = native_ref::singularValues(c.ref.m)[0];
    CHECK(r.converged);
    CHECK(std::fabs(r.sigma - sigma) <= std::max(1e-8 * sigma, 2 * r.sigmaBound + 1e-12 * sigma));
    CHECK(static_cast<int64_t>(r.vector.size()) == std::min(c.shape.rows(), c.shape.cols()));
    CHECK(convreg::gramRoundingBound(c.shape, c.kernel.data()) >= 0);
  }
}

TEST(lanczos, cancel_flag_stops_the_iteration) {
  std::atomic<bool> cancel{true};
  convreg::LanczosOptions options;
  options.cancel = &cancel;
  const auto identity = [](const double* v, double* out) { for (int i = 0; i < 10; ++i) out[i] = (i + 1) * v[i]; };
  bool cancelled = false;
  try {
    convreg::largestEigenpair(10, identity, nullptr, 0.0, options);
  } catch (const convreg::Cancelled&) {
    cancelled = true;
  }
  CHECK(cancelled);
  cancel = false;
  const convreg::LanczosResult r = convreg::largestEigenpair(10, identity, nullptr, 1e-14, options);
  CHECK_NEAR(r.eigenvalue, 10.0, 1e-10);
  const double x[3] = {1e16, 1, -1e16}, y[3] = {1, 1, 1};
  CHECK(convreg::accurateDot(x, y, 3) == 1.0);
}

// From a tap Gram side of 512 (and a channel side above 32, so that blocks have several row
// strips) the class sweep runs on as many threads as BLAS uses: one and two threads against the
// definition. Small N keeps the reference cheap under the sanitizers; test/structured-strips.test.ts
// covers N = 9.
TEST(structured_engine, sweep_on_two_threads_matches_the_definition) {
  const int before = convreg::blasThreads();
  const std::pair<SmallShape, double> cases[] = {{{3, 60, 64, 2}, 1.0}, {{3, 64, 58, 2}, 0.6}, {{4, 33, 35, 3}, 0.8}};
  for (const auto& [ss, alpha] : cases) {
    const std::vector<double> kernel = native_ref::randomKernel(ss.k, ss.g, ss.h, 77 + ss.n);
    const native_ref::BruteM ref = native_ref::bruteForceM(kernel, ss.k, ss.g, ss.h, ss.n, false);
    const convreg::ConvShape shape = toShape(ss);
    const double f = native_ref::penalty(ref.m, alpha);
    const std::vector<double> grad = native_ref::gradient(ref, kernel.size(), alpha);
    for (int threads : {1, 2}) {
      convreg::setBlasThreads(threads);
      const convreg::PenaltyAndGradient pg = convreg::structuredPenaltyAndGradient(shape, kernel.data(), alpha);
      CHECK(std::fabs(pg.penalty - f) <= 1e-12 * f);
      CHECK(std::fabs(convreg::structuredPenalty(shape, kernel.data(), alpha) - f) <= 1e-12 * f);
      CHECK(scaledDiff(pg.gradient, grad) < 1e-10);
    }
  }
  convreg::setBlasThreads(before);
}

TEST(structured_engine, penalty_gradient_and_quartic_match_the_definition) {
  for (const Case& c : zeroPaddedCases(29)) {
    const std::vector<double> d = native_ref::randomKernel(c.s.k, c.s.g, c.s.h, 1234 + c.s.n);
    for (double alpha : {1.0, 0.3}) {
      const double f = native_ref::penalty(c.ref.m, alpha);
      CHECK_NEAR(convreg::structuredPenalty(c.shape, c.kernel.data(), alpha), f, 1e-11);
      const convreg::PenaltyAndGradient pg = convreg::structuredPenaltyAndGradient(c.shape, c.kernel.data(), alpha);
      CHECK_NEAR(pg.penalty, f, 1e-11);
      CHECK(scaledDiff(pg.gradient, native_ref::gradient(c.ref, c.kernel.size(), alpha)) < 1e-10);
      const std::array<double, 5> qs = convreg::structuredLineQuartic(c.shape, c.kernel.data(), d.data(), alpha);
      const std::array<double, 5> qd = convreg::denseLineQuartic(c.shape, c.kernel.data(), d.data(), alpha);
      for (double t : {-1.5, -0.25, 0.5, 2.0}) {
        std::vector<double> kt(c.kernel);
        for (size_t i = 0; i < kt.size(); ++i) kt[i] += t * d[i];
        const double ft = native_ref::penalty(native_ref::bruteForceM(kt, c.s.k, c.s.g, c.s.h, c.s.n, false).m, alpha);
        double ps = 0, pd = 0;
        for (int i = 4; i >= 0; --i) {
          ps = ps * t + qs[static_cast<size_t>(i)];
          pd = pd * t + qd[static_cast<size_t>(i)];
        }
        CHECK_NEAR(ps, ft, 1e-9);
        CHECK_NEAR(pd, ft, 1e-9);
      }
    }
  }
}

TEST(kernel_correlation, bilinear_gradient_is_the_sum_over_omega) {
  for (const Case& c : zeroPaddedCases(41)) {
    const std::vector<double> y = vectorOf(c.shape.rows(), 3), x = vectorOf(c.shape.cols(), 4);
    std::vector<double> grad(c.kernel.size(), 0.5);  // it accumulates
    convreg::addBilinearKernelGradient(c.shape, y.data(), x.data(), 2.0, grad.data());
    std::vector<double> expected(c.kernel.size(), 0.5);
    for (size_t e = 0; e < c.kernel.size(); ++e)
      for (const auto& [i, j] : c.ref.omega[e]) expected[e] += 2.0 * y[static_cast<size_t>(i)] * x[static_cast<size_t>(j)];
    CHECK(scaledDiff(grad, expected) < 1e-13);
  }
}

TEST(spectral_penalty, power_steps_and_gradient_match_the_definition) {
  for (const Case& c : zeroPaddedCases(53)) {
    const bool outputs = convreg::spectralOnOutputs(c.shape);
    const int64_t side = convreg::spectralSide(c.shape);
    const double alpha = 0.8;
    for (int64_t steps : {1, 3}) {
      const std::vector<double> start = vectorOf(side, 60 + steps);
      // v_0 = start / ||start||, v_{i+1} = B v_i / ||B v_i||; lambda = v^T B v for the last v.
      auto applyB = [&](const std::vector<double>& v) {
        std::vector<double> g = outputs ? multiply(c.ref.m, multiply(c.ref.m, v, true), false) : multiply(c.ref.m, multiply(c.ref.m, v, false), true);
        for (size_t i = 0; i < g.size(); ++i) g[i] -= alpha * v[i];
        return g;
      };
      auto unit = [](std::vector<double> v) {
        double s = 0;
        for (double a : v) s += a * a;
        for (double& a : v) a /= std::sqrt(s);
        return v;
      };
      std::vector<double> v = unit(start);
      for (int64_t i = 0; i + 1 < steps; ++i) v = unit(applyB(v));
      const std::vector<double> bv = applyB(v);
      double lambda = 0;
      for (size_t i = 0; i < v.size(); ++i) lambda += v[i] * bv[i];
      // Gradient of |v^T B v| with v fixed: 2 sign(lambda) sum over Omega of [v (M^T v)^T] (outputs) or [(M v) v^T] (inputs).
      std::vector<double> grad(c.kernel.size(), 0.0);
      const std::vector<double> other = outputs ? multiply(c.ref.m, v, true) : multiply(c.ref.m, v, false);
      for (size_t e = 0; e < c.kernel.size(); ++e)
        for (const auto& [i, j] : c.ref.omega[e])
          grad[e] += 2 * (lambda < 0 ? -1 : 1) * (outputs ? v[static_cast<size_t>(i)] * other[static_cast<size_t>(j)] : other[static_cast<size_t>(i)] * v[static_cast<size_t>(j)]);
      for (bool matrixFree : {false, true}) {
        const convreg::SpectralResult r = matrixFree ? convreg::spectralMatrixFree(c.shape, c.kernel.data(), alpha, start.data(), steps)
                                                     : convreg::spectralDense(c.shape, c.kernel.data(), alpha, start.data(), steps);
        CHECK_NEAR(r.eigenvalue, lambda, 1e-10);
        CHECK(scaledDiff(r.gradient, grad) < 1e-9);
        CHECK(scaledDiff(r.next, unit(bv)) < 1e-9);
      }
    }
    CHECK(static_cast<int64_t>(convreg::defaultStartVector(side).size()) == side);
  }
}

TEST(gram_side, products_and_sparse_upper_triangle_match_the_definition) {
  for (const Case& c : zeroPaddedCases(67)) {
    const convreg::GramSide gs = convreg::makeGramSide(c.shape, c.kernel.data());
    const int64_t pixels = c.s.n * c.s.n;
    CHECK(gs.size() == std::min(c.shape.rows(), c.shape.cols()));
    // A = M (input side) or M^T (output side), in pixel-major numbering.
    const std::vector<double> x = vectorOf(gs.size(), 71), y = vectorOf(gs.otherSize(), 72);
    std::vector<double> ax(static_cast<size_t>(gs.otherSize())), aty(static_cast<size_t>(gs.size()));
    convreg::applyA(gs, x.data(), ax.data());
    convreg::applyAt(gs, y.data(), aty.data());
    const std::vector<double> xc = convreg::toChannelMajor(x, gs.small, pixels), yc = convreg::toChannelMajor(y, gs.other, pixels);
    CHECK(scaledDiff(convreg::toChannelMajor(ax, gs.other, pixels), multiply(c.ref.m, xc, !gs.inputSide)) < 1e-14);
    CHECK(scaledDiff(convreg::toChannelMajor(aty, gs.small, pixels), multiply(c.ref.m, yc, gs.inputSide)) < 1e-14);
    // Gram = A^T A; its stored upper triangle (pixel-major) holds every nonzero of the definition's.
    convreg::GramUpper upper;
    CHECK(convreg::buildGramUpper(gs, upper, nullptr));
    CHECK(upper.order == gs.size());
    CHECK(static_cast<int64_t>(upper.row.size()) <= convreg::gramUpperNonzeros(gs));
    const Matrix gram = gs.inputSide ? native_ref::multiply(native_ref::transpose(c.ref.m), c.ref.m) : native_ref::multiply(c.ref.m, native_ref::transpose(c.ref.m));
    auto channelMajor = [&](int64_t p) { return (p % gs.small) * pixels + p / gs.small; };  // pixel-major index -> M numbering
    double stored = 0, expected = 0;
    for (int64_t col = 0; col < upper.order; ++col)
      for (int64_t z = upper.colStart[static_cast<size_t>(col)]; z < upper.colStart[static_cast<size_t>(col) + 1]; ++z) {
        const int64_t row = upper.row[static_cast<size_t>(z)];
        CHECK(row <= col);
        CHECK_NEAR(upper.value[static_cast<size_t>(z)], gram.at(channelMajor(row), channelMajor(col)), 1e-12);
        stored += upper.value[static_cast<size_t>(z)] * upper.value[static_cast<size_t>(z)] * (row == col ? 1 : 2);
      }
    for (double v : gram.a) expected += v * v;
    CHECK_NEAR(stored, expected, 1e-11);  // nothing of the definition's Gram matrix is missing
  }
}

TEST(sigma_min, bracket_contains_the_smallest_singular_value) {
  for (const Case& c : zeroPaddedCases(83)) {
    convreg::SigmaMinOptions options;
    const convreg::SigmaMinResult r = convreg::sigmaMin(c.shape, c.kernel.data(), options);
    const std::vector<double> sigma = native_ref::singularValues(c.ref.m);
    const double truth = sigma.back();
    // The reference is sqrt of a Jacobi eigenvalue of the Gram matrix: its own error is about
    // eps sigma_max^2 / sigma_min, which the comparison allows for.
    const double slack = 1e-14 * sigma[0] * sigma[0] / std::max(truth, 1e-300) + 1e-12 * truth;
    if (!(r.lower <= truth + slack && truth <= r.upper + slack))
      std::fprintf(stderr, "sigma_min k=%lld g=%lld h=%lld n=%lld: [%.17g, %.17g] vs %.17g (slack %.3g) %s\n", (long long)c.s.k,
                   (long long)c.s.g, (long long)c.s.h, (long long)c.s.n, r.lower, r.upper, truth, slack, r.certificate.c_str());
    CHECK(r.lower <= truth + slack && truth <= r.upper + slack);
    CHECK(std::fabs(r.sigmaMin - truth) <= 1e-6 * sigma[0]);
    CHECK(convreg::sigmaMinGramBytes(c.shape, options) > 0);
  }
}

TEST(sigma_min, cancel_flag_is_honoured) {
  const Case c = zeroPaddedCases(91)[9];
  std::atomic<bool> cancel{true};
  convreg::SigmaMinOptions options;
  options.cancel = &cancel;
  bool threw = false;
  try {
    convreg::sigmaMin(c.shape, c.kernel.data(), options);
  } catch (const std::exception&) {
    threw = true;
  }
  CHECK(threw);
}
