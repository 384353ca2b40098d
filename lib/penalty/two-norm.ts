/**
 * The 2-norm penalty the paper compares with (its reference [7]): ||B||_2 with B the smaller Gram
 * matrix of M minus alpha I, estimated by a warm-started power method, and its kernel gradient.
 */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { ConvregRangeError, ConvregTypeError } from "../core/errors.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import { describe, requireAlpha, requireChoice, requireInputSize, requireInteger, requireOptions } from "../core/validate.js";
import type { LayerOptions } from "../core/layer-options.js";
import { spectralDensePlan, spectralMatrixFreePlan, spectralSideOf, spectralVectorLength } from "./two-norm-plans.js";

export { spectralVectorLength } from "./two-norm-plans.js";

/**
 * Engines of the 2-norm penalty: "dense" materializes M and multiplies with dgemv (the reference);
 * "structured" never forms M: the products are convolutions and the gradient a correlation, one
 * gemm per tap each, O(k^2 g h N^2) per power step; "auto" (default) is "structured".
 */
export type SpectralEngine = "auto" | "dense" | "structured";

/** Options of {@link spectralPenaltyAndGradient}. */
export interface SpectralOptions extends LayerOptions {
  /** B = G - alpha I with G the smaller Gram matrix (default 1). */
  alpha?: number;
  /** Power-method products with B per call (an integer >= 1, default 2 as in the paper). */
  powerSteps?: number;
  /**
   * Start of the power method: the `vector` of the previous call (warm start), length
   * {@link spectralVectorLength}. Default: a fixed pseudo-random vector (the same on every run).
   */
  startVector?: Float64Array;
  /** "auto" (default, = "structured": matrix-free), "structured" or "dense" (M materialized; the reference). */
  engine?: SpectralEngine;
  /** Only "zero" (the default) is supported by the 2-norm penalty. */
  padding?: "zero";
}

/** Result of {@link spectralPenaltyAndGradient}. */
export interface SpectralPenaltyAndGradient {
  /** |lambda|: the power method's estimate of ||B||_2 (a lower bound that is exact at an eigenvector). */
  penalty: number;
  /** lambda = v^T B v for the unit vector v after the power steps; its sign says which end of the spectrum dominates. */
  eigenvalue: number;
  /** d|v^T B v|/dK with v held fixed: the gradient of |lambda*| when v is the dominant eigenvector. */
  gradient: Kernel;
  /** B v / ||B v||: pass it as `startVector` to the next call (the power method continues). */
  vector: Float64Array;
  /** ||B v - lambda v||: how far v is from an eigenvector (0 exactly at one). */
  residual: number;
  /** The Gram matrix used: M M^T ("outputs", when h < g) or M^T M ("inputs"). */
  side: "outputs" | "inputs";
}

function requireStartVector(value: unknown, length: number): Float64Array | null {
  if (value === undefined) return null;
  if (!(value instanceof Float64Array)) throw new ConvregTypeError("ERR_ARGUMENT", `options.startVector must be a Float64Array, got ${describe(value)}`);
  if (value.length !== length) throw new ConvregRangeError("ERR_SHAPE", `options.startVector must have min(g, h) N^2 = ${length} entries, got ${value.length}`);
  let norm = 0;
  for (const x of value) {
    if (!Number.isFinite(x)) throw new ConvregRangeError("ERR_NONFINITE", "options.startVector must hold finite numbers");
    norm += x * x;
  }
  if (norm === 0) throw new ConvregRangeError("ERR_RANGE", "options.startVector must not be the zero vector");
  return value;
}

function planFor(kernel: unknown, options: SpectralOptions | undefined): NativePlan<"spectralDense" | "spectralMatrixFree", SpectralPenaltyAndGradient> {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const alpha = requireAlpha(o.alpha);
  const steps = o.powerSteps === undefined ? 2 : requireInteger(o.powerSteps, "options.powerSteps", 1, 1_000_000);
  requireChoice(o.padding, "options.padding", ["zero"], "zero");
  const engine = requireChoice(o.engine, "options.engine", ["auto", "dense", "structured"], "auto");
  const start = requireStartVector(o.startVector, spectralVectorLength(k, n));
  const plan = (engine === "dense" ? spectralDensePlan : spectralMatrixFreePlan)(k, n, alpha, start, steps, o.memoryLimit);
  const side = spectralSideOf(k);
  return {
    ...plan,
    finish: (raw) => ({
      penalty: Math.abs(raw.eigenvalue),
      eigenvalue: raw.eigenvalue,
      gradient: { shape: k.shape, data: raw.gradient },
      vector: raw.vector,
      residual: raw.residual,
      side,
    }),
  };
}

/**
 * The 2-norm penalty ||M M^T - alpha I||_2 (smaller Gram side) by `powerSteps` warm-started power
 * steps, and its kernel gradient: 2 sign(lambda) times the sum over Omega of v (M^T v)^T
 * (or (M v) v^T on the input side). Chain calls by passing `vector` back as `startVector`.
 */
export function spectralPenaltyAndGradient(kernel: Kernel, options: SpectralOptions): SpectralPenaltyAndGradient {
  return runSync(planFor(kernel, options));
}

/** Async form of {@link spectralPenaltyAndGradient}. */
export async function spectralPenaltyAndGradientAsync(kernel: Kernel, options: SpectralOptions): Promise<SpectralPenaltyAndGradient> {
  return runAsync(planFor(kernel, options));
}
