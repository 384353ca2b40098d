// The kernel gradient of a bilinear form y^T M x: for every kernel entry K[p,q,z,c], the sum over
// Omega(p,q,z,c) of y_i x_j. It is a correlation of the two images, one gemm per tap.
#pragma once
#include "conv_shape.h"

namespace convreg {

// grad[p,q,z,c] += scale * sum_{r,s} y[c, r, s] * x[z, r + a_p, s + b_q], x zero outside the image
// (zero padding). y holds h n^2 values in M's row numbering, x holds g n^2 in its column numbering,
// grad the k k g h entries in HWIO order.
void addBilinearKernelGradient(const ConvShape& shape, const double* y, const double* x, double scale, double* grad);

}  // namespace convreg
