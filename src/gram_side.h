// The smaller Gram matrix of M written as A^T A, where A = M when g <= h (Gram M^T M on the
// input side) and A = M^T when h < g (Gram M M^T on the output side). Vectors here are
// pixel-major: index = pixel * channels + channel, pixel = r * n + s.
#pragma once
#include <atomic>
#include <cstdint>
#include <vector>

#include "conv_shape.h"

namespace convreg {

// One tap of A: (A x)[b, o] = sum over taps, c of weight[c * other + o] * x[b + (dr, ds), c],
// for pixels b and b + (dr, ds) inside the image.
struct SideTap {
  int64_t dr, ds;
  std::vector<double> weight;  // small x other, row-major
};

struct GramSide {
  int64_t n = 0;          // image side N
  int64_t small = 0;      // channels of the Gram side (min(g, h))
  int64_t other = 0;      // channels of the other side
  bool inputSide = true;  // true: Gram is M^T M, vectors live on M's columns
  std::vector<SideTap> taps;

  int64_t size() const { return small * n * n; }  // order of the Gram matrix
  int64_t otherSize() const { return other * n * n; }
};

GramSide makeGramSide(const ConvShape& shape, const double* kernel);

// Most terms summed into one entry of A x (k^2 * small) and of A^T y (k^2 * other).
int64_t maxTermsA(const GramSide& side);
int64_t maxTermsAt(const GramSide& side);

// y = A x and z = A^T y, accumulated in long double and rounded once. With `absolute`,
// |A| |x| instead (for rounding bounds).
void applyA(const GramSide& side, const double* x, double* y, bool absolute = false);
void applyAt(const GramSide& side, const double* y, double* z, bool absolute = false);

// Pixel-major <-> the numbering of conv_shape.h (channel * n^2 + pixel).
std::vector<double> toChannelMajor(const std::vector<double>& v, int64_t channels, int64_t pixels);

// The Gram matrix's upper triangle in compressed sparse column form (rows sorted), with
// entries built from the tap products B_t B_u^T (one BLAS gemm per tap pair).
struct GramUpper {
  int64_t order = 0;
  std::vector<int64_t> colStart, row;
  std::vector<double> value;
  double maxAbsRowSum = 0;  // || |G| ||_inf of the computed matrix
  double maxDiagonal = 0;
  int64_t termsPerEntry = 0;  // products summed into one entry (for the rounding bound)
};

// Nonzeros of that upper triangle, without building it (for the memory estimate).
int64_t gramUpperNonzeros(const GramSide& side);

// Bytes of the tap-product table buildGramUpper keeps ((k^2 small)^2 doubles).
int64_t tapProductBytes(const GramSide& side);

// `cancel` is polled between pixel columns; returns false if it fired.
bool buildGramUpper(const GramSide& side, GramUpper& out, const std::atomic<bool>* cancel);

}  // namespace convreg
