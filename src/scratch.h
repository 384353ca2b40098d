// Scratch buffers kept per thread between calls. An engine called in a loop (the optimizer)
// would otherwise get fresh multi-megabyte buffers every time and pay a page fault for every
// page of them, which costs as much as the BLAS work itself on a virtual machine. Up to
// `keepBytes` per thread stay allocated after a call; larger sets are released. One arena
// at a time per thread (arenas do not nest).
#pragma once
#include <cstddef>
#include <vector>

#include "huge_pages.h"
#include "native_memory.h"

namespace convreg {

class ScratchArena {
 public:
  static constexpr size_t keepBytes = size_t{256} << 20;

  ScratchArena() = default;
  ScratchArena(const ScratchArena&) = delete;
  ScratchArena& operator=(const ScratchArena&) = delete;
  ~ScratchArena() {
    size_t bytes = 0;
    for (const std::vector<double>& b : pool()) bytes += b.capacity() * sizeof(double);
    if (bytes > keepBytes) pool().clear();  // Pool::clear keeps scratchBytes in step
  }

  // A buffer of `count` doubles, distinct from the others taken from this arena. Its contents
  // are left over from earlier calls: callers overwrite or clear it.
  double* take(size_t count) {
    Pool& p = pool();
    if (next_ == p.size()) p.emplace_back();
    std::vector<double>& b = p[next_++];
    if (b.size() < count) {
      countScratch(-static_cast<int64_t>(b.capacity() * sizeof(double)));
      b = std::vector<double>();  // release first so the peak stays at one copy
      b.reserve(count);           // not yet touched: large buffers get huge pages before their first write
      adviseHugePages(b.data(), count * sizeof(double));
      b.resize(count);
      countScratch(static_cast<int64_t>(b.capacity() * sizeof(double)));
    }
    return b.data();
  }

 private:
  // The buffers of one thread; their bytes are reported as NativeMemoryStats::scratchBytes.
  struct Pool : std::vector<std::vector<double>> {
    void clear() {
      for (const std::vector<double>& b : *this) countScratch(-static_cast<int64_t>(b.capacity() * sizeof(double)));
      std::vector<std::vector<double>>::clear();
    }
    ~Pool() { clear(); }
  };
  static Pool& pool() {
    thread_local Pool buffers;
    return buffers;
  }
  size_t next_ = 0;
};

}  // namespace convreg
