// The matrix M of a convolution layer: sparse (CSR) construction and dense materialization.
#pragma once
#include <cstdint>
#include <vector>

#include "conv_shape.h"

namespace convreg {

// M in compressed sparse row form. `entry[z]` is the index (HWIO) of the kernel
// entry stored at nonzero z, so the sum over Omega of Theorem 3.1 is a walk over z.
struct SparseConvMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> rowStart;  // rows + 1 offsets into the arrays below
  std::vector<int64_t> column;
  std::vector<int64_t> entry;
  std::vector<double> value;
};

// Number of nonzeros of the zero-padded M without building it (taps that land inside the image).
int64_t countNonzeros(const ConvShape& shape);

// M for shape.padding (circular: see circular_matrix.h).
SparseConvMatrix buildSparse(const ConvShape& shape, const double* kernel);

// Row-major dense M (rows x cols; repeated columns of a row add up), written into `out` which must hold rows*cols doubles.
void materializeDense(const SparseConvMatrix& m, double* out);

}  // namespace convreg
