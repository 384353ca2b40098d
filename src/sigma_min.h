// sigma_min of the zero-padded convolution matrix M with a bracket: shift-invert on a
// CHOLMOD supernodal Cholesky of the smaller Gram matrix, refined with exactly rounded
// (long double) products by M and M^T, bounded by a Rayleigh quotient above and by
// Cholesky eigenvalue bounds below (proven under worstCaseRounding). See sigma_min.cpp.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "conv_shape.h"

namespace convreg {

// When to bound the a-posteriori residual ||H - L L^T|| of a certifying factorization (about three
// factorizations' work): never, when the a-priori Cholesky margin is too large, or always (tests).
enum class ResidualCertificate { never,
                                 whenNeeded,
                                 always };

struct SigmaMinOptions {
  double factorMemoryLimit = 8.0 * 1024 * 1024 * 1024;  // bytes for the Cholesky factor
  double tolerance = 1e-10;                             // target relative width of the bracket on sigma_min
  int64_t maxLanczos = 80;                              // Lanczos steps on the inverse
  int64_t normSteps = 40;                               // most Collatz-Wielandt power steps per norm bound
  ResidualCertificate residualCertificate = ResidualCertificate::whenNeeded;
  double residualRangeBytes = 1024.0 * 1024 * 1024;  // the residual's buffers (of all its workers) hold this much at most
  int residualWorkers = 0;                           // threads building the residual; 0: the BLAS threads when this call runs alone
  int64_t maxRefinements = 40;
  // Deterministic gamma_m = m u / (1 - m u) (a proof); false: Higham & Mary's probabilistic bound (an estimate).
  bool worstCaseRounding = true;
  const std::atomic<bool>* cancel = nullptr;
};

// One try at a lower bound by a Cholesky: its shift, whether it factored, every term of the
// rounding margin, the largest margin that would have sufficed, and the Collatz-Wielandt bound on
// the Cholesky term after each power step (to show whether more steps would have helped).
struct CertificateAttempt {
  std::string kind;  // "kato-temple" (deflated Gram matrix, bounds lambda_2) or "cholesky" (bounds lambda_1)
  double shift = 0;
  bool factored = false;
  double formMargin = 0, shiftMargin = 0, choleskyMargin = 0, margin = 0;
  double allowedMargin = 0;  // the attempt certifies iff margin < allowedMargin
  std::vector<double> choleskyNormSteps;
  // A lower bound on the exact a-priori term rho(D|L||L^T|D) (Rayleigh quotients of the power
  // steps). When it exceeds what the allowed margin leaves, the power steps stop early
  // (choleskyStoppedEarly; only when the residual is allowed): the a-priori bound cannot certify.
  double choleskyLowerBound = 0;
  bool choleskyStoppedEarly = false;
  // A-posteriori: a bound on ||H - L L^T||_2 (factor_residual.h), tried when the a-priori
  // Cholesky term is too large; margin then uses the smaller of the two.
  bool residualComputed = false;
  double residualMargin = 0;
  std::vector<double> residualNormSteps;
  int64_t residualPowerSteps = 0;  // power steps for the norms of |L| and |L2| in its rounding term (1 when that fit)
  std::string residualNote;        // why the residual bound did not apply, if it did not
  double residualBlasSeconds = 0, residualNormSeconds = 0, residualSeconds = 0;
};

struct SigmaMinResult {
  double sigmaMin = 0, lower = 0, upper = 0;
  bool certified = false;   // a lower bound was obtained (proven only under worstCaseRounding, or "exact")
  std::string certificate;  // "kato-temple", "cholesky", "exact" or "none"
  double lambdaLower = 0, lambdaUpper = 0, lambdaEstimate = 0, residualBound = 0;
  double lambda2Estimate = 0, lambda2Lower = 0;  // second eigenvalue of the Gram matrix
  double shift = 0, certificateShift = 0, roundingMargin = 0;
  bool inputSide = true;
  int64_t order = 0, gramNonzeros = 0, factorNonzeros = 0, maxFront = 0;
  double factorFlops = 0;
  double gramBytes = 0, factorBytes = 0, cholmodPeakBytes = 0;
  double gramSeconds = 0, analyzeSeconds = 0, factorSeconds = 0, iterateSeconds = 0, certifySeconds = 0, residualSeconds = 0;
  int64_t factorizations = 0, lanczosSteps = 0, refinements = 0;
  std::string ordering;
  std::vector<CertificateAttempt> attempts;  // every lower-bound try, in order
  std::string certificateReason;             // why the lower bound holds, or by how much it failed
  std::vector<double> formNormSteps;         // Collatz-Wielandt bounds on || |A|^T |A| || per power step
  std::vector<double> vector;                // unit singular vector on the Gram side, conv_shape numbering
};

// Bytes of the Gram matrix and the work vectors, without building anything.
double sigmaMinGramBytes(const ConvShape& shape, const SigmaMinOptions& options);

SigmaMinResult sigmaMin(const ConvShape& shape, const double* kernel, const SigmaMinOptions& options);

}  // namespace convreg
