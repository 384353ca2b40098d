// src/conv_matrix and src/circular_matrix: the sparse M, its nonzero count, its entry map
// and its dense form, against M built from the convolution's definition.
#include "../../src/conv_matrix.h"

#include "../../src/circular_matrix.h"
#include "check.h"
#include "reference.h"
#include "shapes.h"

using namespace native_test;

namespace {
void checkSparseAgainstDefinition(bool circular) {
  for (const SmallShape& ss : smallShapes()) {
    const convreg::ConvShape shape = toShape(ss, circular);
    const std::vector<double> kernel = native_ref::randomKernel(ss.k, ss.g, ss.h, 11 + ss.k * 7 + ss.n);
    const native_ref::BruteM ref = native_ref::bruteForceM(kernel, ss.k, ss.g, ss.h, ss.n, circular);
    const convreg::SparseConvMatrix m = convreg::buildSparse(shape, kernel.data());
    CHECK(m.rows == ss.h * ss.n * ss.n);
    CHECK(m.cols == ss.g * ss.n * ss.n);
    CHECK(static_cast<int64_t>(m.rowStart.size()) == m.rows + 1);
    CHECK(m.column.size() == m.entry.size() && m.entry.size() == m.value.size());
    if (!circular) CHECK(static_cast<int64_t>(m.column.size()) == convreg::countNonzeros(shape));
    // Every nonzero holds the kernel entry it says, at a position of that entry's Omega.
    size_t omegaTotal = 0;
    for (const auto& places : ref.omega) omegaTotal += places.size();
    CHECK(m.column.size() == omegaTotal);
    for (int64_t i = 0; i < m.rows; ++i)
      for (int64_t z = m.rowStart[i]; z < m.rowStart[i + 1]; ++z) {
        CHECK(m.column[z] >= 0 && m.column[z] < m.cols);
        CHECK(m.value[z] == kernel[static_cast<size_t>(m.entry[z])]);
        const auto& places = ref.omega[static_cast<size_t>(m.entry[z])];
        CHECK(std::find(places.begin(), places.end(), std::make_pair(i, m.column[z])) != places.end());
      }
    std::vector<double> dense(static_cast<size_t>(m.rows * m.cols), -1.0);
    convreg::materializeDense(m, dense.data());
    CHECK(scaledDiff(dense, ref.m.a) < 1e-15);
  }
}
}  // namespace

TEST(conv_matrix, zero_padded_sparse_M_matches_the_definition) { checkSparseAgainstDefinition(false); }

TEST(conv_matrix, circular_sparse_M_matches_the_definition) { checkSparseAgainstDefinition(true); }

TEST(conv_matrix, circular_builder_called_directly_keeps_k2g_nonzeros_per_row) {
  const convreg::ConvShape shape = toShape({3, 2, 1, 2}, true);
  const std::vector<double> kernel = native_ref::randomKernel(3, 2, 1, 5);
  const convreg::SparseConvMatrix m = convreg::buildCircularSparse(shape, kernel.data());
  for (int64_t i = 0; i < m.rows; ++i) CHECK(m.rowStart[i + 1] - m.rowStart[i] == 9 * 2);
}

TEST(conv_matrix, tap_offsets_follow_ceil_k_over_2) {
  CHECK(toShape({1, 1, 1, 1}).offset(0) == 0);
  CHECK(toShape({2, 1, 1, 1}).offset(0) == 0 && toShape({2, 1, 1, 1}).offset(1) == 1);
  CHECK(toShape({3, 1, 1, 1}).offset(0) == -1 && toShape({3, 1, 1, 1}).offset(2) == 1);
  CHECK(toShape({4, 1, 1, 1}).offset(0) == -1 && toShape({4, 1, 1, 1}).offset(3) == 2);
}

TEST(conv_matrix, invalid_shapes_throw_instead_of_building) {
  const double one = 1.0;
  CHECK_THROWS(convreg::buildSparse(convreg::ConvShape{0, 1, 1, 1}, &one));
  CHECK_THROWS(convreg::buildSparse(convreg::ConvShape{1, 0, 1, 1}, &one));
  CHECK_THROWS(convreg::buildSparse(convreg::ConvShape{1, 1, 1, 0}, &one));
  convreg::ConvShape circular{1, 1, -1, 1};
  circular.padding = convreg::Padding::Circular;
  CHECK_THROWS(convreg::buildSparse(circular, &one));
}
