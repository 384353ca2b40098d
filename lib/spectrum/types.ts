/** The options and result of `spectrum` (spectrum.ts), shared by its zero- and circular-padding branches. */
import type { LayerOptions } from "../core/layer-options.js";
import type { Padding } from "../engines/circular.js";
import type { BoundKind, SigmaMinOptions, SigmaMinRounding } from "./sigma-min.js";
import type { SigmaMaxResult } from "./sigma-max.js";

/**
 * Spectrum methods: "auto" picks "dense" when its memory estimate fits the limit and its work
 * rows x cols x min(rows, cols) is at most `denseWorkLimit`, else "iterative".
 * "certified" is "iterative" plus sigma_min by shift-invert on a sparse Cholesky ({@link sigmaMin}),
 * whose bracket is proven under the default worst-case rounding model.
 */
export type SpectrumMethod = "auto" | "dense" | "iterative" | "certified" | "none";

/** Options of {@link spectrum}. */
export interface SpectrumOptions extends LayerOptions {
  /**
   * "auto" (default), "dense" (dgesvd on M), "iterative" (Lanczos sigma_max, no M), "certified"
   * (Lanczos sigma_max and a proven sigma_min bracket from a CHOLMOD Cholesky of the Gram
   * matrix: minutes and GiB for 64 channels at N = 32) or "none".
   */
  method?: SpectrumMethod;
  /** "certified" only: rounding model of the sigma_min lower bound (default "worst-case"; see {@link SigmaMinOptions.rounding}). */
  rounding?: SigmaMinRounding;
  /**
   * "auto" only: the largest dense SVD it picks, in units of rows x cols x min(rows, cols) of M
   * (default {@link AUTO_DENSE_WORK_LIMIT}); past it "auto" is "iterative" even when M fits.
   */
  denseWorkLimit?: number;
  /** "certified" only: bytes allowed for the Cholesky factor (default 8 GiB). */
  factorMemoryLimit?: number;
  /** Iterative only: relative tolerance on sigma_max (default 1e-9). */
  tolerance?: number;
  /** Iterative only: cap on Gram products (default 5000). */
  maxIterations?: number;
  /** Aborts an async iterative run (ERR_ABORTED); checked before any method starts. */
  signal?: AbortSignal;
  /**
   * "zero" (default, the paper's M) or "circular". Circular padding gives every singular value,
   * exact to rounding, from the kernel's 2-D DFT (method "circular-fft", chosen by "auto");
   * "dense" runs dgesvd on the block-circulant M; "iterative" is refused.
   */
  padding?: Padding;
}

/** Extreme singular values of M with error bounds. Unknown values are null. */
export interface Spectrum {
  /** The method that ran: "dense", "iterative", "circular-fft" (circular padding), "symbol" (only the symbol bound fits) or "none" ("auto" resolved). */
  method: string;
  /** Largest singular value of M (NaN for "none"). */
  sigmaMax: number;
  /**
   * Absolute error bound on sigmaMax. Dense: `4 eps sigmaMax sqrt(rows cols)`, the standard
   * backward-error bound of LAPACK's SVD with a generous dimension factor (a rounding bound,
   * not a proof). Iterative: the residual bound of {@link SigmaMaxResult.sigmaMaxBound}.
   * Infinity for "none".
   */
  sigmaMaxBound: number;
  /** False when the iteration cap stopped Lanczos first (then sigmaMax is only an estimate), or for "none". */
  sigmaMaxConverged: boolean;
  /** Smallest of the min(h N^2, g N^2) singular values, or null when not computed. */
  sigmaMin: number | null;
  /** Lower end of a bracket for sigmaMin (dense: sigmaMin minus the rounding bound, at least 0). */
  sigmaMinLower: number | null;
  /** Upper end of the bracket for sigmaMin. */
  sigmaMinUpper: number | null;
  /** True exactly when `bound.sigmaMin` is "proven". */
  sigmaMinCertified: boolean;
  /**
   * What stands behind each bound ({@link BoundKind}). sigmaMax: "probabilistic" for every method
   * that computes it (dense and circular-fft: LAPACK's backward error with a sqrt-dimension factor,
   * a rounding model rather than a proof; Lanczos: the residual bound is rigorous, but that it
   * concerns the largest value rests on the Krylov space having found the top), "none" for "none".
   * sigmaMin: "proven" for "certified" under worst-case rounding, "probabilistic" for dense,
   * circular-fft and "certified" with `rounding: "probabilistic"`, "none" when not computed.
   */
  bound: { sigmaMax: BoundKind; sigmaMin: BoundKind };
  /** All singular values, descending (dense only), else null. */
  values: Float64Array | null;
  /** Gram products of the iterative method (0 for dense and none). */
  iterations: number;
  /**
   * Zero padding, iterative methods only: a proven upper value of sigma_max at every N from the kernel's
   * symbol (sigmaMaxUpperBound, spectrum/symbol-bound.ts), so [sigmaMax, sigmaMaxUpper] is a bracket of
   * relative width (sigmaMaxUpper - sigmaMax) / sigmaMaxUpper. Method "symbol" (Lanczos over the memory
   * limit): the bracket is [0, sigmaMaxUpper]. Absent otherwise.
   */
  sigmaMaxUpper?: number | null;
}

/** What {@link iterativeSigmaMin} contributes to an iterative spectrum. */
export interface SigmaMinPart {
  sigmaMin: number | null;
  sigmaMinLower: number | null;
  sigmaMinUpper: number | null;
  sigmaMinCertified: boolean;
  sigmaMinBound: BoundKind;
}
