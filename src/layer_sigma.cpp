#include "layer_sigma.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "coded_error.h"
#include "gram_problem.h"
#include "layer_matrix.h"
#include "sparse_gram.h"

namespace convreg {

namespace {

// G = A^T A with A = M when cols <= rows (input side), else A = M^T: A maps the Gram side
// (order = min(rows, cols)) to the other one. Both A and A^T are kept in CSR form.
struct SparseSide {
  SparseConvMatrix a, at;  // a: other x order
  bool inputSide = true;
};

SparseSide sparseSide(const LayerSpec& spec, const double* kernel) {
  SparseSide s;
  SparseConvMatrix m = buildLayerSparse(spec, kernel);
  s.inputSide = m.cols <= m.rows;
  if (s.inputSide) {
    s.at = transposeOf(m);
    s.a = std::move(m);
  } else {
    s.a = transposeOf(m);
    s.at = std::move(m);
  }
  return s;
}

int64_t maxRowCount(const SparseConvMatrix& m) {
  int64_t most = 0;
  for (int64_t i = 0; i < m.rows; ++i) most = std::max(most, m.rowStart[i + 1] - m.rowStart[i]);
  return most;
}

double maxAbsRowSum(const SparseConvMatrix& m) {
  double most = 0;
  for (int64_t i = 0; i < m.rows; ++i) {
    double sum = 0;
    for (int64_t z = m.rowStart[i]; z < m.rowStart[i + 1]; ++z) sum += std::fabs(m.value[z]);
    most = std::max(most, sum);
  }
  return most;
}

// out = m x (or |m| |x|), each entry accumulated in long double and rounded once.
void multiply(const SparseConvMatrix& m, const double* x, double* out, bool absolute) {
  for (int64_t i = 0; i < m.rows; ++i) {
    long double acc = 0;
    for (int64_t z = m.rowStart[i]; z < m.rowStart[i + 1]; ++z)
      acc += absolute ? static_cast<long double>(std::fabs(m.value[z])) * std::fabs(x[m.column[z]])
                      : static_cast<long double>(m.value[z]) * x[m.column[z]];
    out[i] = static_cast<double>(acc);
  }
}

// The upper triangle of A^T A in compressed sparse columns (rows ascending, diagonal always
// stored so that a shifted factorization sees every pivot).
bool buildUpper(const SparseSide& s, GramUpper& out, const std::atomic<bool>* cancel) {
  const int64_t order = s.at.rows;
  out.order = order;
  out.termsPerEntry = maxRowCount(s.at);
  out.colStart.assign(1, 0);
  out.row.clear();
  out.value.clear();
  out.maxDiagonal = 0;
  std::vector<double> acc(static_cast<size_t>(order), 0.0), absRowSum(static_cast<size_t>(order), 0.0);
  std::vector<char> seen(static_cast<size_t>(order), 0);
  std::vector<int64_t> touched;
  for (int64_t j = 0; j < order; ++j) {
    if ((j & 1023) == 0 && cancel && cancel->load()) return false;
    touched.assign(1, j);
    seen[j] = 1;
    // Column j of A^T A: sum over the rows r of A holding column j of A[r, j] times row r of A.
    for (int64_t z = s.at.rowStart[j]; z < s.at.rowStart[j + 1]; ++z) {
      const int64_t r = s.at.column[z];
      const double v = s.at.value[z];
      for (int64_t y = s.a.rowStart[r]; y < s.a.rowStart[r + 1]; ++y) {
        const int64_t i = s.a.column[y];
        if (i > j) continue;
        if (!seen[i]) {
          seen[i] = 1;
          touched.push_back(i);
        }
        acc[i] += v * s.a.value[y];
      }
    }
    std::sort(touched.begin(), touched.end());
    for (int64_t i : touched) {
      const double v = acc[i];
      out.row.push_back(i);
      out.value.push_back(v);
      absRowSum[i] += std::fabs(v);
      if (i != j) absRowSum[j] += std::fabs(v);
      else out.maxDiagonal = std::max(out.maxDiagonal, v);
      acc[i] = 0;
      seen[i] = 0;
    }
    out.colStart.push_back(static_cast<int64_t>(out.row.size()));
  }
  out.maxAbsRowSum = absRowSum.empty() ? 0 : *std::max_element(absRowSum.begin(), absRowSum.end());
  return true;
}

}  // namespace

LanczosResult layerSigmaMaxIterative(const LayerSpec& spec, const double* kernel, const double* start,
                                     const LanczosOptions& options) {
  const SparseSide s = sparseSide(spec, kernel);
  std::vector<double> mid(static_cast<size_t>(s.a.rows));
  // || |A| ||_2^2 <= ||A||_1 ||A||_inf bounds the rounding of one product A^T A y for a unit y.
  const double terms = static_cast<double>(maxRowCount(s.a) + maxRowCount(s.at) + 8);
  const double rounding = std::numeric_limits<double>::epsilon() * terms * maxAbsRowSum(s.a) * maxAbsRowSum(s.at);
  return largestEigenpair(
      s.at.rows,
      [&](const double* v, double* out) {
        multiply(s.a, v, mid.data(), false);
        multiply(s.at, mid.data(), out, false);
      },
      start, rounding, options);
}

SigmaMinResult layerSigmaMin(const LayerSpec& spec, const double* kernel, const SigmaMinOptions& options) {
  if (options.cancel && options.cancel->load()) throw CodedError("ERR_ABORTED", "convreg: sigmaMin was aborted");
  const SparseSide s = sparseSide(spec, kernel);
  GramProblem p;
  p.order = s.at.rows;
  p.otherSize = s.a.rows;
  p.inputSide = s.inputSide;
  p.maxTermsA = maxRowCount(s.a);
  p.maxTermsAt = maxRowCount(s.at);
  p.applyA = [&s](const double* x, double* y, bool absolute) { multiply(s.a, x, y, absolute); };
  p.applyAt = [&s](const double* y, double* z, bool absolute) { multiply(s.at, y, z, absolute); };
  p.buildUpper = [&s](GramUpper& g, const std::atomic<bool>* cancel) { return buildUpper(s, g, cancel); };
  p.output = [](const std::vector<double>& v) { return v; };
  const double nnz = static_cast<double>(s.a.value.size());
  return sigmaMinOf(p, 24.0 * 2 * nnz, options);
}

}  // namespace convreg
