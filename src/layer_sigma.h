// sigma_max and the certified sigma_min of a layer's own M (stride, SAME/VALID, dilation,
// H x W, transposed) from its sparse CSR form: Lanczos on the smaller Gram operator A^T A
// (products by the CSR, memory ~ nonzeros) and the shift-invert certificate of sigma_min.cpp
// on the sparse Gram built from M's nonzeros.
#pragma once
#include "lanczos.h"
#include "layer_spec.h"
#include "sigma_min.h"

namespace convreg {

// Largest singular value of the layer's M with a residual bound. `start`, when given, has the
// length of the smaller Gram side (min(rows, cols)); the returned vector lives on that side.
LanczosResult layerSigmaMaxIterative(const LayerSpec& spec, const double* kernel, const double* start,
                                     const LanczosOptions& options);

// sigma_min of the layer's M with a bracket (proven under options.worstCaseRounding). The
// vector is numbered like M's columns (inputSide) or rows.
SigmaMinResult layerSigmaMin(const LayerSpec& spec, const double* kernel, const SigmaMinOptions& options);

}  // namespace convreg
