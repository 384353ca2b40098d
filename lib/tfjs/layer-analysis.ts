/**
 * The per-layer numbers of `convreg report`: penalty, extreme singular values and condition
 * number of one conv layer's M at a given N, with the spectrum method chosen by cost.
 */
import type { Kernel } from "../kernel.js";
import { singularValuesAsync } from "../operations.js";

/** How the spectrum of a layer was (or was not) computed. */
export type LayerSpectrumMethod = "dense-svd" | "too-large";

/** The numbers reported for one layer. */
export interface LayerAnalysis {
  n: number;
  /** F = ||M^T M - alpha I||_F^2, or null when not computed. */
  penalty: number | null;
  sigmaMax: number | null;
  sigmaMin: number | null;
  /** What guarantees sigma_min (e.g. "exact: all singular values by dgesvd"), or null. */
  sigmaMinCertificate: string | null;
  conditionNumber: number | null;
  method: LayerSpectrumMethod;
  /** Why this method (and what it would take otherwise). */
  methodNote: string;
}

/** Options of {@link analyzeLayer}. */
export interface LayerAnalysisOptions {
  n: number;
  alpha?: number;
  /**
   * Largest dense SVD attempted, in units of rows x cols x min(rows, cols) of M (default 2e10,
   * a few seconds on one core). Larger layers are reported as too large.
   */
  denseWorkLimit?: number;
  memoryLimit?: number;
}

/** Default budget of one dense SVD (rows x cols x min(rows, cols) of M). */
export const DENSE_WORK_LIMIT = 2e10;

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
  const { n } = options;
  const alpha = options.alpha ?? 1;
  const [, , g, h] = kernel.shape;
  const work = denseWork(kernel, n);
  const limit = options.denseWorkLimit ?? DENSE_WORK_LIMIT;
  if (work > limit)
    return {
      n,
      penalty: null,
      sigmaMax: null,
      sigmaMin: null,
      sigmaMinCertificate: null,
      conditionNumber: null,
      method: "too-large",
      methodNote: `M is ${h * n * n} x ${g * n * n}: a dense SVD (work ${work.toExponential(1)}) is over the limit ${limit.toExponential(1)}; use a smaller --input-size`,
    };
  const sigma = await singularValuesAsync(kernel, { n, method: "svd", memoryLimit: options.memoryLimit });
  const sigmaMax = sigma[0];
  const sigmaMin = sigma[sigma.length - 1];
  return {
    n,
    penalty: penaltyFromSingularValues(sigma, g * n * n, alpha),
    sigmaMax,
    sigmaMin,
    sigmaMinCertificate: `exact: all ${sigma.length} singular values by dgesvd`,
    conditionNumber: sigmaMax / sigmaMin,
    method: "dense-svd",
    methodNote: `dense SVD of the ${h * n * n} x ${g * n * n} matrix M`,
  };
}
