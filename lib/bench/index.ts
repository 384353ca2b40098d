/**
 * `convreg/bench`: timing of the BLAS kernels and the engines, and the native call and memory
 * counters the benchmarks and leak checks read. Every name is listed explicitly; test/exports.test.ts pins the list.
 * @packageDocumentation
 */
export { timeDgemm, timeDsyrk, type TimingClock } from "./blas-timing.js";
export { timeEngine, type EngineTimingOptions } from "./engine-timing.js";
export { activeNativeCalls } from "../native/threads.js";
export { nativeMemoryStats, releaseFreeHeap, type NativeMemoryStats } from "../native/memory-stats.js";
