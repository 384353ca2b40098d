// src/dense_engine: penalty, Theorem 3.1 gradient and both singular value routes against
// the definition (naive products, Jacobi eigenvalues).
#include "../../src/dense_engine.h"
#include "../../src/dense_by_definition.h"

#include "check.h"
#include "reference.h"
#include "shapes.h"

using namespace native_test;

namespace {
void checkEngine(bool circular) {
  for (const SmallShape& ss : smallShapes()) {
    const convreg::ConvShape shape = toShape(ss, circular);
    const std::vector<double> kernel = native_ref::randomKernel(ss.k, ss.g, ss.h, 101 + ss.k * 13 + ss.g * 3 + ss.n);
    const native_ref::BruteM ref = native_ref::bruteForceM(kernel, ss.k, ss.g, ss.h, ss.n, circular);
    for (double alpha : {1.0, 0.37}) {
      const double f = native_ref::penalty(ref.m, alpha);
      CHECK_NEAR(convreg::densePenalty(shape, kernel.data(), alpha), f, 1e-11);
      const convreg::PenaltyAndGradient pg = convreg::densePenaltyAndGradient(shape, kernel.data(), alpha);
      CHECK_NEAR(pg.penalty, f, 1e-11);
      CHECK(scaledDiff(pg.gradient, native_ref::gradient(ref, kernel.size(), alpha)) < 1e-11);
      // The literal dense construction, kept beside the sparse one, meets the same reference.
      CHECK_NEAR(convreg::densePenaltyByDefinition(shape, kernel.data(), alpha), f, 1e-11);
      const convreg::PenaltyAndGradient literal = convreg::densePenaltyAndGradientByDefinition(shape, kernel.data(), alpha);
      CHECK_NEAR(literal.penalty, f, 1e-11);
      CHECK(scaledDiff(literal.gradient, native_ref::gradient(ref, kernel.size(), alpha)) < 1e-11);
    }
    const std::vector<double> sigma = native_ref::singularValues(ref.m);
    CHECK(scaledDiff(convreg::denseSingularValues(shape, kernel.data()), sigma) < 1e-11);
    CHECK(scaledDiff(convreg::denseSingularValuesByDefinition(shape, kernel.data()), sigma) < 1e-11);
    // The Gram route loses relative accuracy below sqrt(eps) sigma_max: each value within its stated bound.
    const std::vector<double> gram = convreg::gramSingularValues(shape, kernel.data());
    CHECK(gram.size() == sigma.size());
    for (size_t i = 0; i < gram.size() && i < sigma.size(); ++i)
      CHECK(std::fabs(gram[i] - sigma[i]) <= convreg::gramSingularValueError(gram[i], gram[0], static_cast<int64_t>(gram.size())) + 1e-13 * sigma[0]);
  }
}
}  // namespace

TEST(dense_engine, zero_padding_matches_the_definition) { checkEngine(false); }

TEST(dense_engine, circular_dense_reference_matches_the_definition) { checkEngine(true); }

TEST(dense_engine, zero_kernel_gives_alpha_squared_times_columns) {
  const convreg::ConvShape shape = toShape({3, 2, 1, 3});
  const std::vector<double> zero(3 * 3 * 2, 0.0);
  CHECK_NEAR(convreg::densePenalty(shape, zero.data(), 2.0), 4.0 * 2 * 9, 1e-15);
  const convreg::PenaltyAndGradient pg = convreg::densePenaltyAndGradient(shape, zero.data(), 2.0);
  for (double v : pg.gradient) CHECK(v == 0.0);
  for (double v : convreg::denseSingularValues(shape, zero.data())) CHECK(v == 0.0);
}

TEST(dense_engine, gram_route_bound_holds_for_tiny_singular_values) {
  // A 3x3 kernel whose taps nearly cancel: M is close to singular and its small values are where the
  // Gram route loses accuracy; the stated per-value bound must still hold against the reference.
  const convreg::ConvShape shape = toShape({3, 2, 2, 5});
  std::vector<double> kernel = native_ref::randomKernel(3, 2, 2, 7);
  for (size_t i = 0; i < kernel.size(); ++i) kernel[i] = (i % 4 == 0 ? 1.0 : 1e-6) * kernel[i];
  const native_ref::BruteM ref = native_ref::bruteForceM(kernel, 3, 2, 2, 5, false);
  const std::vector<double> sigma = native_ref::singularValuesOneSided(ref.m);
  const std::vector<double> gram = convreg::gramSingularValues(shape, kernel.data());
  CHECK(scaledDiff(convreg::denseSingularValues(shape, kernel.data()), sigma) < 1e-13);
  CHECK(sigma.back() < 1e-5 * sigma[0]);  // the case is as ill-conditioned as intended
  for (size_t i = 0; i < gram.size(); ++i)
    CHECK(std::fabs(gram[i] - sigma[i]) <= convreg::gramSingularValueError(gram[i], gram[0], static_cast<int64_t>(gram.size())));
}

TEST(dense_engine, gram_route_survives_kernels_far_from_unit_scale) {
  // The Gram matrix of a 1e200 (or 1e-200) kernel over- (under-)flows; the values must not.
  const convreg::ConvShape shape = toShape({3, 2, 1, 3});
  const std::vector<double> base = native_ref::randomKernel(3, 2, 1, 99);
  const std::vector<double> unit = convreg::denseSingularValues(shape, base.data());
  for (double scale : {1e200, 1e-200, 1e-310}) {
    std::vector<double> kernel(base);
    for (double& v : kernel) v *= scale;
    const std::vector<double> sigma = convreg::gramSingularValues(shape, kernel.data());
    CHECK(sigma.size() == unit.size());
    for (size_t i = 0; i < sigma.size(); ++i) CHECK(std::fabs(sigma[i] / scale - unit[i]) <= 1e-6 * unit[0]);
  }
}
