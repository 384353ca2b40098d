/**
 * sigma_min of the zero-padded convolution matrix M at real sizes: shift-invert on a CHOLMOD
 * (SuiteSparse) supernodal Cholesky of the smaller Gram matrix, refined with exactly rounded
 * products by M, and bracketed by a Rayleigh quotient above and a Cholesky eigenvalue bound
 * below (see src/sigma_min.cpp and the README). The bracket is proven under the default
 * worst-case rounding model; under the probabilistic one it is an estimate.
 */
import { requireSignal, throwIfAborted, withCancelToken, type NativeCancelToken } from "../core/abort.js";
import { requireKernel, type Kernel } from "../core/kernel.js";
import { formatBytes, requireMemory } from "../core/memory.js";
import { native } from "../native/addon.js";
import type { RawCertificateAttempt, RawSigmaMin, SigmaMinCertificate } from "../native/raw.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import { requireChoice, requireInputSize, requireOptions, requirePositive } from "../core/validate.js";
import type { LayerKindOptions } from "../core/layer-spec.js";
import { layerSigmaMinPlan } from "../engines/layer-spectra.js";
import { readIterativeLayer } from "./sigma-max.js";

import { eachGroup, eachGroupAsync, readGroupCall } from "../core/groups.js";
import { combineSigmaMin } from "./groups.js";

/** Options of {@link sigmaMin}. */
export interface SigmaMinOptions extends LayerKindOptions {
  /** Spatial size N of the N x N input (an integer >= 1). */
  n: number;
  /** Bytes allowed for the sparse Gram matrix and work vectors (default: see setMemoryLimit, 2 GiB). */
  memoryLimit?: number;
  /** Bytes allowed for the Cholesky factor, checked after the symbolic analysis (default 8 GiB). */
  factorMemoryLimit?: number;
  /** Relative bracket width at which the refinement stops (default 1e-10). */
  tolerance?: number;
  /**
   * Rounding model of the Cholesky lower bound: "worst-case" (default: gamma_m = m u / (1 - m u)
   * per inner product of length m, a proof) or "probabilistic" (Higham & Mary's 10 sqrt(m) u,
   * which fails with probability below 1e-20 per inner product: tighter, but an estimate, so the
   * result has `bound: "probabilistic"` and `certified: false`).
   */
  rounding?: SigmaMinRounding;
  /** Aborts the async form; the native work stops at its next checkpoint (at most one factorization). */
  signal?: AbortSignal;
}

/** Rounding models of {@link SigmaMinOptions.rounding}. */
export type SigmaMinRounding = "worst-case" | "probabilistic";

/**
 * What stands behind a bound: "proven" (a rigorous worst-case argument, rounding included),
 * "probabilistic" (an estimate: it holds under a rounding or sampling model that is not a
 * worst-case proof) or "none" (no bound was obtained).
 */
export type BoundKind = "proven" | "probabilistic" | "none";

/** How the lower bound was obtained. */
export type { SigmaMinCertificate } from "../native/raw.js";

