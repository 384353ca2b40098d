// The layer engine (strides, VALID, dilation, H != W, transposed) against M built in this file
// entry by entry from the TensorFlow definitions of /work/shared/paper/LAYERS.md.
#include <cmath>
#include <cstdio>

#include "../../src/layer_engine.h"
#include "../../src/structured_engine.h"
#include "check.h"
#include "reference.h"

using namespace native_test;
using native_ref::Matrix;

namespace {

struct General {
  int64_t k, g, h, height, width, stride, dilation;
  bool valid;
};

int64_t outSize(int64_t in, const General& c) {
  const int64_t ke = c.dilation * (c.k - 1) + 1;
  return c.valid ? (in - ke) / c.stride + 1 : (in + c.stride - 1) / c.stride;
}

int64_t padBefore(int64_t in, const General& c) {
  if (c.valid) return 0;
  const int64_t ke = c.dilation * (c.k - 1) + 1, out = outSize(in, c);
  const int64_t total = (out - 1) * c.stride + ke - in;
  return total > 0 ? total / 2 : 0;
}

// Row o*Ho*Wo + r*Wo + c reads column i*H*W + x*W + y with x = r s - pb + p d, y likewise.
// `omega[e]` collects the positions holding kernel entry e.
native_ref::BruteM generalM(const std::vector<double>& kernel, const General& c) {
  const int64_t ho = outSize(c.height, c), wo = outSize(c.width, c);
  const int64_t pbH = padBefore(c.height, c), pbW = padBefore(c.width, c);
  native_ref::BruteM b{Matrix(c.h * ho * wo, c.g * c.height * c.width), {}};
  b.omega.resize(kernel.size());
  for (int64_t o = 0; o < c.h; ++o)
    for (int64_t r = 0; r < ho; ++r)
      for (int64_t s = 0; s < wo; ++s)
        for (int64_t p = 0; p < c.k; ++p)
          for (int64_t q = 0; q < c.k; ++q) {
            const int64_t x = r * c.stride - pbH + p * c.dilation, y = s * c.stride - pbW + q * c.dilation;
            if (x < 0 || x >= c.height || y < 0 || y >= c.width) continue;
            for (int64_t i = 0; i < c.g; ++i) {
              const int64_t e = ((p * c.k + q) * c.g + i) * c.h + o;
              const int64_t row = o * ho * wo + r * wo + s, col = i * c.height * c.width + x * c.width + y;
              b.m.at(row, col) += kernel[static_cast<size_t>(e)];
              b.omega[static_cast<size_t>(e)].emplace_back(row, col);
            }
          }
  return b;
}

convreg::LayerSpec specOf(const General& c, bool transposed) {
  convreg::LayerSpec s{c.k, c.g, c.h, c.height, c.width};
  s.stride = c.stride;
  s.dilation = c.dilation;
  s.padding = c.valid ? convreg::LayerPadding::Valid : convreg::LayerPadding::Same;
  s.transposed = transposed;
  return s;
}

std::vector<General> cases() {
  return {
      {3, 2, 3, 7, 6, 2, 1, false},
      {3, 3, 2, 6, 7, 2, 1, true},
      {2, 2, 2, 5, 8, 3, 1, false},
      {5, 1, 2, 3, 4, 2, 1, false},
      {3, 2, 1, 3, 3, 1, 1, true},
      {3, 2, 2, 9, 7, 2, 2, false},
      {1, 3, 2, 5, 6, 2, 1, false},
      {3, 1, 4, 8, 5, 3, 2, true},
      {2, 3, 1, 4, 4, 1, 2, false},
  };
}

}  // namespace

