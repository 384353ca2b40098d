/** The BLAS thread count of the process (OpenBLAS keeps one global setting). */
import { native } from "./addon.js";
import { requireInteger } from "../core/validate.js";

/** Sets the number of BLAS threads used by native calls. */
export function setBlasThreads(threads: number): void {
  native.setBlasThreads(requireInteger(threads, "threads", 1, 1024));
}

/** The number of BLAS threads native calls use. */
export function getBlasThreads(): number {
  return native.blasThreads();
}

/**
 * The number of native computations running right now (sync calls and `...Async` calls on the
 * thread pool). The BLAS thread policy reads the same count: while it is above 1, new calls use
 * one BLAS thread each. It returns to 0 once every call, including aborted ones, has finished.
 */
export function activeNativeCalls(): number {
  return native.activeNativeCalls();
}
