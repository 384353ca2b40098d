// The smaller Gram matrix G = A^T A of a linear map, as the certified sigma_min needs it:
// products by A and A^T (accumulated in long double, with |A| |x| for rounding bounds), the
// upper triangle of G, and a fill-reducing ordering. Built from the paper's convolution taps
// (sigma_min.cpp) or from any layer's sparse M (layer_sigma.cpp).
#pragma once
#include <cholmod.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gram_side.h"
#include "sigma_min.h"

namespace convreg {

struct GramProblem {
  int64_t order = 0;                                                  // order of G (the Gram side)
  int64_t otherSize = 0;                                              // length of A x
  bool inputSide = true;                                              // true: G = M^T M
  int64_t maxTermsA = 0;                                              // most terms summed into one entry of A x
  int64_t maxTermsAt = 0;                                             // ... and of A^T y
  std::function<void(const double*, double*, bool)> applyA, applyAt;  // (x, out, absolute)
  // Writes G's upper triangle; returns false when `cancel` fired.
  std::function<bool(GramUpper&, const std::atomic<bool>*)> buildUpper;
  // A fill-reducing permutation of G and its name; unset: CHOLMOD's own ordering.
  std::function<std::vector<int64_t>(cholmod_common&, std::string&)> ordering;
  int64_t blockWidth = 1;  // columns the ordering keeps together (a pixel's channels): supernodes are at least this wide
  // The unit Gram-side vector in the caller's numbering.
  std::function<std::vector<double>(const std::vector<double>&)> output;
};

// sigma_min(A) with its bracket (sigma_min.cpp); `gramBytes` is reported as the Gram's estimate.
SigmaMinResult sigmaMinOf(const GramProblem& problem, double gramBytes, const SigmaMinOptions& options);

}  // namespace convreg
