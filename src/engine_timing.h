// Wall-clock timing of the engines' penalty+gradient inside the core, for benchmarks that
// compare the engines without the cost of crossing into JavaScript.
#pragma once
#include "conv_shape.h"

namespace convreg {

// Median over `repeats` runs of the milliseconds per call of `calls` calls in a row (after one
// warm-up run), of the dense or the structured penalty+gradient.
double timeEngineMs(const ConvShape& shape, const double* kernel, double alpha, bool dense, int calls, int repeats);

}  // namespace convreg
