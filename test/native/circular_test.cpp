// src/circular: the DFT engine of circular padding against the block-circulant M built
// from the definition (wrap-around indices), including N < k where taps alias.
#include "../../src/circular.h"

#include "check.h"
#include "reference.h"
#include "shapes.h"

using namespace native_test;

TEST(circular, dft_engine_matches_the_definition) {
  for (const SmallShape& ss : smallShapes()) {
    const convreg::ConvShape shape = toShape(ss, true);
    const std::vector<double> kernel = native_ref::randomKernel(ss.k, ss.g, ss.h, 7 + ss.k * 5 + ss.h * 2 + ss.n);
    const native_ref::BruteM ref = native_ref::bruteForceM(kernel, ss.k, ss.g, ss.h, ss.n, true);
    CHECK(scaledDiff(convreg::circularSingularValues(shape, kernel.data()), native_ref::singularValues(ref.m)) < 1e-10);
    for (double alpha : {1.0, 2.5}) {
      const double f = native_ref::penalty(ref.m, alpha);
      CHECK_NEAR(convreg::circularPenalty(shape, kernel.data(), alpha), f, 1e-10);
      const convreg::PenaltyAndGradient pg = convreg::circularPenaltyAndGradient(shape, kernel.data(), alpha);
      CHECK_NEAR(pg.penalty, f, 1e-10);
      CHECK(scaledDiff(pg.gradient, native_ref::gradient(ref, kernel.size(), alpha)) < 1e-10);
    }
  }
}

TEST(circular, invalid_shapes_throw) {
  const double one = 1.0;
  convreg::ConvShape bad{1, 1, 1, 0};
  bad.padding = convreg::Padding::Circular;
  CHECK_THROWS(convreg::circularSingularValues(bad, &one));
  CHECK_THROWS(convreg::circularPenalty(bad, &one, 1.0));
  CHECK_THROWS(convreg::circularPenaltyAndGradient(bad, &one, 1.0));
}

TEST(circular, singular_values_survive_entries_near_the_largest_double) {
  const convreg::ConvShape shape = toShape({3, 1, 2, 3}, true);
  const std::vector<double> base = native_ref::randomKernel(3, 1, 2, 17);
  const std::vector<double> unit = convreg::circularSingularValues(shape, base.data());
  std::vector<double> huge(base);
  for (double& v : huge) v *= 1e307;
  const std::vector<double> sigma = convreg::circularSingularValues(shape, huge.data());
  for (size_t i = 0; i < sigma.size(); ++i) CHECK(std::isfinite(sigma[i]) && std::fabs(sigma[i] / 1e307 - unit[i]) <= 1e-12 * unit[0]);
}
