// BLAS thread policy. OpenBLAS keeps one process-wide thread count, and several calls running
// at once, each with all cores, thrash. So: a call that runs alone uses the preferred count
// (all cores by default); while two or more calls are in flight, new BLAS work uses one thread.
#pragma once

namespace convreg {

// Sets the thread count a lone call uses (>= 1).
void setBlasThreads(int threads);
// The thread count a lone call uses.
int blasThreads();
// Number of native calls in flight.
int activeBlasCalls();
// Benchmarks only: false turns the overlap rule off (every call keeps the lone-call count), to
// measure what the rule saves. On by default.
void setOverlapRule(bool oneThreadWhenOverlapping);

// Marks one native call in flight for its lifetime and applies the policy above.
class BlasCallScope {
 public:
  BlasCallScope();
  ~BlasCallScope();
  BlasCallScope(const BlasCallScope&) = delete;
  BlasCallScope& operator=(const BlasCallScope&) = delete;
};

// For its lifetime BLAS calls run single-threaded: for code that makes BLAS calls on several
// threads of its own at once. Afterwards the policy above is applied again for the calls in flight.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;
};

}  // namespace convreg
