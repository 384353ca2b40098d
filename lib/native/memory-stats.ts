/**
 * Counted native memory, for leak tests and benchmarks.
 * @internal Not part of the public API (not exported from index.ts); import "convreg/dist/native/memory-stats.js" in tests only.
 */
import { native } from "./addon.js";

/** What the addon holds beyond a call (src/native_memory.h says what is counted and why). */
export interface NativeMemoryStats {
  /** Counted bytes alive: task copies of inputs, cancel-token flags, leaked CHOLMOD blocks. */
  liveBytes: number;
  /** Highest liveBytes since the process started. */
  peakBytes: number;
  /** Counted objects alive: async workers, cancel tokens, leaked CHOLMOD blocks. */
  liveObjects: number;
  /** Bytes kept on purpose by the per-thread scratch arenas (bounded per thread). */
  scratchBytes: number;
}

/** @internal The addon's counters now. */
export function nativeMemoryStats(): NativeMemoryStats {
  return native.nativeMemoryStats();
}

/** @internal Returns free malloc pages to the system (glibc malloc_trim), before reading RSS. */
export function releaseFreeHeap(): void {
  native.releaseFreeHeap();
}
