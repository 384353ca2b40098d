// The largest eigenpair of a symmetric positive semidefinite operator by Lanczos with
// full reorthogonalization and thick restarts (the top half of the Ritz vectors are kept),
// with an a-posteriori error bound from the true residual of the returned vector.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace convreg {

// Thrown when the cancel flag is set; the binding turns it into an abort.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("convreg: cancelled") {}
};

struct LanczosOptions {
  double tolerance = 1e-10;                   // stop when sigmaBound <= tolerance * sigma
  int64_t maxIterations = 10000;              // operator products, verification products included (>= 2)
  int64_t basisSize = 64;                     // Lanczos vectors kept; a thick restart keeps half
  const std::atomic<bool>* cancel = nullptr;  // checked before every product
};

struct LanczosResult {
  double eigenvalue = 0;   // theta: Rayleigh quotient of `vector`
  double residual = 0;     // ||A y - theta y|| for the unit vector y, as computed
  double rounding = 0;     // bound on the rounding in theta and the residual (caller's model)
  double sigma = 0;        // sqrt(theta)
  double sigmaBound = 0;   // |sqrt(lambda) - sigma| <= sigmaBound for an eigenvalue lambda of A
  bool converged = false;  // sigmaBound <= tolerance * sigma
  int64_t iterations = 0;  // operator products
  int64_t restarts = 0;
  std::vector<double> vector;  // the unit Ritz vector y (a warm start for the next call)
};

// `apply(v, out)` computes out = A v for vectors of length n. `start` (length n, nonzero)
// or, when null, a fixed pseudo-random vector begins the iteration. `rounding` is an
// absolute bound on the error of a computed product A y for unit y plus the Rayleigh
// quotient's rounding; it enters the bound.
// Bound: a unit y with theta = y'Ay and r = ||Ay - theta y|| has an eigenvalue lambda with
// |lambda - theta| <= r (Weyl / Krylov-Bogoliubov), so sqrt(lambda) lies within
// sqrt(theta) - sqrt(theta - r - rounding) of sqrt(theta).
LanczosResult largestEigenpair(int64_t n, const std::function<void(const double*, double*)>& apply, const double* start,
                               double rounding, const LanczosOptions& options);

// sum x_i y_i with twice the working precision (Ogita, Rump and Oishi, Dot2).
double accurateDot(const double* x, const double* y, int64_t n);

}  // namespace convreg
