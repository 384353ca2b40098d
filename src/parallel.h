// Fork-join on a few threads of our own, for native work that has independent parts.
#pragma once
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

}  // namespace convreg
