#include "blas_threads.h"

#include <cblas.h>

#include <mutex>

namespace convreg {

namespace {
std::mutex policyMutex;
int active = 0;
int preferred = 0;  // 0: not read yet (OpenBLAS's own default: all cores or OPENBLAS_NUM_THREADS)
int applied = 0;
bool overlapRule = true;

int preferredLocked() {
  if (preferred == 0) preferred = applied = openblas_get_num_threads();
  return preferred;
}

void applyLocked(int threads) {
  if (threads != applied) {
    openblas_set_num_threads(threads);
    applied = threads;
  }
}
}  // namespace

void setBlasThreads(int threads) {
  std::lock_guard<std::mutex> lock(policyMutex);
  preferredLocked();
  preferred = threads < 1 ? 1 : threads;
  if (active == 0) applyLocked(preferred);
}

int blasThreads() {
  std::lock_guard<std::mutex> lock(policyMutex);
  return preferredLocked();
}

void setOverlapRule(bool oneThreadWhenOverlapping) {
  std::lock_guard<std::mutex> lock(policyMutex);
  overlapRule = oneThreadWhenOverlapping;
}

int activeBlasCalls() {
  std::lock_guard<std::mutex> lock(policyMutex);
  return active;
}

BlasCallScope::BlasCallScope() {
  std::lock_guard<std::mutex> lock(policyMutex);
  const int want = preferredLocked();
  ++active;
  applyLocked(active == 1 || !overlapRule ? want : 1);
}

BlasCallScope::~BlasCallScope() {
  std::lock_guard<std::mutex> lock(policyMutex);
  --active;
}

}  // namespace convreg
