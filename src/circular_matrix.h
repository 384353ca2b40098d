// The block-circulant M of circular padding built by definition (indices mod N): the
// dense reference for the DFT engine of circular.h.
#pragma once
#include "conv_matrix.h"

namespace convreg {

// CSR of the circular M. When N < k several taps land on the same column of a row:
// each keeps its own nonzero (so `entry` still lists Omega), and materializeDense adds them.
SparseConvMatrix buildCircularSparse(const ConvShape& shape, const double* kernel);

}  // namespace convreg
