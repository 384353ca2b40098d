/**
 * Counted native memory, for leak tests and benchmarks.
 * @internal Not part of the public API (not exported from index.ts); import "convreg/dist/native/memory-stats.js" in tests only.
 */
import { native } from "./addon.js";
import type { NativeMemoryStats } from "./raw.js";

export type { NativeMemoryStats } from "./raw.js";

/** @internal The addon's counters now. */
export function nativeMemoryStats(): NativeMemoryStats {
  return native.nativeMemoryStats();
}

/** @internal Returns free malloc pages to the system (glibc malloc_trim), before reading RSS. */
export function releaseFreeHeap(): void {
  native.releaseFreeHeap();
}