/** sigma_min of M with a bracket and how it was obtained. */
export interface SigmaMinResult {
  /** Best estimate: the square root of the refined Rayleigh quotient. */
  sigmaMin: number;
  /** Lower bound (0 when none was obtained); proven only when `bound` is "proven". */
  lower: number;
  /** Upper bound: the Rayleigh quotient of the returned vector plus its worst-case rounding bound (always proven). */
  upper: number;
  /** (upper - lower) / upper. */
  relativeWidth: number;
  /**
   * What stands behind the bracket: "proven" (worst-case rounding model, or exact), "probabilistic"
   * (the lower bound holds under the probabilistic rounding model only: an estimate) or "none"
   * (no lower bound; `lower` is 0).
   */
  bound: BoundKind;
  /** True exactly when `bound` is "proven". */
  certified: boolean;
  /**
   * How the lower bound was obtained. "kato-temple": a Cholesky of the Gram matrix minus one row
   * and column, shifted between the two smallest eigenvalues, bounds the gap, and the Kato-Temple
   * inequality gives the bound; "cholesky": a Cholesky of the shifted Gram matrix bounds it
   * directly; "exact": M = 0 or a 1 x 1 Gram matrix; "none": no lower bound was obtained.
   */
  certificate: SigmaMinCertificate;
  /** Which Gram matrix was used: "input" (M^T M, g <= h) or "output" (M M^T, h < g). */
  side: "input" | "output";
  /** Unit singular vector on that side, numbered like M's columns (input) or rows (output). */
  vector: Float64Array;
  /** Eigenvalue-level details of the certificate. */
  lambda: {
    estimate: number;
    lower: number;
    upper: number;
    /** Bound on ||G v - rho v|| for the returned unit vector. */
    residualBound: number;
    /** Lanczos estimate of the second smallest eigenvalue, and its proven lower bound (0 if unused). */
    secondEstimate: number;
    secondLower: number;
    /** Shift of the certifying factorization and the rounding margin charged to it. */
    certificateShift: number;
    roundingMargin: number;
  };
  /** Sizes: Gram order and nonzeros (upper triangle), factor nonzeros, largest front. */
  sizes: { order: number; gramNonzeros: number; factorNonzeros: number; maxFront: number; factorFlops: number };
  /** Bytes: estimate for the Gram matrix and vectors, for the factor, and CHOLMOD's peak. */
  memory: { gramBytes: number; factorBytes: number; cholmodPeakBytes: number };
  /** Seconds per phase; factorSeconds sums all numeric factorizations. */
  timing: { gramSeconds: number; analyzeSeconds: number; factorSeconds: number; iterateSeconds: number; certifySeconds: number; residualSeconds: number };
  /** Counts: numeric factorizations, Lanczos steps, refinement steps. */
  iterations: { factorizations: number; lanczosSteps: number; refinements: number };
  /** The fill-reducing ordering used. */
  ordering: string;
  /** Every Cholesky try at the lower bound, with each term of its rounding margin: how far a failure missed. */
  certificateDetail: CertificateDetail;
}

/** The rounding margins behind (or missing from) the lower bound of a {@link SigmaMinResult}. */
export interface CertificateDetail {
  /** Why the lower bound holds, or by how much the best try failed (margin against the allowed one). */
  reason: string;
  /** Collatz-Wielandt bounds on || |A|^T|A| ||_2 after each power step (the formation term uses the smallest). */
  formNormSteps: Float64Array;
  /**
   * In order. `kind` "kato-temple": Cholesky of the Gram matrix minus one row and column at `shift`,
   * proving lambda_2 >= shift - margin; "cholesky": of the Gram matrix itself, proving lambda_1 >= shift - margin.
   * `margin` = formMargin + shiftMargin + choleskyMargin; the try certifies iff margin < allowedMargin.
   * `choleskyNormSteps`: the bound on the Cholesky term after each power step (the smallest is used).
   * `choleskyLowerBound`: a lower bound on that term; once it exceeds what the allowed margin leaves, the
   * a-priori term cannot certify and its power steps stop early (`choleskyStoppedEarly`, only when the
   * a-posteriori residual is computed instead): `choleskyMargin` is then a valid but looser bound.
   * When the a-priori `choleskyMargin` is too large, `residualMargin` bounds ||H - L L^T||_2 a posteriori
   * (`residualComputed`; `residualNote` says why it did not apply, if so) and `margin` uses the smaller.
   */
  attempts: RawCertificateAttempt[];
}

const GiB = 1024 ** 3;
const LANCZOS_STEPS = 80;

/** A lower bound from a Cholesky certificate is only as strong as the rounding model behind it. */
function boundKind(raw: RawSigmaMin, rounding: SigmaMinRounding): BoundKind {
  if (!raw.certified) return "none";
  if (raw.certificate === "exact" || rounding === "worst-case") return "proven";
  return "probabilistic";
}

