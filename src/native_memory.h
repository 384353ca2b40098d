// Counts the native memory that can outlive a call, so tests can check that it returns to zero
// instead of reading RSS (which allocators, V8 and page reuse make noisy).
//
// What is counted, and why that is enough: an engine's work buffers are std::vector locals
// (RAII), freed when the call returns or throws, so they cannot outlive it. What can outlive a
// call is what the call's lifetime does not own: the copies of JS inputs held by a task
// (CountingAllocator, bytes), the objects whose end depends on JS (async workers and cancel
// tokens: LiveObject, and the token's shared flag in bytes), CHOLMOD's C-style allocations
// (its own accounting, checked when the workspace is finished) and the per-thread scratch
// arenas (kept on purpose, reported apart as scratchBytes because they persist by design).
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace convreg {

struct NativeMemoryStats {
  int64_t liveBytes = 0;     // counted bytes allocated and not yet released
  int64_t peakBytes = 0;     // highest liveBytes seen since the process started
  int64_t liveObjects = 0;   // counted native objects alive (async workers, cancel tokens, leaked CHOLMOD blocks)
  int64_t scratchBytes = 0;  // bytes held by the per-thread scratch arenas (scratch.h), bounded per thread
};

NativeMemoryStats nativeMemoryStats();

void countAllocation(size_t bytes);
void countRelease(size_t bytes);
void countObjects(int64_t delta);
void countScratch(int64_t deltaBytes);

// Returns free heap pages to the system (glibc malloc_trim); a no-op elsewhere. For RSS checks.
void releaseFreeHeap();

// A std allocator that adds what it holds to liveBytes.
template <typename T>
struct CountingAllocator {
  using value_type = T;
  CountingAllocator() = default;
  template <typename U>
  CountingAllocator(const CountingAllocator<U>&) noexcept {}
  T* allocate(size_t count) {
    T* p = std::allocator<T>().allocate(count);
    countAllocation(count * sizeof(T));
    return p;
  }
  void deallocate(T* p, size_t count) noexcept {
    countRelease(count * sizeof(T));
    std::allocator<T>().deallocate(p, count);
  }
  template <typename U>
  bool operator==(const CountingAllocator<U>&) const noexcept { return true; }
  template <typename U>
  bool operator!=(const CountingAllocator<U>&) const noexcept { return false; }
};

using TrackedDoubles = std::vector<double, CountingAllocator<double>>;

// A member that counts its owner in liveObjects for the owner's lifetime.
class LiveObject {
 public:
  LiveObject() { countObjects(1); }
  LiveObject(const LiveObject&) { countObjects(1); }
  LiveObject& operator=(const LiveObject&) = default;
  ~LiveObject() { countObjects(-1); }
};

}  // namespace convreg
