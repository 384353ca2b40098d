#include "native_memory.h"

#include <algorithm>
#include <atomic>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace convreg {

namespace {
std::atomic<int64_t> liveBytes{0}, peakBytes{0}, liveObjects{0}, scratchBytes{0};
}  // namespace

NativeMemoryStats nativeMemoryStats() {
  NativeMemoryStats s;
  s.liveBytes = liveBytes.load();
  s.peakBytes = peakBytes.load();
  s.liveObjects = liveObjects.load();
  s.scratchBytes = scratchBytes.load();
  return s;
}

void countAllocation(size_t bytes) {
  const int64_t now = liveBytes.fetch_add(static_cast<int64_t>(bytes)) + static_cast<int64_t>(bytes);
  int64_t peak = peakBytes.load();
  while (now > peak && !peakBytes.compare_exchange_weak(peak, now)) {
  }
}
void countRelease(size_t bytes) { liveBytes.fetch_sub(static_cast<int64_t>(bytes)); }
void countObjects(int64_t delta) { liveObjects.fetch_add(delta); }
void countScratch(int64_t deltaBytes) { scratchBytes.fetch_add(deltaBytes); }

void releaseFreeHeap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace convreg
