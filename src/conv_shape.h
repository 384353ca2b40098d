// Shape of a convolution layer and the tap-offset convention of docs/MATH.md.
#pragma once
#include <cstdint>
#include <stdexcept>

namespace convreg {

// How the input is extended outside the image: zeros (the paper) or wrap-around (indices mod n).
enum class Padding { Zero,
                     Circular };

// Kernel K is k x k x g x h in HWIO order, applied to an n x n x g input with
// zero (or circular) padding and unit stride ("same" output size).
struct ConvShape {
  int64_t k, g, h, n;
  Padding padding = Padding::Zero;

  int64_t kernelSize() const { return k * k * g * h; }
  int64_t rows() const { return h * n * n; }               // rows of M
  int64_t cols() const { return g * n * n; }               // columns of M
  int64_t firstOffset() const { return 1 - (k + 1) / 2; }  // 1 - ceil(k/2)
  // Offset of tap index p (0-based) along one axis.
  int64_t offset(int64_t p) const { return p + firstOffset(); }
  // Index of K[p][q][d][c] in the HWIO buffer.
  int64_t kernelIndex(int64_t p, int64_t q, int64_t d, int64_t c) const {
    return ((p * k + q) * g + d) * h + c;
  }
  // Row of M for output (r, s, c) and column for input (r, s, d).
  int64_t row(int64_t r, int64_t s, int64_t c) const { return c * n * n + r * n + s; }
  int64_t col(int64_t r, int64_t s, int64_t d) const { return d * n * n + r * n + s; }
};

inline void requireValidShape(const ConvShape& s) {
  if (s.k < 1 || s.g < 1 || s.h < 1 || s.n < 1)
    throw std::invalid_argument("convreg: k, g, h and n must all be >= 1");
}

}  // namespace convreg
