// The layer's own M (src/layer_matrix) and its spectra (src/layer_sigma) against M written in
// this file entry by entry from LAYERS.md, and one-sided Jacobi singular values of it.
#include <cmath>

#include "../../src/layer_matrix.h"
#include "../../src/layer_sigma.h"
#include "check.h"
#include "reference.h"

using namespace native_test;
using native_ref::Matrix;

namespace {

struct Layer {
  int64_t k, g, h, height, width, stride, dilation;
  bool valid, transposed;
};

int64_t outSize(int64_t in, const Layer& c) {
  const int64_t ke = c.dilation * (c.k - 1) + 1;
  return c.valid ? (in - ke) / c.stride + 1 : (in + c.stride - 1) / c.stride;
}

// Forward row o Ho Wo + r Wo + s reads column i H W + x W + y, x = r stride - padBefore + p dilation.
Matrix layerM(const std::vector<double>& kernel, const Layer& c) {
  const int64_t ke = c.dilation * (c.k - 1) + 1, ho = outSize(c.height, c), wo = outSize(c.width, c);
  auto before = [&](int64_t in, int64_t out) { return c.valid ? 0 : std::max<int64_t>((out - 1) * c.stride + ke - in, 0) / 2; };
  const int64_t pbH = before(c.height, ho), pbW = before(c.width, wo);
  Matrix m(c.h * ho * wo, c.g * c.height * c.width);
  for (int64_t o = 0; o < c.h; ++o)
    for (int64_t r = 0; r < ho; ++r)
      for (int64_t s = 0; s < wo; ++s)
        for (int64_t i = 0; i < c.g; ++i)
          for (int64_t p = 0; p < c.k; ++p)
            for (int64_t q = 0; q < c.k; ++q) {
              const int64_t x = r * c.stride - pbH + p * c.dilation, y = s * c.stride - pbW + q * c.dilation;
              if (x < 0 || x >= c.height || y < 0 || y >= c.width) continue;
              m.at(o * ho * wo + r * wo + s, i * c.height * c.width + x * c.width + y) += kernel[((p * c.k + q) * c.g + i) * c.h + o];
            }
  return c.transposed ? native_ref::transpose(m) : m;
}

convreg::LayerSpec specOf(const Layer& c) {
  convreg::LayerSpec s{c.k, c.g, c.h, c.height, c.width};
  s.stride = c.stride;
  s.dilation = c.dilation;
  s.padding = c.valid ? convreg::LayerPadding::Valid : convreg::LayerPadding::Same;
  s.transposed = c.transposed;
  return s;
}

std::vector<Layer> layers() {
  return {
      {3, 2, 3, 7, 6, 2, 1, false, false},
      {3, 3, 2, 6, 7, 2, 1, true, false},
      {2, 2, 2, 5, 8, 3, 1, false, true},
      {5, 1, 2, 3, 4, 2, 1, false, false},
      {3, 2, 1, 3, 3, 1, 1, true, true},
      {3, 2, 2, 9, 7, 2, 2, false, false},
      {1, 3, 2, 5, 6, 2, 1, false, false},
      {3, 1, 4, 8, 5, 3, 2, true, true},
  };
}

}  // namespace

TEST(layer_spectra, sparse_m_is_the_definition) {
  uint64_t seed = 300;
  for (const Layer& c : layers()) {
    const std::vector<double> kernel = native_ref::randomKernel(c.k, c.g, c.h, ++seed);
    const Matrix m = layerM(kernel, c);
    const convreg::SparseConvMatrix s = convreg::buildLayerSparse(specOf(c), kernel.data());
    CHECK(s.rows == m.rows && s.cols == m.cols);
    CHECK(static_cast<int64_t>(s.value.size()) == convreg::layerNonzeros(specOf(c)));
    Matrix rebuilt(s.rows, s.cols);
    for (int64_t i = 0; i < s.rows; ++i)
      for (int64_t z = s.rowStart[i]; z < s.rowStart[i + 1]; ++z) {
        CHECK(s.value[z] == kernel[s.entry[z]]);
        rebuilt.at(i, s.column[z]) += s.value[z];
      }
    CHECK(rebuilt.a == m.a);
    CHECK(convreg::layerDenseMatrix(specOf(c), kernel.data()) == m.a);
  }
}

TEST(layer_spectra, values_sigma_max_and_sigma_min_match_jacobi) {
  uint64_t seed = 400;
  for (const Layer& c : layers()) {
    const std::vector<double> kernel = native_ref::randomKernel(c.k, c.g, c.h, ++seed);
    const std::vector<double> expected = native_ref::singularValuesOneSided(layerM(kernel, c));
    const double top = expected.front(), bottom = expected.back();
    for (bool viaGram : {false, true}) {
      const std::vector<double> got = convreg::layerSingularValues(specOf(c), kernel.data(), viaGram);
      CHECK(got.size() == expected.size());
      // The Gram route errs by about eps sigma_max^2 on the squares.
      for (size_t i = 0; i < got.size() && i < expected.size(); ++i)
        CHECK(std::fabs(got[i] * got[i] - expected[i] * expected[i]) <= (viaGram ? 1e-13 : 1e-14) * top * top + 1e-12 * expected[i] * expected[i]);
    }
    convreg::LanczosOptions lo;
    lo.tolerance = 1e-11;
    const convreg::LanczosResult lr = convreg::layerSigmaMaxIterative(specOf(c), kernel.data(), nullptr, lo);
    CHECK(lr.converged);
    CHECK(std::fabs(lr.sigma - top) <= lr.sigmaBound + 1e-13 * top);
    const convreg::SigmaMinResult sr = convreg::layerSigmaMin(specOf(c), kernel.data(), convreg::SigmaMinOptions{});
    CHECK(sr.lower * sr.lower <= bottom * bottom + 1e-13 * top * top);
    CHECK(sr.upper * sr.upper >= bottom * bottom - 1e-13 * top * top);
    CHECK(static_cast<int64_t>(sr.vector.size()) == std::min(static_cast<int64_t>(expected.size()), sr.order));
  }
}
