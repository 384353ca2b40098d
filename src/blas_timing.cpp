#include "blas_timing.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include "blas.h"

namespace convreg {

namespace {
std::vector<double> filled(int64_t count) {
  std::vector<double> v(static_cast<size_t>(count));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>((i * 2654435761u) % 1000) / 1000.0 - 0.5;
  return v;
}

double nowMs(TimingClock clock) {
  if (clock == TimingClock::ProcessCpu) return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename Call>
double medianMs(int repeats, TimingClock clock, Call call) {
  std::vector<double> ms;
  call();  // warm-up: thread pool start, page faults
  for (int r = 0; r < std::max(1, repeats); ++r) {
    const double t0 = nowMs(clock);
    call();
    ms.push_back(nowMs(clock) - t0);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}
}  // namespace

double timeDgemm(int64_t m, int64_t n, int64_t k, int repeats, TimingClock clock) {
  std::vector<double> a = filled(m * k), b = filled(k * n), c(static_cast<size_t>(m * n));
  return medianMs(repeats, clock, [&] {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a.data(), k, b.data(), n, 0.0, c.data(), n);
  });
}

double timeDsyrk(int64_t n, int64_t k, int repeats, TimingClock clock) {
  std::vector<double> a = filled(n * k), c(static_cast<size_t>(n * n));
  return medianMs(repeats, clock, [&] {
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, 1.0, a.data(), k, 0.0, c.data(), n);
  });
}

}  // namespace convreg
