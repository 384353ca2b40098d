// src/dense_engine: penalty, Theorem 3.1 gradient and both singular value routes against
// the definition (naive products, Jacobi eigenvalues).
#include "../../src/dense_engine.h"

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
    }
    const std::vector<double> sigma = native_ref::singularValues(ref.m);
    CHECK(scaledDiff(convreg::denseSingularValues(shape, kernel.data()), sigma) < 1e-11);
    // The Gram route loses relative accuracy below sqrt(eps) sigma_max: compare on sigma_max's scale.
    CHECK(scaledDiff(convreg::gramSingularValues(shape, kernel.data()), sigma) < 1e-7);
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
