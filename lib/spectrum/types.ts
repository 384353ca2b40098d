/** The options and result of `spectrum` (spectrum.ts), shared by its zero- and circular-padding branches. */
import type { LayerOptions } from "../core/layer-options.js";
import type { LayerKindOptions, LayerPadding } from "../core/layer-spec.js";
import type { BoundKind, SigmaMinOptions, SigmaMinRounding } from "./sigma-min.js";
import type { SigmaMaxResult } from "./sigma-max.js";

/**
 * Spectrum methods: "auto" picks "dense" when its memory estimate fits the limit and its work
 * rows x cols x min(rows, cols) is at most `denseWorkLimit`, else "iterative".
 * "certified" is "iterative" plus sigma_min by shift-invert on a sparse Cholesky ({@link sigmaMin}),
 * whose bracket is proven under the default worst-case rounding model.
 */
export type SpectrumMethod = "auto" | "dense" | "iterative" | "certified" | "pointwise" | "none";

/** Options of {@link spectrum}. */
export interface SpectrumOptions extends LayerOptions, LayerKindOptions {
  /**
   * "auto" (default), "dense" (every value: the Gram route or dgesdd on M, see `denseMethod`), "iterative" (Lanczos sigma_max, no M), "certified"
   * (Lanczos sigma_max and a proven sigma_min bracket from a CHOLMOD Cholesky of the Gram
   * matrix: minutes and GiB for 64 channels at N = 32), "pointwise" (a 1 x 1 kernel's closed
   * form: K's singular values, each Ho Wo times, then zeros; "auto" picks it for k = 1) or "none".
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
  /**
   * Method "dense" (zero and "valid" padding, any layer kind): how every value is computed. "auto"
   * (default): the smaller Gram matrix's eigenvalues (dsyevd) when their stated bound gives every
   * value to the relative accuracy `gramTolerance`, else dgesdd on M; "svd": dgesdd; "gram": the
   * Gram route whatever its bound. `denseRoute` in the result says which ran.
   */
  denseMethod?: "auto" | "svd" | "gram";
  /** Method "dense", `denseMethod` "auto": relative accuracy demanded of every Gram value, in (0, 1) (default 1e-10). */
  gramTolerance?: number;
  /** Iterative only: relative tolerance on sigma_max (default 1e-9). */
  tolerance?: number;
  /** Iterative only: cap on Gram products (default 5000). */
  maxIterations?: number;
  /** Aborts an async iterative run (ERR_ABORTED); checked before any method starts. */
  signal?: AbortSignal;
  /**
   * "zero" (default, the paper's M), "valid" or "circular". Circular padding gives every singular value,
   * exact to rounding, from the kernel's 2-D DFT (method "circular-fft", chosen by "auto");
   * "dense" runs dgesvd on the block-circulant M; "iterative" is refused. With `stride`,
   * "valid", `dilation`, `width` or `transposed` every method runs on that layer's own M
   * (dense: dgesdd; iterative: Lanczos on its sparse Gram; certified: its sparse Gram's Cholesky).
   * A 1 x 1 kernel (k = 1) under "auto" gets the closed form (method "pointwise").
   */
  padding?: LayerPadding;
}

/** How a dense spectrum's values were computed (lib/spectrum/values-route.ts) and the bound of each. */
export interface DenseRoute {
  /** "gram" (dsyevd on the smaller Gram matrix), "svd" (dgesdd on M), or "mixed" (groups of a grouped layer differ). */
  method: "svd" | "gram" | "mixed";
  /** Absolute error bound of each value of `values` (same order): a rounding-model bound, not a proof. */
  errorBounds: Float64Array;
  /** The largest errorBounds[i] / values[i]; null when a value is 0 under a nonzero bound (no relative bound holds). */
  relativeErrorBound: number | null;
  /** The tolerance "auto" held the Gram route to. */
  gramTolerance: number;
  /** The relative bound the Gram route reached when it was tried (why "auto" fell back when method is "svd"); null when not tried or none held (a value of 0). */
  gramRelativeBound: number | null;
}

/** Extreme singular values of M with error bounds. Unknown values are null. */
export interface Spectrum {
  /** The method that ran: "dense", "iterative", "certified", "circular-fft" (circular padding), "pointwise" (k = 1 closed form), "symbol" (only the symbol bound fits) or "none" ("auto" resolved). */
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
  /**
   * Method "dense" with zero or "valid" padding: the route that computed `values` ("auto" picks the
   * Gram route when every value meets `gramTolerance`, else dgesdd) and each value's bound. Absent otherwise.
   */
  denseRoute?: DenseRoute;
}

/** What {@link iterativeSigmaMin} contributes to an iterative spectrum. */
export interface SigmaMinPart {
  sigmaMin: number | null;
  sigmaMinLower: number | null;
  sigmaMinUpper: number | null;
  sigmaMinCertified: boolean;
  sigmaMinBound: BoundKind;
}
