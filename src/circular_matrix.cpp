#include "circular_matrix.h"

namespace convreg {

SparseConvMatrix buildCircularSparse(const ConvShape& s, const double* kernel) {
  requireValidShape(s);
  SparseConvMatrix m;
  m.rows = s.rows();
  m.cols = s.cols();
  const int64_t nnz = s.rows() * s.k * s.k * s.g;
  m.rowStart.reserve(m.rows + 1);
  m.column.reserve(nnz);
  m.entry.reserve(nnz);
  m.value.reserve(nnz);
  m.rowStart.push_back(0);
  auto wrap = [&](int64_t i) { return ((i % s.n) + s.n) % s.n; };
  for (int64_t c = 0; c < s.h; ++c)
    for (int64_t r = 0; r < s.n; ++r)
      for (int64_t q0 = 0; q0 < s.n; ++q0) {
        for (int64_t d = 0; d < s.g; ++d)
          for (int64_t p = 0; p < s.k; ++p)
            for (int64_t q = 0; q < s.k; ++q) {
              const int64_t e = s.kernelIndex(p, q, d, c);
              m.column.push_back(s.col(wrap(r + s.offset(p)), wrap(q0 + s.offset(q)), d));
              m.entry.push_back(e);
              m.value.push_back(kernel[e]);
            }
        m.rowStart.push_back(static_cast<int64_t>(m.column.size()));
      }
  return m;
}

}  // namespace convreg
