// Fork-join on a few threads of our own, for native work that has independent parts.
#pragma once
#include <algorithm>
#include <cstdint>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace convreg {

// Runs body(w) for w = 0 .. workers - 1: w = 0 on this thread, the others on threads of their
// own (on this one, after w = 0, when no thread can be had). Returns once all have finished and
// rethrows the first exception of any of them.
template <typename Body>
void runOnWorkers(int workers, Body body) {
  if (workers <= 1) return body(0);  // the common small case: no allocation, no thread
  std::vector<std::exception_ptr> errors(static_cast<size_t>(workers > 0 ? workers : 1));
  auto guarded = [&](int w) {
    try {
      body(w);
    } catch (...) {
      errors[static_cast<size_t>(w)] = std::current_exception();
    }
  };
  std::vector<std::thread> helpers;
  std::vector<int> here;
  for (int w = 1; w < workers; ++w) {
    try {
      helpers.emplace_back(guarded, w);
    } catch (const std::system_error&) {
      here.push_back(w);
    }
  }
  guarded(0);
  for (const int w : here) guarded(w);
  for (std::thread& h : helpers) h.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

// Runs work(first, last, part) over min(threads, items) consecutive ranges of [0, items), part 0
// on this thread, as runOnWorkers. The ranges depend only on `items` and `threads`, so work whose
// result depends on the range bounds only (not on the thread) gives the same result however many
// threads actually ran.
template <typename Work>
void splitWork(int threads, int64_t items, const Work& work) {
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, items));
  runOnWorkers(static_cast<int>(parts), [&](int part) {
    const int64_t base = items / parts, extra = items % parts;
    const int64_t first = part * base + std::min<int64_t>(part, extra);
    work(first, first + base + (part < extra ? 1 : 0), int64_t{part});
  });
}

}  // namespace convreg
