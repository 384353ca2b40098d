#include "conv_matrix.h"

#include <algorithm>

#include "circular_matrix.h"

namespace convreg {

namespace {
// Taps p whose offset keeps r + offset(p) inside [0, n).
inline void tapRange(const ConvShape& s, int64_t r, int64_t& lo, int64_t& hi) {
  lo = std::max<int64_t>(0, -r - s.firstOffset());
  hi = std::min<int64_t>(s.k, s.n - r - s.firstOffset());
}
}  // namespace

int64_t countNonzeros(const ConvShape& s) {
  int64_t perAxis = 0;  // sum over r of the number of valid taps on one axis
  for (int64_t r = 0; r < s.n; ++r) {
    int64_t lo, hi;
    tapRange(s, r, lo, hi);
    perAxis += std::max<int64_t>(0, hi - lo);
  }
  return perAxis * perAxis * s.g * s.h;
}

SparseConvMatrix buildSparse(const ConvShape& s, const double* kernel) {
  requireValidShape(s);
  if (s.padding == Padding::Circular) return buildCircularSparse(s, kernel);
  SparseConvMatrix m;
  m.rows = s.rows();
  m.cols = s.cols();
  const int64_t nnz = countNonzeros(s);
  m.rowStart.reserve(m.rows + 1);
  m.column.reserve(nnz);
  m.entry.reserve(nnz);
  m.value.reserve(nnz);
  m.rowStart.push_back(0);
  for (int64_t c = 0; c < s.h; ++c)
    for (int64_t r = 0; r < s.n; ++r)
      for (int64_t q0 = 0; q0 < s.n; ++q0) {
        int64_t pLo, pHi, qLo, qHi;
        tapRange(s, r, pLo, pHi);
        tapRange(s, q0, qLo, qHi);
        // Columns ascend with d, then input row, then input column.
        for (int64_t d = 0; d < s.g; ++d)
          for (int64_t p = pLo; p < pHi; ++p)
            for (int64_t q = qLo; q < qHi; ++q) {
              const int64_t e = s.kernelIndex(p, q, d, c);
              m.column.push_back(s.col(r + s.offset(p), q0 + s.offset(q), d));
              m.entry.push_back(e);
              m.value.push_back(kernel[e]);
            }
        m.rowStart.push_back(static_cast<int64_t>(m.column.size()));
      }
  return m;
}

void materializeDense(const SparseConvMatrix& m, double* out) {
  std::fill(out, out + m.rows * m.cols, 0.0);
  for (int64_t i = 0; i < m.rows; ++i)
    for (int64_t z = m.rowStart[i]; z < m.rowStart[i + 1]; ++z) out[i * m.cols + m.column[z]] += m.value[z];
}

}  // namespace convreg
