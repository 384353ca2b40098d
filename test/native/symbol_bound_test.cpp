// src/symbol_bound: the proven upper value against sigma_max of the brute-force zero-padded and
// circular M (stride 1), the convergence gap, and invalid sizes.
#include "../../src/symbol_bound.h"

#include <vector>

#include "check.h"
#include "reference.h"

using namespace native_test;

TEST(symbol_bound, upper_is_above_sigma_max_of_m_at_every_n) {
  uint64_t seed = 11;
  for (int64_t k : {1, 2, 3, 4})
    for (auto [g, h] : {std::pair<int64_t, int64_t>{2, 3}, {3, 2}}) {
      const std::vector<double> kernel = native_ref::randomKernel(k, g, h, seed++);
      convreg::SymbolBoundOptions o;
      o.tolerance = 1e-3;
      const convreg::SymbolBoundResult r = convreg::symbolBound(k, g, h, kernel.data(), o);
      CHECK(r.converged);
      CHECK(r.upper - r.lower <= o.tolerance * r.upper);
      for (int64_t n : {1, 3, 6})
        for (bool circular : {false, true}) {
          const double exact = native_ref::singularValues(native_ref::bruteForceM(kernel, k, g, h, n, circular).m)[0];
          CHECK(r.upper >= exact);
        }
    }
}

TEST(symbol_bound, stride_two_is_tighter_than_stride_one_and_zero_kernel_is_zero) {
  const std::vector<double> kernel = native_ref::randomKernel(3, 4, 5, 3);
  convreg::SymbolBoundOptions o;
  const double one = convreg::symbolBound(3, 4, 5, kernel.data(), o).upper;
  o.stride = 2;
  const double two = convreg::symbolBound(3, 4, 5, kernel.data(), o).upper;
  CHECK(two < one);
  // The stride-2 symbol at any point is at most the stride-2 bound.
  CHECK(convreg::symbolSigmaMax(3, 4, 5, kernel.data(), 2, 1, 0.3, 1.7) <= two);
  const std::vector<double> zero(9, 0.0);
  CHECK(convreg::symbolBound(3, 1, 1, zero.data(), o).upper == 0);
}

TEST(symbol_bound, invalid_sizes_throw) {
  const double one = 1.0;
  convreg::SymbolBoundOptions o;
  CHECK_THROWS(convreg::symbolBound(0, 1, 1, &one, o));
  o.stride = 0;
  CHECK_THROWS(convreg::symbolBound(1, 1, 1, &one, o));
  o.stride = 1;
  o.tolerance = 0;
  CHECK_THROWS(convreg::symbolBound(1, 1, 1, &one, o));
  o.tolerance = 1e-3;
  o.maxCells = 0;
  CHECK_THROWS(convreg::symbolBound(1, 1, 1, &one, o));
}
