// The smaller Gram matrix of M from M's nonzeros (a sparse-times-sparse product, no dense M),
// and the Theorem 3.1 product evaluated only where M is nonzero. M has k^2 g nonzeros per row
// and its Gram (2k-1)^2 min(g, h) per row, so both cost O(h g min(g, h) k^4 N^2) instead of the
// dense O(g h min(g, h) N^6).
#pragma once
#include <cstdint>
#include <vector>

#include "conv_matrix.h"

namespace convreg {

// M^T (each nonzero keeps its kernel entry index; columns of a row ascending).
SparseConvMatrix transposeOf(const SparseConvMatrix& m);

// A = M when rows <= cols, else M^T (the nonzeros keep their kernel entry index), so that the
// smaller Gram matrix is A A^T.
struct GramFactor {
  SparseConvMatrix a;
  bool transposed = false;  // true: a = M^T
};
GramFactor smallerSideFactor(const SparseConvMatrix& m);

// A square sparse matrix in CSR form (columns of a row in no particular order).
struct SparseSquare {
  int64_t order = 0;
  std::vector<int64_t> rowStart, column;
  std::vector<double> value;
};

// A A^T by Gustavson's row-by-row product.
SparseSquare gramOf(const SparseConvMatrix& a);

// ||A A^T - alpha I||_F^2 from the sparse Gram (entries not stored are zero).
double shiftedFrobeniusSquared(const SparseSquare& gram, double alpha);

// For each nonzero z of A: S[i(z), column(z)] with S = (A A^T - alpha I) A, summed into
// out[entry(z)] times `factor`.
void addShiftedProductOnPattern(const SparseSquare& gram, const SparseConvMatrix& a, double alpha, double factor,
                                double* out);

// The sparse Gram written into a dense row-major order x order array (both triangles).
void scatterDense(const SparseSquare& gram, double* out);

}  // namespace convreg
