#include "sparse_gram.h"

#include <algorithm>

namespace convreg {

SparseConvMatrix transposeOf(const SparseConvMatrix& m) {
  SparseConvMatrix t;
  t.rows = m.cols;
  t.cols = m.rows;
  const size_t nnz = m.column.size();
  t.rowStart.assign(static_cast<size_t>(t.rows + 1), 0);
  for (int64_t c : m.column) ++t.rowStart[static_cast<size_t>(c + 1)];
  for (int64_t r = 0; r < t.rows; ++r) t.rowStart[r + 1] += t.rowStart[r];
  t.column.resize(nnz);
  t.entry.resize(nnz);
  t.value.resize(nnz);
  std::vector<int64_t> next(t.rowStart.begin(), t.rowStart.end() - 1);
  for (int64_t i = 0; i < m.rows; ++i)
    for (int64_t z = m.rowStart[i]; z < m.rowStart[i + 1]; ++z) {
      const int64_t at = next[m.column[z]]++;
      t.column[at] = i;
      t.entry[at] = m.entry[z];
      t.value[at] = m.value[z];
    }
  return t;
}

GramFactor smallerSideFactor(const SparseConvMatrix& m) {
  GramFactor f;
  f.transposed = m.rows > m.cols;
  f.a = f.transposed ? transposeOf(m) : m;
  return f;
}

SparseSquare gramOf(const SparseConvMatrix& a) {
  const SparseConvMatrix at = transposeOf(a);
  SparseSquare g;
  g.order = a.rows;
  g.rowStart.reserve(static_cast<size_t>(a.rows + 1));
  g.rowStart.push_back(0);
  std::vector<double> acc(static_cast<size_t>(a.rows), 0.0);
  std::vector<char> seen(static_cast<size_t>(a.rows), 0);
  std::vector<int64_t> touched;
  for (int64_t i = 0; i < a.rows; ++i) {
    touched.clear();
    // Row i of A A^T = sum over j of A_ij times row j of A^T.
    for (int64_t z = a.rowStart[i]; z < a.rowStart[i + 1]; ++z) {
      const double v = a.value[z];
      const int64_t j = a.column[z];
      for (int64_t y = at.rowStart[j]; y < at.rowStart[j + 1]; ++y) {
        const int64_t m = at.column[y];
        if (!seen[m]) {
          seen[m] = 1;
          touched.push_back(m);
        }
        acc[m] += v * at.value[y];
      }
    }
    for (int64_t m : touched) {
      g.column.push_back(m);
      g.value.push_back(acc[m]);
      acc[m] = 0;
      seen[m] = 0;
    }
    g.rowStart.push_back(static_cast<int64_t>(g.column.size()));
  }
  return g;
}

double shiftedFrobeniusSquared(const SparseSquare& gram, double alpha) {
  double sum = 0;
  for (int64_t i = 0; i < gram.order; ++i) {
    bool diagonal = false;
    for (int64_t z = gram.rowStart[i]; z < gram.rowStart[i + 1]; ++z) {
      double v = gram.value[z];
      if (gram.column[z] == i) {
        v -= alpha;
        diagonal = true;
      }
      sum += v * v;
    }
    if (!diagonal) sum += alpha * alpha;
  }
  return sum;
}

void addShiftedProductOnPattern(const SparseSquare& gram, const SparseConvMatrix& a, double alpha, double factor,
                                double* out) {
  std::vector<double> acc(static_cast<size_t>(a.cols), 0.0);
  for (int64_t i = 0; i < a.rows; ++i) {
    // Row i of (A A^T - alpha I) A, accumulated densely; only A's pattern in row i is read.
    for (int64_t z = gram.rowStart[i]; z < gram.rowStart[i + 1]; ++z) {
      const int64_t m = gram.column[z];
      const double h = m == i ? gram.value[z] - alpha : gram.value[z];
      for (int64_t y = a.rowStart[m]; y < a.rowStart[m + 1]; ++y) acc[a.column[y]] += h * a.value[y];
    }
    // A row of A with stored entries has its diagonal Gram entry stored, so the shift is in.
    for (int64_t y = a.rowStart[i]; y < a.rowStart[i + 1]; ++y) out[a.entry[y]] += factor * acc[a.column[y]];
    for (int64_t z = gram.rowStart[i]; z < gram.rowStart[i + 1]; ++z) {
      const int64_t m = gram.column[z];
      for (int64_t y = a.rowStart[m]; y < a.rowStart[m + 1]; ++y) acc[a.column[y]] = 0;
    }
    for (int64_t y = a.rowStart[i]; y < a.rowStart[i + 1]; ++y) acc[a.column[y]] = 0;
  }
}

void scatterDense(const SparseSquare& gram, double* out) {
  std::fill(out, out + gram.order * gram.order, 0.0);
  for (int64_t i = 0; i < gram.order; ++i)
    for (int64_t z = gram.rowStart[i]; z < gram.rowStart[i + 1]; ++z) out[i * gram.order + gram.column[z]] += gram.value[z];
}

}  // namespace convreg
