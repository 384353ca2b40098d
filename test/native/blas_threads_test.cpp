// src/blas_threads (the policy: all cores alone, one thread each while calls overlap) and
// src/blas_timing, including calls from several threads at once.
#include "../../src/blas_threads.h"

#include <atomic>
#include <thread>

#include "../../src/blas.h"
#include "../../src/blas_timing.h"
#include "check.h"

TEST(blas_threads, scopes_count_calls_in_flight_and_apply_the_policy) {
  CHECK(convreg::activeBlasCalls() == 0);
  convreg::setBlasThreads(2);
  CHECK(convreg::blasThreads() == 2);
  {
    convreg::BlasCallScope one;
    CHECK(convreg::activeBlasCalls() == 1);
    CHECK(openblas_get_num_threads() == 2);  // a lone call: the preferred count
    {
      convreg::BlasCallScope two;
      CHECK(convreg::activeBlasCalls() == 2);
      CHECK(openblas_get_num_threads() == 1);  // overlapping calls: one thread each
    }
  }
  CHECK(convreg::activeBlasCalls() == 0);
  convreg::setBlasThreads(0);  // clamped to 1
  CHECK(convreg::blasThreads() == 1);
  convreg::setBlasThreads(2);
}

TEST(blas_threads, concurrent_calls_from_threads_return_to_zero) {
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&bad, t] {
      for (int rep = 0; rep < 20; ++rep) {
        convreg::BlasCallScope scope;
        const int n = 16 + t;
        std::vector<double> a(n * n, 1.0), c(n * n, 0.0);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a.data(), n, a.data(), n, 0.0, c.data(), n);
        if (c[0] != n) ++bad;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(bad.load() == 0);
  CHECK(convreg::activeBlasCalls() == 0);
}

TEST(blas_timing, timers_return_nonnegative_milliseconds) {
  CHECK(convreg::timeDgemm(8, 8, 8, 3) >= 0);
  CHECK(convreg::timeDsyrk(8, 8, 3) >= 0);
}
