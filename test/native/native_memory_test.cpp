// The counters of src/native_memory.h on the core's own paths: the counting allocator and object
// counts balance, CHOLMOD (sigma_min, finished normally or cancelled) leaves no counted block, and
// the scratch arena reports what it keeps and stops growing once warm.
#include <atomic>
#include <stdexcept>

#include "../../src/native_memory.h"
#include "../../src/sigma_min.h"
#include "../../src/structured_engine.h"
#include "check.h"
#include "reference.h"

using namespace native_test;

namespace {
convreg::ConvShape shapeOf(int64_t k, int64_t g, int64_t h, int64_t n) { return convreg::ConvShape{k, g, h, n}; }
}  // namespace

TEST(native_memory, counting_allocator_and_live_objects_balance) {
  const convreg::NativeMemoryStats before = convreg::nativeMemoryStats();
  {
    convreg::TrackedDoubles v(100);
    convreg::LiveObject a;
    convreg::LiveObject b = a;
    const convreg::NativeMemoryStats held = convreg::nativeMemoryStats();
    CHECK(held.liveBytes - before.liveBytes == 800);
    CHECK(held.liveObjects - before.liveObjects == 2);
    CHECK(held.peakBytes >= held.liveBytes);
  }
  const convreg::NativeMemoryStats after = convreg::nativeMemoryStats();
  CHECK(after.liveBytes == before.liveBytes);
  CHECK(after.liveObjects == before.liveObjects);
}

TEST(native_memory, sigma_min_leaves_no_cholmod_block_finished_or_cancelled) {
  const convreg::ConvShape shape = shapeOf(3, 2, 3, 5);
  const std::vector<double> kernel = native_ref::randomKernel(3, 2, 3, 17);
  const convreg::NativeMemoryStats before = convreg::nativeMemoryStats();
  convreg::sigmaMin(shape, kernel.data(), convreg::SigmaMinOptions{});
  std::atomic<bool> cancel{true};
  convreg::SigmaMinOptions cancelled;
  cancelled.cancel = &cancel;
  try {
    convreg::sigmaMin(shape, kernel.data(), cancelled);
  } catch (const std::exception&) {
  }
  const convreg::NativeMemoryStats after = convreg::nativeMemoryStats();
  CHECK(after.liveBytes == before.liveBytes);
  CHECK(after.liveObjects == before.liveObjects);
}

TEST(native_memory, scratch_arena_reports_its_buffers_and_stops_growing_when_warm) {
  const convreg::ConvShape shape = shapeOf(3, 4, 5, 6);
  const std::vector<double> kernel = native_ref::randomKernel(3, 4, 5, 29);
  convreg::structuredPenaltyAndGradient(shape, kernel.data(), 1.0);
  const int64_t warm = convreg::nativeMemoryStats().scratchBytes;
  CHECK(warm > 0);
  for (int i = 0; i < 20; ++i) convreg::structuredPenaltyAndGradient(shape, kernel.data(), 1.0);
  CHECK(convreg::nativeMemoryStats().scratchBytes == warm);
}
