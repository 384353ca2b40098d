/** Bare BLAS timings for benchmarks: the machine's own DGEMM/DSYRK speed, measured in-process. */
import { native } from "../native/addon.js";
import { requireInteger } from "../core/validate.js";

const MAX_SIDE = 20_000;

/** Median milliseconds of a DGEMM C = A B (A m x k, B k x n) over `repeats` runs, and its GFLOP/s. */
export function timeDgemm(m: number, n: number, k: number, repeats = 5): { ms: number; gflops: number } {
  const ms = native.timeDgemm(
    requireInteger(m, "m", 1, MAX_SIDE),
    requireInteger(n, "n", 1, MAX_SIDE),
    requireInteger(k, "k", 1, MAX_SIDE),
    requireInteger(repeats, "repeats", 1, 1000),
  );
  return { ms, gflops: (2 * m * n * k) / (ms * 1e6) };
}

/** Median milliseconds of a DSYRK C = A A^T (A n x k) over `repeats` runs, and its GFLOP/s (n^2 k flops). */
export function timeDsyrk(n: number, k: number, repeats = 5): { ms: number; gflops: number } {
  const ms = native.timeDsyrk(requireInteger(n, "n", 1, MAX_SIDE), requireInteger(k, "k", 1, MAX_SIDE), requireInteger(repeats, "repeats", 1, 1000));
  return { ms, gflops: (n * n * k) / (ms * 1e6) };
}
