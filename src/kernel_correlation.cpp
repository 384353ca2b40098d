#include "kernel_correlation.h"

#include <stdexcept>
#include <vector>

#include "blas.h"

namespace convreg {

void addBilinearKernelGradient(const ConvShape& s, const double* y, const double* x, double scale, double* grad) {
  if (s.padding != Padding::Zero) throw std::invalid_argument("convreg: the bilinear kernel gradient supports zero padding only");
  const int64_t n = s.n, area = n * n, lo = s.firstOffset(), span = s.k - 1;
  // x sits in a side x side frame, pixel-major (channels fastest), at (r - lo, s - lo); a tap
  // (a, b) then reads the frame at a fixed shift from the output pixel.
  const int64_t side = n + span;
  std::vector<double> frame(static_cast<size_t>(side * side * s.g), 0.0);
  for (int64_t z = 0; z < s.g; ++z)
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < n; ++c) frame[((r - lo) * side + (c - lo)) * s.g + z] = x[z * area + r * n + c];
  // y at frame width (columns n..side-1 stay zero), so each tap is one gemm over all pixels.
  const int64_t rows = (n - 1) * side + n;
  std::vector<double> wide(static_cast<size_t>(rows * s.h), 0.0);
  for (int64_t c = 0; c < s.h; ++c)
    for (int64_t r = 0; r < n; ++r)
      for (int64_t col = 0; col < n; ++col) wide[(r * side + col) * s.h + c] = y[c * area + r * n + col];
  for (int64_t p = 0; p < s.k; ++p)
    for (int64_t q = 0; q < s.k; ++q) {
      const int64_t shift = (s.offset(p) - lo) * side + (s.offset(q) - lo);
      // grad_t (g x h) += scale * frame_shifted^T (g x rows) * wide (rows x h)
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, s.g, s.h, rows, scale, frame.data() + shift * s.g, s.g,
                  wide.data(), s.h, 1.0, grad + s.kernelIndex(p, q, 0, 0), s.h);
    }
}

}  // namespace convreg
