#include "grouped_penalty.h"

#include <algorithm>
#include <stdexcept>

#include "layer_engine.h"
#include "native_memory.h"
#include "structured_engine.h"

namespace convreg {

namespace {
// Runs `groupPenalty(part, partGradient)` on every group's kernel in turn, gathered from the layer
// kernel's `rows` HWIO rows (columns j width .. j width + width - 1), scattering each gradient
// back into the layer's; returns the sum of the groups' F.
template <typename GroupPenalty>
double sumOverGroups(int64_t rows, int64_t width, int64_t groups, const double* kernel, double* gradient,
                     GroupPenalty groupPenalty) {
  if (groups < 1) throw std::invalid_argument("convreg: groups must be >= 1");
  const int64_t layerWidth = groups * width;
  TrackedDoubles part(static_cast<size_t>(rows * width));  // reused by every group
  TrackedDoubles partGradient(part.size());
  double penalty = 0;
  for (int64_t j = 0; j < groups; j++) {
    for (int64_t r = 0; r < rows; r++)
      std::copy_n(kernel + r * layerWidth + j * width, width, part.data() + r * width);
    penalty += groupPenalty(part.data(), partGradient.data());
    for (int64_t r = 0; r < rows; r++)
      std::copy_n(partGradient.data() + r * width, width, gradient + r * layerWidth + j * width);
  }
  return penalty;
}
}  // namespace

double groupedStructuredPenaltyAndGradient(const ConvShape& group, int64_t groups, const double* kernel, double alpha,
                                           double* gradient) {
  requireValidShape(group);
  return sumOverGroups(group.k * group.k * group.g, group.h, groups, kernel, gradient,
                       [&](const double* part, double* partGradient) {
                         return structuredPenaltyAndGradient(group, part, alpha, partGradient);
                       });
}

double groupedLayerPenaltyAndGradient(const LayerSpec& group, int64_t groups, const double* kernel, double alpha,
                                      double* gradient) {
  return sumOverGroups(group.k * group.k * group.g, group.h, groups, kernel, gradient,
                       [&](const double* part, double* partGradient) {
                         const PenaltyAndGradient r = layerPenaltyAndGradient(group, part, alpha);
                         if (static_cast<int64_t>(r.gradient.size()) != group.k * group.k * group.g * group.h)
                           throw std::length_error("convreg: the layer engine's gradient does not have the group kernel's length");
                         std::copy(r.gradient.begin(), r.gradient.end(), partGradient);
                         return r.penalty;
                       });
}

}  // namespace convreg
