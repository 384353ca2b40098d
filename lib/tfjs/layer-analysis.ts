/**
 * The per-layer numbers of `convreg report`: penalty, extreme singular values and condition
 * number of one conv layer's M at a given N, with the spectrum method chosen by cost:
 * a dense SVD when it is cheap, else Lanczos for sigma_max and the shift-invert sigma_min (a bracket
 * proven under worst-case rounding). The penalty always comes from the structured engine (cost independent of N).
 */
import { isConvregError } from "../core/errors.js";
import type { Kernel } from "../core/kernel.js";
import { penaltyAsync } from "../penalty/frobenius.js";
import { sigmaMinAsync, type BoundKind } from "../spectrum/sigma-min.js";
import { spectrumAsync } from "../spectrum/spectrum.js";

/** How the spectrum of a layer was computed: all values by dgesvd, or Lanczos + shift-invert. */
export type LayerSpectrumMethod = "dense-svd" | "iterative";

/** The numbers reported for one layer. */
export interface LayerAnalysis {
  n: number;
  /** F = ||M^T M - alpha I||_F^2 (structured engine, exact). */
  penalty: number;
  sigmaMax: number;
  /** Absolute error bound on sigmaMax. */
  sigmaMaxBound: number;
  /** sigma_min, or null when it could not be computed (see methodNote). */
  sigmaMin: number | null;
  /** Proven bracket of sigma_min, when there is one. */
  sigmaMinLower: number | null;
  sigmaMinUpper: number | null;
  /** Where the sigma_min bracket comes from, e.g. "dense: dgesvd rounding bound" or "cholesky", or null. */
  sigmaMinCertificate: string | null;
  /** What stands behind that bracket: "proven", "probabilistic" (an estimate) or "none". */
  sigmaMinBound: BoundKind;
  conditionNumber: number | null;
  method: LayerSpectrumMethod;
  /** What ran and why this method. */
  methodNote: string;
}

/** Options of {@link analyzeLayer}. */
export interface LayerAnalysisOptions {
  n: number;
  alpha?: number;
  /**
   * Largest dense SVD, in units of rows x cols x min(rows, cols) of M (default
   * {@link DENSE_WORK_LIMIT}); larger layers use the iterative methods.
   */
  denseWorkLimit?: number;
  memoryLimit?: number;
  signal?: AbortSignal;
}

/** Default budget of one dense SVD: about 2 s on one core (a 1024 x 1024 M, e.g. 64 channels at N = 4). */
export const DENSE_WORK_LIMIT = 2 ** 30;

/**
 * Penalty from all singular values: the eigenvalues of M^T M are sigma_i^2 plus
 * (gN^2 - r) zeros, so F = sum (sigma_i^2 - alpha)^2 + alpha^2 (gN^2 - r).
 */
export function penaltyFromSingularValues(sigma: Float64Array, columns: number, alpha: number): number {
  let f = alpha * alpha * (columns - sigma.length);
  for (const s of sigma) f += (s * s - alpha) ** 2;
  return f;
}

/** Work of a dense SVD of this layer's M at size n. */
export function denseWork(kernel: Kernel, n: number): number {
  const [, , g, h] = kernel.shape;
  const rows = h * n * n;
  const cols = g * n * n;
  return rows * cols * Math.min(rows, cols);
}

/** Penalty, sigma_max, sigma_min and condition number of one layer at size n. */
export async function analyzeLayer(kernel: Kernel, options: LayerAnalysisOptions): Promise<LayerAnalysis> {
  const { n, memoryLimit, signal } = options;
  const alpha = options.alpha ?? 1;
  const [, , g, h] = kernel.shape;
  const size = `${h * n * n} x ${g * n * n}`;
  const penalty = await penaltyAsync(kernel, { n, alpha, engine: "auto", memoryLimit });
  const work = denseWork(kernel, n);
  const limit = options.denseWorkLimit ?? DENSE_WORK_LIMIT;
  if (work <= limit) {
    const s = await spectrumAsync(kernel, { n, method: "dense", memoryLimit, signal });
    return {
      n,
      penalty,
      sigmaMax: s.sigmaMax,
      sigmaMaxBound: s.sigmaMaxBound,
      sigmaMin: s.sigmaMin,
      sigmaMinLower: s.sigmaMinLower,
      sigmaMinUpper: s.sigmaMinUpper,
      sigmaMinCertificate: "dense: all singular values by dgesvd, rounding-model bound (an estimate)",
      sigmaMinBound: s.bound.sigmaMin,
      conditionNumber: s.sigmaMin === null ? null : s.sigmaMax / s.sigmaMin,
      method: "dense-svd",
      methodNote: `dense SVD of the ${size} matrix M`,
    };
  }
  const s = await spectrumAsync(kernel, { n, method: "iterative", memoryLimit, signal });
  let sigmaMin = s.sigmaMin;
  let lower = s.sigmaMinLower;
  let upper = s.sigmaMinUpper;
  let certificate: string | null = s.sigmaMin === null ? null : s.sigmaMinCertified ? "iterative, certified" : "estimate";
  let bound = s.bound.sigmaMin;
  let minNote = "";
  if (sigmaMin === null) {
    try {
      const m = await sigmaMinAsync(kernel, { n, memoryLimit, signal });
      sigmaMin = m.sigmaMin;
      lower = m.lower;
      upper = m.upper;
      certificate = m.certified ? `${m.certificate}: proven bracket [${lower}, ${upper}]` : "estimate (no lower bound proven)";
      bound = m.bound;
      minNote = "; sigma_min by shift-invert on a sparse Cholesky of the smaller Gram matrix";
    } catch (e) {
      if (!isConvregError(e) || e.code !== "ERR_MEMORY_LIMIT") throw e;
      minNote = `; sigma_min not computed (${e.message})`;
    }
  }
  const converged = s.sigmaMaxConverged ? "" : " (iteration cap hit: sigma_max is an estimate)";
  return {
    n,
    penalty,
    sigmaMax: s.sigmaMax,
    sigmaMaxBound: s.sigmaMaxBound,
    sigmaMin,
    sigmaMinLower: lower,
    sigmaMinUpper: upper,
    sigmaMinCertificate: certificate,
    sigmaMinBound: bound,
    conditionNumber: sigmaMin === null ? null : s.sigmaMax / sigmaMin,
    method: "iterative",
    methodNote: `M is ${size}, over the dense SVD budget: sigma_max by Lanczos (${s.iterations} Gram products)${converged}${minNote}`,
  };
}
