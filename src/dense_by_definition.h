// The paper's dense construction taken literally, kept as an independent path for tests and
// benchmarks: M materialized, its smaller Gram matrix by syrk, the Theorem 3.1 product by symm.
#pragma once
#include "dense_engine.h"

namespace convreg {

double densePenaltyByDefinition(const ConvShape& shape, const double* kernel, double alpha);

PenaltyAndGradient densePenaltyAndGradientByDefinition(const ConvShape& shape, const double* kernel, double alpha);

// All singular values of the dense M by LAPACK dgesvd (QR iteration), descending.
std::vector<double> denseSingularValuesByDefinition(const ConvShape& shape, const double* kernel);

}  // namespace convreg
