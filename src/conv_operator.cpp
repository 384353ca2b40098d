#include "conv_operator.h"

#include <algorithm>
#include <stdexcept>

#include "blas.h"

namespace convreg {

ConvOperator::ConvOperator(const ConvShape& shape, const double* kernel)
    : shape_(shape), kernel_(kernel, kernel + shape.kernelSize()) {
  requireValidShape(shape);
}

namespace {
// Padded geometry for offsets in [lo, hi] on both axes: the source image sits at
// (r - lo, s - lo) inside a side x side frame; a tap (a, b) then reads the frame at a
// fixed shift from the output position, so each tap is one gemm over all pixels.
struct Frame {
  int64_t lo, hi, side, pixels, tail;
  Frame(int64_t n, int64_t lo_, int64_t hi_) : lo(lo_), hi(hi_), side(n + hi_ - lo_), pixels(side * side), tail(hi_ - lo_) {}
  int64_t shift(int64_t a, int64_t b) const { return (a - lo) * side + (b - lo); }
  // Rows of the product covering `count` images (the last image only needs its first n rows).
  int64_t productRows(int64_t n, int64_t count) const { return (count - 1) * pixels + n * side; }
};
}  // namespace

int64_t ConvOperator::workBytes(const ConvShape& s, int64_t count) {
  const Frame f(s.n, s.firstOffset(), s.firstOffset() + s.k - 1);
  const int64_t maxC = std::max(s.g, s.h);
  return 8 * ((count * f.pixels + f.tail) * maxC + count * f.pixels * maxC + std::min(s.g, s.h) * s.n * s.n);
}

void ConvOperator::shiftedTaps(const double* src, double* dst, int64_t count, bool transposeTaps) {
  const ConvShape& s = shape_;
  const int64_t n = s.n, area = n * n;
  const int64_t inC = transposeTaps ? s.h : s.g, outC = transposeTaps ? s.g : s.h;
  // Forward taps read offsets first..first+k-1; the adjoint reads their negatives.
  const int64_t first = s.firstOffset(), last = first + s.k - 1;
  const Frame f(n, transposeTaps ? -last : first, transposeTaps ? -first : last);

  padded_.assign(static_cast<size_t>((count * f.pixels + f.tail) * inC), 0.0);
  for (int64_t b = 0; b < count; ++b)
    for (int64_t i = 0; i < inC; ++i) {
      const double* plane = src + (b * inC + i) * area;
      for (int64_t r = 0; r < n; ++r) {
        double* row = padded_.data() + (b * f.pixels + (r - f.lo) * f.side - f.lo) * inC + i;
        for (int64_t c = 0; c < n; ++c) row[c * inC] = plane[r * n + c];
      }
    }

  const int64_t rows = f.productRows(n, count);
  product_.assign(static_cast<size_t>(rows * outC), 0.0);
  for (int64_t p = 0; p < s.k; ++p)
    for (int64_t q = 0; q < s.k; ++q) {
      const int64_t a = s.offset(p), bq = s.offset(q);
      const int64_t shift = transposeTaps ? f.shift(-a, -bq) : f.shift(a, bq);
      const double* tap = kernel_.data() + s.kernelIndex(p, q, 0, 0);  // g x h, row-major
      cblas_dgemm(CblasRowMajor, CblasNoTrans, transposeTaps ? CblasTrans : CblasNoTrans, rows, outC, inC, 1.0,
                  padded_.data() + shift * inC, inC, tap, s.h, 1.0, product_.data(), outC);
    }

  for (int64_t b = 0; b < count; ++b)
    for (int64_t c = 0; c < outC; ++c) {
      double* plane = dst + (b * outC + c) * area;
      for (int64_t r = 0; r < n; ++r) {
        const double* row = product_.data() + (b * f.pixels + r * f.side) * outC + c;
        for (int64_t col = 0; col < n; ++col) plane[r * n + col] = row[col * outC];
      }
    }
}

void ConvOperator::apply(const double* x, double* y, int64_t count) {
  if (count < 1) throw std::invalid_argument("convreg: the vector count must be >= 1");
  shiftedTaps(x, y, count, false);
}

void ConvOperator::applyTranspose(const double* y, double* x, int64_t count) {
  if (count < 1) throw std::invalid_argument("convreg: the vector count must be >= 1");
  shiftedTaps(y, x, count, true);
}

void ConvOperator::applyGram(const double* v, double* out) {
  const int64_t other = gramOnOutputs() ? shape_.cols() : shape_.rows();
  middle_.resize(static_cast<size_t>(other));
  if (gramOnOutputs()) {
    applyTranspose(v, middle_.data(), 1);
    apply(middle_.data(), out, 1);
  } else {
    apply(v, middle_.data(), 1);
    applyTranspose(middle_.data(), out, 1);
  }
}

}  // namespace convreg
