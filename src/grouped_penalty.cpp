#include "grouped_penalty.h"

#include <stdexcept>

#include "native_memory.h"
#include "structured_engine.h"

namespace convreg {

double groupedStructuredPenaltyAndGradient(const ConvShape& group, int64_t groups, const double* kernel, double alpha,
                                           double* gradient) {
  requireValidShape(group);
  if (groups < 1) throw std::invalid_argument("convreg: groups must be >= 1");
  const int64_t rows = group.k * group.k * group.g;  // (tap, input channel) rows of HWIO
  const int64_t width = group.h;                     // one group's output columns
  const int64_t layerWidth = groups * width;
  // One group's kernel and gradient, gathered from / scattered to the layer's rows (reused).
  TrackedDoubles part(static_cast<size_t>(rows * width));
  TrackedDoubles partGradient(static_cast<size_t>(rows * width));
  double penalty = 0;
  for (int64_t j = 0; j < groups; j++) {
    for (int64_t r = 0; r < rows; r++)
      for (int64_t c = 0; c < width; c++) part[r * width + c] = kernel[r * layerWidth + j * width + c];
    penalty += structuredPenaltyAndGradient(group, part.data(), alpha, partGradient.data());
    for (int64_t r = 0; r < rows; r++)
      for (int64_t c = 0; c < width; c++) gradient[r * layerWidth + j * width + c] = partGradient[r * width + c];
  }
  return penalty;
}

}  // namespace convreg
