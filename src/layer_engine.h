// The layer engine (MATH.md section 8): the penalty F = ||M^T M - alpha I||_F^2 (or, for a
// transposed layer, ||M M^T - alpha I||_F^2), its gradient and the exact line quartic for
// strided, VALID, dilated and non-square layers, at a cost that does not depend on H or W.
#pragma once
#include <array>
#include <vector>

#include "dense_engine.h"
#include "layer_spec.h"

namespace convreg {

double layerPenalty(const LayerSpec& spec, const double* kernel, double alpha);

// F and dF/dK (HWIO, not halved).
PenaltyAndGradient layerPenaltyAndGradient(const LayerSpec& spec, const double* kernel, double alpha);

// c[0..4] with F(K + t D) = sum_i c[i] t^i for every real t.
std::array<double, 5> layerLineQuartic(const LayerSpec& spec, const double* kernel, const double* direction,
                                       double alpha);

// Number of 2-D block classes the engine visits (after merging equal ones): a function of
// k, stride, dilation and padding, bounded independently of H and W. For tests.
int64_t layerBlockClassCount(const LayerSpec& spec);

}  // namespace convreg
