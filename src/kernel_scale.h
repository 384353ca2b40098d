// Power-of-two scaling of a kernel. Singular values scale with K, so routes that square M
// (Gram matrices, whose entries over- or underflow for |K| far from 1 and make LAPACK fail)
// work on K / s and multiply the values by s; dividing by a power of two is exact.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

namespace convreg {

// 2^e with 2^e close to max |kernel| (1 for a zero kernel).
inline double powerOfTwoScale(const double* kernel, int64_t count) {
  double peak = 0;
  for (int64_t i = 0; i < count; ++i) peak = std::fmax(peak, std::fabs(kernel[i]));
  if (peak == 0 || !std::isfinite(peak)) return 1.0;
  int e = 0;
  std::frexp(peak, &e);
  return std::ldexp(1.0, e);
}

// kernel / scale.
inline std::vector<double> scaledKernel(const double* kernel, int64_t count, double scale) {
  std::vector<double> out(kernel, kernel + count);
  for (double& v : out) v /= scale;
  return out;
}

}  // namespace convreg
