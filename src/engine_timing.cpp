#include "engine_timing.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "dense_engine.h"
#include "structured_engine.h"

namespace convreg {

double timeEngineMs(const ConvShape& shape, const double* kernel, double alpha, bool dense, int calls, int repeats) {
  volatile double sink = 0;  // keeps the calls from being optimized away
  // The structured engine as the public call runs it: the gradient into a caller's buffer.
  std::vector<double> gradient(static_cast<size_t>(shape.kernelSize()));
  auto run = [&] {
    for (int i = 0; i < calls; ++i)
      sink = sink + (dense ? densePenaltyAndGradient(shape, kernel, alpha).penalty
                           : structuredPenaltyAndGradient(shape, kernel, alpha, gradient.data()));
  };
  run();
  std::vector<double> ms;
  for (int r = 0; r < std::max(1, repeats); ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / calls);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace convreg