function finish(raw: RawSigmaMin, rounding: SigmaMinRounding): SigmaMinResult {
  const bound = boundKind(raw, rounding);
  return {
    sigmaMin: raw.sigmaMin,
    lower: raw.lower,
    upper: raw.upper,
    relativeWidth: raw.upper > 0 ? (raw.upper - raw.lower) / raw.upper : 0,
    bound,
    certified: bound === "proven",
    certificate: raw.certificate,
    side: raw.inputSide ? "input" : "output",
    vector: raw.vector,
    lambda: {
      estimate: raw.lambdaEstimate,
      lower: raw.lambdaLower,
      upper: raw.lambdaUpper,
      residualBound: raw.residualBound,
      secondEstimate: raw.lambda2Estimate,
      secondLower: raw.lambda2Lower,
      certificateShift: raw.certificateShift,
      roundingMargin: raw.roundingMargin,
    },
    sizes: { order: raw.order, gramNonzeros: raw.gramNonzeros, factorNonzeros: raw.factorNonzeros, maxFront: raw.maxFront, factorFlops: raw.factorFlops },
    memory: { gramBytes: raw.gramBytes, factorBytes: raw.factorBytes, cholmodPeakBytes: raw.cholmodPeakBytes },
    timing: {
      gramSeconds: raw.gramSeconds,
      analyzeSeconds: raw.analyzeSeconds,
      factorSeconds: raw.factorSeconds,
      iterateSeconds: raw.iterateSeconds,
      certifySeconds: raw.certifySeconds,
      residualSeconds: raw.residualSeconds,
    },
    iterations: { factorizations: raw.factorizations, lanczosSteps: raw.lanczosSteps, refinements: raw.refinements },
    ordering: raw.ordering,
    certificateDetail: { reason: raw.certificateReason, formNormSteps: raw.formNormSteps, attempts: raw.attempts },
  };
}

function planFor(kernel: unknown, options: SigmaMinOptions | undefined, token: NativeCancelToken | null): NativePlan<"sigmaMin" | "layerSigmaMin", SigmaMinResult> {
  const K = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const factorMemoryLimit = o.factorMemoryLimit === undefined ? 8 * GiB : requirePositive(o.factorMemoryLimit, "options.factorMemoryLimit");
  const tolerance = o.tolerance === undefined ? 1e-10 : requirePositive(o.tolerance, "options.tolerance");
  const rounding = requireChoice<SigmaMinRounding>(o.rounding, "options.rounding", ["worst-case", "probabilistic"], "worst-case");
  requireSignal(o.signal);
  const layer = readIterativeLayer(K, { ...o, n }, "sigmaMin");
  if (layer) {
    const plan = layerSigmaMinPlan(K, layer, { factorMemoryLimit, tolerance, worstCase: rounding === "worst-case", limit: o.memoryLimit }, token);
    return { ...plan, finish: (raw: RawSigmaMin) => finish(raw, rounding) };
  }
  const [k, , g, h] = K.shape;
  const gramBytes = native.sigmaMinGramBytes(k, g, h, n, LANCZOS_STEPS);
  const side = Math.min(g, h) * n * n;
  requireMemory(gramBytes, `the sparse Gram matrix for sigmaMin (order ${side}, ${formatBytes(gramBytes)} with work vectors)`, o.memoryLimit);
  return {
    fn: "sigmaMin",
    args: [K.data, k, g, h, n, factorMemoryLimit, tolerance, LANCZOS_STEPS, rounding === "worst-case", token],
    finish: (raw) => finish(raw, rounding),
  };
}

/**
 * The smallest singular value of M (the smallest of the min(g, h) N^2 values) with a bracket
 * `[lower, upper]`, proven under the default worst-case rounding model (see `bound`). Runs on the calling thread; see {@link sigmaMinAsync}.
 * Throws ERR_MEMORY_LIMIT (Gram matrix past memoryLimit, or factor past factorMemoryLimit).
 */
export function sigmaMin(kernel: Kernel, options: SigmaMinOptions): SigmaMinResult {
  throwIfAborted(requireSignal(options?.signal));
  const groups = readGroupCall(kernel, options);
  if (groups) return combineSigmaMin(eachGroup(groups.kernels, (k) => sigmaMin(k, groups.options)));
  return runSync(planFor(kernel, options, null));
}

/**
 * Async form of {@link sigmaMin}: runs on the libuv thread pool. Aborting `options.signal`
 * rejects with ERR_ABORTED once the native work reaches its next checkpoint.
 */
export async function sigmaMinAsync(kernel: Kernel, options: SigmaMinOptions): Promise<SigmaMinResult> {
  const signal = requireSignal(options?.signal);
  const groups = readGroupCall(kernel, options);
  if (groups) return combineSigmaMin(await eachGroupAsync(groups.kernels, (k) => sigmaMinAsync(k, groups.options)));
  return withCancelToken(signal, async (token) => {
    return runAsync(planFor(kernel, options, token));
  });
}
