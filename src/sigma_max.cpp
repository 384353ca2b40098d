#include "sigma_max.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "conv_operator.h"

namespace convreg {

double gramRoundingBound(const ConvShape& s, const double* kernel) {
  // A row of M holds at most one copy of each K[.,.,.,c]; a column at most one of each K[.,.,d,.].
  std::vector<double> perOut(static_cast<size_t>(s.h), 0.0), perIn(static_cast<size_t>(s.g), 0.0);
  for (int64_t t = 0; t < s.k * s.k; ++t)
    for (int64_t d = 0; d < s.g; ++d)
      for (int64_t c = 0; c < s.h; ++c) {
        const double a = std::fabs(kernel[(t * s.g + d) * s.h + c]);
        perOut[c] += a;
        perIn[d] += a;
      }
  const double rowSum = *std::max_element(perOut.begin(), perOut.end());
  const double colSum = *std::max_element(perIn.begin(), perIn.end());
  const double terms = static_cast<double>(s.k * s.k * (s.g + s.h) + 8);
  return std::numeric_limits<double>::epsilon() * terms * rowSum * colSum;
}

LanczosResult sigmaMaxIterative(const ConvShape& shape, const double* kernel, const double* start, const LanczosOptions& options) {
  requireValidShape(shape);
  ConvOperator op(shape, kernel);
  return largestEigenpair(
      op.gramSize(), [&op](const double* v, double* out) { op.applyGram(v, out); }, start,
      gramRoundingBound(shape, kernel), options);
}

}  // namespace convreg
