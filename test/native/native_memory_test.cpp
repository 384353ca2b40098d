// The counters of src/native_memory.h on the core's own paths: the counting allocator and object
// counts balance, CHOLMOD (sigma_min, finished normally or cancelled) leaves no counted block, and
// the scratch arena reports what it keeps and stops growing once warm; the huge-page advice keeps contents.
#include <atomic>
#include <stdexcept>
#include <vector>

#include "../../src/grouped_penalty.h"
#include "../../src/huge_pages.h"
#include "../../src/layer_engine.h"
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

// The grouped call equals one structured call per group (each group's columns sliced out of the
// layer kernel, gradients put back), and returns every counted byte it took.
TEST(native_memory, grouped_penalty_matches_per_group_calls_and_balances) {
  const int64_t k = 3, g = 2, h = 3, groups = 4, n = 5;
  const int64_t width = groups * h, rows = k * k * g;
  const std::vector<double> kernel = native_ref::randomKernel(k, g, width, 31);
  const convreg::ConvShape group = shapeOf(k, g, h, n);
  std::vector<double> expected(kernel.size(), 0);
  double expectedF = 0;
  for (int64_t j = 0; j < groups; ++j) {
    std::vector<double> part(static_cast<size_t>(rows * h)), partGradient(part.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < h; ++c) part[static_cast<size_t>(r * h + c)] = kernel[static_cast<size_t>(r * width + j * h + c)];
    expectedF += convreg::structuredPenaltyAndGradient(group, part.data(), 0.9, partGradient.data());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < h; ++c) expected[static_cast<size_t>(r * width + j * h + c)] = partGradient[static_cast<size_t>(r * h + c)];
  }
  const convreg::NativeMemoryStats before = convreg::nativeMemoryStats();
  std::vector<double> gradient(kernel.size(), -1);
  const double f = convreg::groupedStructuredPenaltyAndGradient(group, groups, kernel.data(), 0.9, gradient.data());
  const convreg::NativeMemoryStats after = convreg::nativeMemoryStats();
  CHECK(after.liveBytes == before.liveBytes);
  CHECK(after.liveObjects == before.liveObjects);
  CHECK(f == expectedF);
  for (size_t i = 0; i < gradient.size(); ++i) CHECK(gradient[i] == expected[i]);
}

// The layer-engine form (stride 2, H != W, transposed) against one layer-engine call per group.
TEST(native_memory, grouped_layer_penalty_matches_per_group_calls_and_balances) {
  const int64_t k = 3, g = 1, h = 2, groups = 3;
  const int64_t width = groups * h, rows = k * k * g;
  const std::vector<double> kernel = native_ref::randomKernel(k, g, width, 37);
  convreg::LayerSpec group{k, g, h, 7, 6};
  group.stride = 2;
  group.transposed = true;
  std::vector<double> expected(kernel.size(), 0);
  double expectedF = 0;
  for (int64_t j = 0; j < groups; ++j) {
    std::vector<double> part(static_cast<size_t>(rows * h));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < h; ++c) part[static_cast<size_t>(r * h + c)] = kernel[static_cast<size_t>(r * width + j * h + c)];
    const convreg::PenaltyAndGradient pg = convreg::layerPenaltyAndGradient(group, part.data(), 0.9);
    expectedF += pg.penalty;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < h; ++c) expected[static_cast<size_t>(r * width + j * h + c)] = pg.gradient[static_cast<size_t>(r * h + c)];
  }
  const convreg::NativeMemoryStats before = convreg::nativeMemoryStats();
  std::vector<double> gradient(kernel.size(), -1);
  const double f = convreg::groupedLayerPenaltyAndGradient(group, groups, kernel.data(), 0.9, gradient.data());
  const convreg::NativeMemoryStats after = convreg::nativeMemoryStats();
  CHECK(after.liveBytes == before.liveBytes);
  CHECK(after.liveObjects == before.liveObjects);
  CHECK(f == expectedF);
  for (size_t i = 0; i < gradient.size(); ++i) CHECK(gradient[i] == expected[i]);
}

// The huge-page advice is a hint: on buffers of any size and alignment (inside a larger
// allocation, already written, too small to advise) it leaves every value as it was.
TEST(native_memory, huge_page_advice_keeps_contents) {
  std::vector<double> buffer((size_t{9} << 20) / sizeof(double) + 3);
  for (size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<double>(i) * 0.5;
  for (const size_t offset : {size_t{0}, size_t{1}, size_t{3}})
    for (const size_t count : {size_t{10}, (size_t{5} << 20) / sizeof(double), buffer.size() - offset})
      convreg::adviseHugePages(buffer.data() + offset, count * sizeof(double));
  bool same = true;
  for (size_t i = 0; i < buffer.size(); ++i) same = same && buffer[i] == static_cast<double>(i) * 0.5;
  CHECK(same);
  // A buffer advised before its first write (as ScratchArena does) reads back what is written.
  std::vector<double> fresh;
  fresh.reserve(buffer.size());
  convreg::adviseHugePages(fresh.data(), buffer.size() * sizeof(double));
  fresh.assign(buffer.begin(), buffer.end());
  CHECK(fresh == buffer);
}
