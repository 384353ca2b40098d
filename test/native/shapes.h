// The small layer shapes every native test walks: k = 1..5, N = 1, N < k, single channels,
// g < h and g > h. Small enough that the brute-force references stay instant under ASan.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../../src/conv_shape.h"

namespace native_test {

struct SmallShape {
  int64_t k, g, h, n;
};

inline const std::vector<SmallShape>& smallShapes() {
  static const std::vector<SmallShape> shapes = {
      {1, 1, 1, 1},
      {1, 2, 3, 2},
      {2, 1, 1, 1},
      {2, 1, 1, 3},
      {2, 2, 1, 4},
      {3, 1, 1, 1},
      {3, 1, 1, 2},
      {3, 3, 1, 3},
      {3, 1, 3, 4},
      {3, 2, 2, 5},
      {4, 1, 2, 2},
      {4, 2, 1, 3},
      {4, 1, 1, 5},
      {5, 1, 1, 3},
      {5, 2, 3, 2},
      {5, 1, 2, 6},
  };
  return shapes;
}

inline convreg::ConvShape toShape(const SmallShape& s, bool circular = false) {
  convreg::ConvShape c{s.k, s.g, s.h, s.n};
  c.padding = circular ? convreg::Padding::Circular : convreg::Padding::Zero;
  return c;
}

// max |a_i - b_i| / max(1e-300, max |b_i|): relative to the reference's scale.
inline double scaledDiff(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return INFINITY;
  double diff = 0, scale = 1e-300;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i])) return INFINITY;
    diff = std::max(diff, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  return diff / scale;
}

}  // namespace native_test
