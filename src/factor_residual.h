// Rigorous 2-norm bounds around a CHOLMOD supernodal LL^T factor: the a-posteriori residual
// || H - L L^T ||_2 for H = (the symmetric matrix given by its upper triangle) - shift I, with
// L L^T accumulated error-free (docs/MATH.md 7.2), and Collatz-Wielandt bounds for nonnegative
// operators (|L||L^T| among them).
#pragma once
#include <cholmod.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace convreg {

// rho(B) <= max_i (B x)_i / x_i for every x > 0 (Collatz-Wielandt), B symmetric nonnegative,
// applied as B(x, y). Power steps from x = 1 until the bound drops by less than 0.1% or maxSteps;
// the smallest bound, times a safety factor for its own rounding; `steps` gets each step's bound.
// Each step also gives rho(B) >= x^T B x / x^T x (Rayleigh; B symmetric): once that lower bound
// exceeds stopAbove, the bound can no longer drop below stopAbove and the steps stop early; the
// result is still a valid (looser) upper bound. `lower` gets the largest such lower bound.
double nonnegativeNormBound(const std::function<void(const std::vector<double>&, std::vector<double>&)>& B, size_t n, int64_t maxSteps,
                            std::vector<double>* steps = nullptr, double stopAbove = std::numeric_limits<double>::infinity(),
                            double* lower = nullptr);

// t = S |L| |L|^T S x with S = diag(scale), for a supernodal factor (the stored upper part of a
// supernode's diagonal block is ignored); `mid` is scratch of length n.
void applyAbsFactorProduct(const cholmod_factor* L, const std::vector<double>& scale, const std::vector<double>& x, std::vector<double>& t,
                           std::vector<double>& mid);

// Nonzeros in each row of L (diagonal included), as stored.
std::vector<double> factorRowCounts(const cholmod_factor* L);

struct ResidualBound {
  bool applicable = false;                                    // false: the error-free split does not apply (reason in `why`)
  double norm = 0;                                            // bound on || H~ - L L^T ||_2, H~ as below
  double computedPart = 0;                                    // rho(|R~|) of the computed residual R~
  double roundingPart = 0;                                    // what the bound adds for the rounding of R~ and the dropped L2 L2^T
  std::vector<double> normSteps;                              // Collatz-Wielandt bounds on rho(|R~|) per power step
  int64_t normPowerSteps = 0;                                 // power steps taken for the norms of |L| and |L2|
  double blasSeconds = 0, normSeconds = 0, totalSeconds = 0;  // BLAS (summed over workers); the norm bounds; all
  std::string why;
};

struct ResidualOptions {
  int64_t normSteps = 6;  // most power steps for the norms of |L| and |L2|
  // They take one step only when the bound then stays below `enough` (0: always the full steps).
  double enough = 0;
  double rangeBytes = 1024.0 * 1024 * 1024;  // residual buffers of all workers together
  int workers = 1;                           // threads building column ranges at once (each BLAS call then single-threaded)
  int64_t blockDoubles = int64_t{1} << 23;   // per work buffer (a supernode is split into blocks that fit)
  const std::atomic<bool>* cancel = nullptr;
};

// H~ is S - shift I with S = tril(P A P^T) in the factor's numbering (P = L->Perm; sorted, packed
// lower CSC, as cholmod_ptranspose gives it), and the diagonal rounded as fl(a_jj - shift) (the
// caller accounts for that rounding). Each row of L is split exactly as L1 + L2 with L1 so short
// that every dot product of L1 rows is exact in double (in any order); L1 L1^T comes from dsyrk
// exactly, L1 L2^T + L2 L1^T from dsyr2k and dgemm with a bounded error. The residual is held for
// one range of the factor's columns at a time (its row sums bound rho(|R~|)).
ResidualBound factorResidualBound(const cholmod_factor* L, const cholmod_sparse& lower, double shift, const ResidualOptions& options);

}  // namespace convreg
