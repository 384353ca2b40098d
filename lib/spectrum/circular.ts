/**
 * The circular-padding branch of {@link spectrum}: every singular value of the block-circulant M,
 * exact to rounding, from the kernel's 2-D DFT and one small zgesvd per frequency ("circular-fft"),
 * or by dgesvd on the materialized block-circulant M ("dense", the reference).
 */
import { ConvregRangeError } from "../core/errors.js";
import type { Kernel } from "../core/kernel.js";
import type { NativePlan } from "../native/plan.js";
import type { Spectrum, SpectrumMethod } from "./types.js";
import { fromValues } from "./from-values.js";
import { circularDenseSpectrumPlan, circularSpectrumPlan } from "../engines/circular.js";

/**
 * Rounding bound on every singular value: zgesvd's backward error (`4 eps sigma_max sqrt(g h)`,
 * a generous dimension factor) plus the rounding of the DFT, whose entries are sums of k^2 terms
 * (each A_f entry errs by at most about `(2k + 4) eps` times the sum of |K| over its k^2 taps,
 * hence `(2k + 4) k eps ||K||_F` in spectral norm). A rounding bound, not a proof.
 */
export function fftBound(kernel: Kernel, sigmaMax: number): number {
  const [k, , g, h] = kernel.shape;
  let norm2 = 0;
  for (const v of kernel.data) norm2 += v * v;
  return 4 * Number.EPSILON * (sigmaMax * Math.sqrt(g * h) + (2 * k + 4) * k * Math.sqrt(norm2));
}

/** dgesvd's bound on the dense M, as the zero-padding dense spectrum reports it. */
function denseBound(kernel: Kernel, n: number, sigmaMax: number): number {
  const [, , g, h] = kernel.shape;
  return 4 * Number.EPSILON * sigmaMax * Math.sqrt(g * n * n * h * n * n);
}

/**
 * The plan of a circular spectrum: "auto" runs "circular-fft" (exact, cost about
 * N^2 (k g h + min(g,h)^2 max(g,h))), "dense" runs dgesvd on the block-circulant M. Lanczos is not
 * offered: the FFT method is exact and cheaper at every size.
 */
export function circularSpectrumPlanFor(
  kernel: Kernel,
  n: number,
  method: Exclude<SpectrumMethod, "none">,
  limit?: number,
): NativePlan<"circularDenseSingularValues" | "circularSingularValues", Spectrum> {
  if (method === "iterative")
    throw new ConvregRangeError("ERR_ARGUMENT", `options.method "iterative" supports options.padding "zero" only; circular padding is exact by the kernel's DFT (method "auto")`);
  if (method === "dense") {
    const plan = circularDenseSpectrumPlan(kernel, n, "svd", limit);
    return { ...plan, finish: (values) => fromValues("dense", values, denseBound(kernel, n, values[0])) };
  }
  const plan = circularSpectrumPlan(kernel, n, limit);
  return { ...plan, finish: (values) => fromValues("circular-fft", values, fftBound(kernel, values[0])) };
}
