// Runs work(first, last, part) over consecutive ranges of [0, items) on up to `threads` threads,
// the caller's included (part 0; helpers 1, 2, ...), and returns when all are done. The ranges depend only on `items` and the
// number of threads actually started, so work whose result depends on the range bounds only
// (not on the thread) gives the same result whatever the count. If no further thread can be
// started, the caller does the rest. `work` must not throw (a throw on a helper terminates).
#pragma once
#include <algorithm>
#include <cstdint>
#include <system_error>
#include <thread>
#include <vector>

namespace convreg {

template <typename Work>
void splitWork(int threads, int64_t items, const Work& work) {
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, items));
  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<size_t>(parts));
  int64_t first = 0;
  for (int64_t t = 1; t < parts; ++t) {
    const int64_t last = first + items / parts + (t <= items % parts ? 1 : 0);
    try {
      helpers.emplace_back([&work, first, last, t] { work(first, last, t); });
    } catch (const std::system_error&) {
      break;  // no thread to be had: this thread does the rest
    }
    first = last;
  }
  work(first, items, int64_t{0});
  for (std::thread& helper : helpers) helper.join();
}

}  // namespace convreg