TEST(layer_engine, penalty_gradient_match_general_m) {
  uint64_t seed = 900;
  for (const General& c : cases())
    for (bool transposed : {false, true}) {
      const std::vector<double> kernel = native_ref::randomKernel(c.k, c.g, c.h, ++seed);
      native_ref::BruteM b = generalM(kernel, c);
      // The transposed layer's M is the forward M^T: the penalty of its own M.
      const Matrix m = transposed ? native_ref::transpose(b.m) : b.m;
      const double alpha = 0.7;
      const double expected = native_ref::penalty(m, alpha);
      const convreg::LayerSpec spec = specOf(c, transposed);
      CHECK_NEAR(convreg::layerPenalty(spec, kernel.data(), alpha) / expected, 1.0, 1e-12);
      const convreg::PenaltyAndGradient pg = convreg::layerPenaltyAndGradient(spec, kernel.data(), alpha);
      CHECK_NEAR(pg.penalty / expected, 1.0, 1e-12);
      // Forward: 4 sum_Omega [M (M^T M - a I)]. Transposed: the same formula with M^T, whose
      // Omega is the forward one with (i, j) swapped.
      std::vector<double> grad;
      if (!transposed) {
        grad = native_ref::gradient(b, kernel.size(), alpha);
      } else {
        native_ref::BruteM bt{m, b.omega};
        for (auto& list : bt.omega)
          for (auto& ij : list) std::swap(ij.first, ij.second);
        grad = native_ref::gradient(bt, kernel.size(), alpha);
      }
      double scale = 0;
      for (double v : grad) scale = std::max(scale, std::fabs(v));
      for (size_t e = 0; e < grad.size(); ++e) CHECK_NEAR(pg.gradient[e] / std::max(scale, 1.0), grad[e] / std::max(scale, 1.0), 1e-11);
    }
}

TEST(layer_engine, quartic_matches_five_points) {
  uint64_t seed = 1200;
  for (const General& c : cases()) {
    const std::vector<double> kernel = native_ref::randomKernel(c.k, c.g, c.h, ++seed);
    const std::vector<double> direction = native_ref::randomKernel(c.k, c.g, c.h, seed + 5000);
    const convreg::LayerSpec spec = specOf(c, false);
    const std::array<double, 5> q = convreg::layerLineQuartic(spec, kernel.data(), direction.data(), 1.3);
    for (double t : {-1.0, -0.5, 0.0, 0.5, 1.5}) {
      std::vector<double> moved(kernel.size());
      for (size_t i = 0; i < kernel.size(); ++i) moved[i] = kernel[i] + t * direction[i];
      const double expected = native_ref::penalty(generalM(moved, c).m, 1.3);
      const double value = q[0] + t * (q[1] + t * (q[2] + t * (q[3] + t * q[4])));
      CHECK_NEAR(value / expected, 1.0, 1e-11);
    }
  }
}

TEST(layer_engine, stride_one_same_matches_structured_engine) {
  for (int64_t k : {1, 2, 3, 4})
    for (int64_t n : {1, 3, 8}) {
      const std::vector<double> kernel = native_ref::randomKernel(k, 3, 2, 77 + k * 10 + n);
      const convreg::LayerSpec spec{k, 3, 2, n, n};
      const convreg::ConvShape shape{k, 3, 2, n};
      CHECK_NEAR(convreg::layerPenalty(spec, kernel.data(), 1.0) / convreg::structuredPenalty(shape, kernel.data(), 1.0), 1.0, 1e-13);
    }
}

TEST(layer_engine, class_count_does_not_grow_with_the_input) {
  const convreg::LayerSpec small{3, 4, 4, 64, 64, 2};
  const convreg::LayerSpec large{3, 4, 4, 4096, 4096, 2};
  CHECK(convreg::layerBlockClassCount(small) == convreg::layerBlockClassCount(large));
  CHECK(convreg::layerBlockClassCount(large) < 200);
}

TEST(layer_engine, valid_smaller_than_kernel_throws) {
  convreg::LayerSpec spec{3, 1, 1, 2, 5};
  spec.padding = convreg::LayerPadding::Valid;
  std::vector<double> kernel(9, 1.0);
  CHECK_THROWS(convreg::layerPenalty(spec, kernel.data(), 1.0));
}
