/** The BLAS thread count of the process (OpenBLAS keeps one global setting). */
import { native } from "./native.js";
import { requireInteger } from "./validate.js";

/** Sets the number of BLAS threads used by native calls. */
export function setBlasThreads(threads: number): void {
  native.setBlasThreads(requireInteger(threads, "threads", 1, 1024));
}

/** The number of BLAS threads native calls use. */
export function getBlasThreads(): number {
  return native.blasThreads();
}
