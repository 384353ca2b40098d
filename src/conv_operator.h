// The layer M as an operator: M x and M^T y computed as convolutions with BLAS,
// never forming M. One gemm per tap on the channel dimension.
#pragma once
#include <cstdint>
#include <vector>

#include "conv_shape.h"

namespace convreg {

// Applies M and M^T to `count` vectors at a time. Vectors use the numbering of M
// (conv_shape.h): input column d*n^2 + r*n + s, output row c*n^2 + r*n + s.
// Work buffers are kept between calls, so one object serves many products (Lanczos).
// Not thread-safe: use one object per thread.
class ConvOperator {
 public:
  ConvOperator(const ConvShape& shape, const double* kernel);

  const ConvShape& shape() const { return shape_; }
  // y (count * h n^2) = M x (count * g n^2).
  void apply(const double* x, double* y, int64_t count);
  // x (count * g n^2) = M^T y (count * h n^2).
  void applyTranspose(const double* y, double* x, int64_t count);

  // The smaller Gram operator: M M^T (h n^2 square) when h < g, else M^T M (g n^2 square).
  bool gramOnOutputs() const { return shape_.h < shape_.g; }
  int64_t gramSize() const { return gramOnOutputs() ? shape_.rows() : shape_.cols(); }
  void applyGram(const double* v, double* out);

  // Bytes of the work buffers for `count` vectors (for memory estimates before allocation).
  static int64_t workBytes(const ConvShape& shape, int64_t count);

 private:
  // dst[c, r, s] = sum over taps t and channels i of W_t[i, c] src[i, r + a_t, s + b_t],
  // zero outside the image; W_t is the g x h tap matrix of the kernel, transposed when
  // `transposeTaps` (then i runs over h and c over g, and the offsets are negated).
  void shiftedTaps(const double* src, double* dst, int64_t count, bool transposeTaps);

  ConvShape shape_;
  std::vector<double> kernel_;
  std::vector<double> padded_;   // source in padded pixel-major (HWC) layout
  std::vector<double> product_;  // destination in padded-width pixel-major layout
  std::vector<double> middle_;   // M v inside applyGram
};

}  // namespace convreg
