/**
 * The values the addon takes and returns, as binding/ builds them (raw: before lib/ turns them
 * into public results). Listed here so that lib/native/functions.ts can name every signature.
 */

/** `[kernel, k, g, h, n]`: the arguments every native layer function starts with (binding/convert.h readShape). */
export type KernelArgs = [kernel: Float64Array, k: number, g: number, h: number, n: number];

/** M in CSR form as the addon returns it (indices fit in int32; checked before the call). */
export interface NativeSparse {
  rows: number;
  cols: number;
  rowStart: Int32Array;
  column: Int32Array;
  entry: Int32Array;
  value: Float64Array;
}

/**
 * The last argument of every penalty-and-gradient task: the caller's array (k*k*g*h entries) that
 * the task fills with dF/dK (flat, HWIO); the task returns F. (A fresh array per call from
 * JavaScript costs less than one made through Node-API, and results never share it.)
 */
export type GradientOut = Float64Array;

/** One warm-started power-method call of the 2-norm penalty (binding/two_norm.cpp). */
export interface NativeSpectral {
  eigenvalue: number;
  residual: number;
  gradient: Float64Array;
  vector: Float64Array;
}

/** Lanczos sigma_max (binding/sigma_max.cpp). */
export interface RawLanczos {
  eigenvalue: number;
  residual: number;
  rounding: number;
  sigma: number;
  sigmaBound: number;
  converged: boolean;
  iterations: number;
  restarts: number;
  vector: Float64Array;
}

/** How sigmaMin's lower bound was obtained (src/sigma_min.h). */
export type SigmaMinCertificate = "kato-temple" | "cholesky" | "exact" | "none";

/** The symbol bound on sigma_max (binding/symbol_bound.cpp). */
export interface RawSymbolBound {
  upper: number;
  lower: number;
  cells: number;
  points: number;
  converged: boolean;
  lipschitz1: number;
  lipschitz2: number;
  roundingMargin: number;
}

/** The certified sigma_min with its diagnostics (binding/sigma_min.cpp). */
export interface RawSigmaMin {
  sigmaMin: number;
  lower: number;
  upper: number;
  certified: boolean;
  certificate: SigmaMinCertificate;
  lambdaLower: number;
  lambdaUpper: number;
  lambdaEstimate: number;
  residualBound: number;
  lambda2Estimate: number;
  lambda2Lower: number;
  shift: number;
  certificateShift: number;
  roundingMargin: number;
  inputSide: boolean;
  order: number;
  gramNonzeros: number;
  factorNonzeros: number;
  maxFront: number;
  factorFlops: number;
  gramBytes: number;
  factorBytes: number;
  cholmodPeakBytes: number;
  gramSeconds: number;
  analyzeSeconds: number;
  factorSeconds: number;
  iterateSeconds: number;
  certifySeconds: number;
  residualSeconds: number;
  factorizations: number;
  lanczosSteps: number;
  refinements: number;
  ordering: string;
  certificateReason: string;
  formNormSteps: Float64Array;
  attempts: RawCertificateAttempt[];
  vector: Float64Array;
}

/** One Cholesky try at a sigma_min lower bound (src/sigma_min.h CertificateAttempt). */
export interface RawCertificateAttempt {
  kind: "kato-temple" | "cholesky";
  shift: number;
  factored: boolean;
  formMargin: number;
  shiftMargin: number;
  choleskyMargin: number;
  margin: number;
  allowedMargin: number;
  choleskyNormSteps: Float64Array;
  /** A lower bound on the exact quantity that choleskyMargin bounds from above; see choleskyStoppedEarly. */
  choleskyLowerBound: number;
  /** The a-priori power steps stopped once choleskyLowerBound showed the term cannot fit (residual used instead). */
  choleskyStoppedEarly: boolean;
  residualComputed: boolean;
  residualMargin: number;
  residualNormSteps: Float64Array;
  /** Power steps for the norms of |L| and |L2| in the residual's rounding term: 1 when that bound already fit. */
  residualPowerSteps: number;
  residualNote: string;
  /** Seconds of the residual: in dsyrk/dsyr2k, in its norm bounds, in all. */
  residualBlasSeconds: number;
  residualNormSeconds: number;
  residualSeconds: number;
}

/** What the addon holds beyond a call (src/native_memory.h says what is counted and why). */
export interface NativeMemoryStats {
  /** Counted bytes alive: task copies of inputs, cancel-token flags, leaked CHOLMOD blocks. */
  liveBytes: number;
  /** Highest liveBytes since the process started. */
  peakBytes: number;
  /** Counted objects alive: async workers, cancel tokens, leaked CHOLMOD blocks. */
  liveObjects: number;
  /** Bytes kept on purpose by the per-thread scratch arenas (bounded per thread). */
  scratchBytes: number;
}

/** The native token (binding/cancel.cpp): `cancel()` sets a flag that a running native task reads. */
export interface NativeCancelToken {
  cancel(): void;
  readonly cancelled: boolean;
}

/** The optional cancel argument of the cancellable tasks: a token, or null/undefined for none. */
export type CancelArg = NativeCancelToken | null | undefined;
