/**
 * A spectrum whose extremes are known to within an absolute rounding-model bound (dense SVD,
 * per-frequency SVD, closed forms): the bound is an estimate, not a proof.
 */
import type { Spectrum } from "./types.js";

/** A spectrum from its extremes and a rounding-model `bound`; `values` all singular values (descending) or null. */
export function roundingModelSpectrum(method: "circular-fft" | "dense" | "pointwise", sigmaMax: number, sigmaMin: number, bound: number, values: Float64Array | null): Spectrum {
  return {
    method,
    sigmaMax,
    sigmaMaxBound: bound,
    sigmaMaxConverged: true,
    sigmaMin,
    sigmaMinLower: Math.max(0, sigmaMin - bound),
    sigmaMinUpper: sigmaMin + bound,
    // A rounding-model bound (sqrt-dimension factor), not a proof.
    sigmaMinCertified: false,
    bound: { sigmaMax: "probabilistic", sigmaMin: "probabilistic" },
    values,
    iterations: 0,
  };
}

/** A spectrum from all singular values (descending) known to within an absolute rounding `bound`. */
export function fromValues(method: "circular-fft" | "dense", values: Float64Array, bound: number): Spectrum {
  return roundingModelSpectrum(method, values[0], values[values.length - 1], bound, values);
}
