/** Bare BLAS timings for benchmarks: the machine's own DGEMM/DSYRK speed, measured in-process. */
import { native } from "../native/addon.js";
import { ConvregTypeError } from "../core/errors.js";
import { requireInteger } from "../core/validate.js";

const MAX_SIDE = 20_000;

/**
 * What the timers measure: "wall" time, or "cpu", the CPU time of the whole process (all threads):
 * less sensitive to other jobs, but only comparable with one BLAS thread (idle OpenBLAS threads spin).
 */
export type TimingClock = "wall" | "cpu";

function isCpu(clock: TimingClock): boolean {
  if (clock !== "wall" && clock !== "cpu") throw new ConvregTypeError("ERR_ARGUMENT", `clock must be "wall" or "cpu", got ${String(clock)}`);
  return clock === "cpu";
}

/** Median milliseconds of a DGEMM C = A B (A m x k, B k x n) over `repeats` runs, and its GFLOP/s. */
export function timeDgemm(m: number, n: number, k: number, repeats = 5, clock: TimingClock = "wall"): { ms: number; gflops: number } {
  const ms = native.timeDgemm(
    requireInteger(m, "m", 1, MAX_SIDE),
    requireInteger(n, "n", 1, MAX_SIDE),
    requireInteger(k, "k", 1, MAX_SIDE),
    requireInteger(repeats, "repeats", 1, 1000),
    isCpu(clock),
  );
  return { ms, gflops: (2 * m * n * k) / (ms * 1e6) };
}

/** Median milliseconds of a DSYRK C = A A^T (A n x k) over `repeats` runs, and its GFLOP/s (n^2 k flops). */
export function timeDsyrk(n: number, k: number, repeats = 5, clock: TimingClock = "wall"): { ms: number; gflops: number } {
  const ms = native.timeDsyrk(requireInteger(n, "n", 1, MAX_SIDE), requireInteger(k, "k", 1, MAX_SIDE), requireInteger(repeats, "repeats", 1, 1000), isCpu(clock));
  return { ms, gflops: (n * n * k) / (ms * 1e6) };
}
