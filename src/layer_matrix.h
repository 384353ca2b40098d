// The layer's own M (stride, SAME/VALID, dilation, H x W, transposed) in CSR form, and its
// singular values: dgesdd on the dense M or the eigenvalues of the smaller Gram matrix.
// Rows o Ho Wo + r Wo + c (output pixel (r, c) of channel o), columns i H W + x W + y; a
// transposed layer's M is the forward M^T.
#pragma once
#include <cstdint>
#include <vector>

#include "conv_matrix.h"
#include "layer_spec.h"

namespace convreg {

// Nonzeros of the layer's M without building it (O(k) per axis).
int64_t layerNonzeros(const LayerSpec& spec);

SparseConvMatrix buildLayerSparse(const LayerSpec& spec, const double* kernel);

// Row-major dense M of the layer.
std::vector<double> layerDenseMatrix(const LayerSpec& spec, const double* kernel);

// All min(rows, cols) singular values, descending: dgesdd on the dense M, or (viaGram) the
// square roots of the eigenvalues of the smaller Gram matrix built from M's nonzeros.
std::vector<double> layerSingularValues(const LayerSpec& spec, const double* kernel, bool viaGram);

}  // namespace convreg
