#include "blas_threads.h"

#include <cblas.h>

#include <atomic>
#include <mutex>

namespace convreg {

namespace {
// Changes of the thread count happen under the mutex; the counts are atomics so that a call
// starting alone with the count already right (the common case: tiny calls in a loop) takes
// no lock at all.
std::mutex policyMutex;
std::atomic<int> active{0};
std::atomic<int> preferred{0};  // 0: not read yet (OpenBLAS's own default: all cores or OPENBLAS_NUM_THREADS)
std::atomic<int> applied{0};
std::atomic<bool> overlapRule{true};

int preferredLocked() {
  if (preferred.load() == 0) {
    const int threads = openblas_get_num_threads();
    applied.store(threads);
    preferred.store(threads);
  }
  return preferred.load();
}

void applyLocked(int threads) {
  if (threads != applied.load()) {
    openblas_set_num_threads(threads);
    applied.store(threads);
  }
}
}  // namespace

void setBlasThreads(int threads) {
  std::lock_guard<std::mutex> lock(policyMutex);
  preferredLocked();
  preferred.store(threads < 1 ? 1 : threads);
  if (active.load() == 0) applyLocked(preferred.load());
}

int blasThreads() {
  std::lock_guard<std::mutex> lock(policyMutex);
  return preferredLocked();
}

void setOverlapRule(bool oneThreadWhenOverlapping) {
  std::lock_guard<std::mutex> lock(policyMutex);
  overlapRule.store(oneThreadWhenOverlapping);
}

int activeBlasCalls() { return active.load(); }

BlasCallScope::BlasCallScope() {
  const int before = active.fetch_add(1);
  // Alone, with the preferred count already applied: nothing to change. (A call starting
  // meanwhile sees before >= 1 and sets one thread under the lock, as if it came after.)
  if (before == 0 && preferred.load() != 0 && applied.load() == preferred.load()) return;
  std::lock_guard<std::mutex> lock(policyMutex);
  const int want = preferredLocked();
  // The count now, not at our increment: calls that started since then are overlapping too.
  applyLocked(active.load() == 1 || !overlapRule.load() ? want : 1);
}

BlasCallScope::~BlasCallScope() { active.fetch_sub(1); }

SingleThreadedBlas::SingleThreadedBlas() {
  std::lock_guard<std::mutex> lock(policyMutex);
  preferredLocked();
  applyLocked(1);
}

SingleThreadedBlas::~SingleThreadedBlas() {
  std::lock_guard<std::mutex> lock(policyMutex);
  applyLocked(active.load() <= 1 || !overlapRule.load() ? preferredLocked() : 1);
}

}  // namespace convreg
