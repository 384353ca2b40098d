/**
 * The layer operations of the public API: the matrix M, the penalty of the paper,
 * its gradient (Theorem 3.1) and the singular values of M. Each exists in a
 * synchronous form and an `...Async` form that runs off the main thread.
 */
import { requireKernel, type Kernel } from "./kernel.js";
import { requireAlpha, requireChoice, requireInputSize, requireOptions } from "./validate.js";
import { runAsync, runSync, type NativePlan } from "./plan.js";
import { ConvregRangeError } from "./errors.js";
import {
  densePenaltyPlan,
  denseGradientPlan,
  densePlan,
  denseSpectrumPlan,
  sparsePlan,
} from "./dense-plans.js";
import {
  PADDINGS,
  circularDenseGradientPlan,
  circularDensePenaltyPlan,
  circularDenseSpectrumPlan,
  circularGradientPlan,
  circularLineQuarticPlan,
  circularPenaltyPlan,
  circularSpectrumPlan,
  type Padding,
} from "./circular-plans.js";

import { lineQuarticPlan, structuredGradientPlan, structuredPenaltyPlan } from "./structured-plans.js";
import { layerGradientRoute, layerPenaltyRoute, layerQuarticRoute } from "./layer-route.js";
import type { LayerKindOptions, LayerPadding } from "./layer-spec.js";

export type { Padding } from "./circular-plans.js";

/** Options shared by every layer operation. */
export interface LayerOptions {
  /** Spatial size N of the N x N input (an integer >= 1). */
  n: number;
  /** Refuse allocations larger than this many bytes (default: see setMemoryLimit, 2 GiB). */
  memoryLimit?: number;
}

/**
 * Engines that compute the penalty and its gradient. "dense" builds M (the paper's reference
 * construction, cost about N^6); "structured" works from the kernel alone, exact to rounding
 * (zero padding: tap Gram matrices, cost independent of N; circular padding: the kernel's 2-D DFT);
 * "auto" picks "structured".
 */
export type Engine = "auto" | "dense" | "structured";

/** The engine a call actually used ("auto" resolved). */
export type ResolvedEngine = Exclude<Engine, "auto">;

const engines = ["auto", "dense", "structured"] as const;

/** Resolves the engine option ("auto" and undefined become "structured"). */
function readEngine(value: unknown): ResolvedEngine {
  const engine = requireChoice(value, "options.engine", engines, "auto");
  return engine === "auto" ? "structured" : engine;
}

/** Options of the penalty and its gradient. */
export interface PenaltyOptions extends LayerOptions, Omit<LayerKindOptions, "padding"> {
  /** Target of the squared singular values: F = ||M^T M - alpha I||_F^2 (default 1). */
  alpha?: number;
  /** "dense" builds M (the paper's reference construction); "structured" and "auto" (default) work from the kernel alone. */
  engine?: Engine;
  /**
   * "zero" (default, the paper's M) or "circular" (the input wraps around; M is block circulant).
   * Circular padding is computed exactly from the kernel's 2-D DFT whatever `engine` says, except
   * that `engine: "dense"` builds the block-circulant M as a reference. The two paddings give
   * different numbers: see the README section "Zero or circular padding". "valid": no padding.
   */
  padding?: LayerPadding;
}

/** Options of the singular value computation. */
export interface SingularValueOptions extends LayerOptions {
  /**
   * "svd" (default): LAPACK dgesvd on M, accurate to rounding relative to sigma_max for every value.
   * "gram": square roots of the eigenvalues of the smaller Gram matrix (dsyevd), several times
   * faster; values below about 1e-8 * sigma_max lose their relative accuracy.
   */
  method?: "svd" | "gram" | "fft";
  /**
   * "zero" (default) or "circular". Circular padding defaults to `method: "fft"`: the exact values
   * from zgesvd of each frequency's g x h block of the kernel's 2-D DFT, at a cost of about
   * N^2 (k g h + min(g,h)^2 max(g,h)). "svd" and "gram" then run on the dense block-circulant M.
   */
  padding?: Padding;
}

/** M in compressed sparse row form: row i holds `value[z]` at column `column[z]` for z in `rowStart[i]..rowStart[i+1]-1`. */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rowStart: Int32Array;
  readonly column: Int32Array;
  /** Index into `kernel.data` of the entry stored at each nonzero. */
  readonly entry: Int32Array;
  readonly value: Float64Array;
}

/** M as a dense row-major matrix. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Penalty and its gradient, computed in one pass. */
export interface PenaltyAndGradient {
  /** F(K) = ||M^T M - alpha I||_F^2. */
  penalty: number;
  /** dF/dK (not halved) with the kernel's shape. */
  gradient: Kernel;
  /** The engine that computed them. */
  engine: ResolvedEngine;
}

interface CommonArgs {
  kernel: Kernel;
  n: number;
  alpha: number;
  memoryLimit?: number;
  padding: Padding;
}

function readCommon(kernel: unknown, options: PenaltyOptions | undefined): CommonArgs {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const padding = requireChoice(o.padding, "options.padding", PADDINGS, "zero");
  return { kernel: k, n: requireInputSize(o.n, "options.n"), alpha: requireAlpha(o.alpha), memoryLimit: o.memoryLimit, padding };
}

function penaltyPlanFor(kernel: unknown, options: PenaltyOptions | undefined): NativePlan<unknown, number> {
  const layer = layerPenaltyRoute(kernel, options); if (layer.plan) return layer.plan; kernel = layer.kernel;
  const a = readCommon(kernel, options);
  const engine = readEngine(options?.engine);
  if (a.padding === "circular")
    return (engine === "dense" ? circularDensePenaltyPlan : circularPenaltyPlan)(a.kernel, a.n, a.alpha, a.memoryLimit) as NativePlan<unknown, number>;
  const plan = engine === "dense" ? densePenaltyPlan : structuredPenaltyPlan;
  return plan(a.kernel, a.n, a.alpha, a.memoryLimit) as NativePlan<unknown, number>;
}

function gradientPlanFor(kernel: unknown, options: PenaltyOptions | undefined): NativePlan<unknown, PenaltyAndGradient> {
  const layer = layerGradientRoute(kernel, options); if (layer.plan) return layer.plan; kernel = layer.kernel;
  const a = readCommon(kernel, options);
  const engine = readEngine(options?.engine);
  const plan =
    a.padding === "circular"
      ? (engine === "dense" ? circularDenseGradientPlan : circularGradientPlan)(a.kernel, a.n, a.alpha, a.memoryLimit)
      : (engine === "dense" ? denseGradientPlan : structuredGradientPlan)(a.kernel, a.n, a.alpha, a.memoryLimit);
  const finish = (raw: Parameters<typeof plan.finish>[0]): PenaltyAndGradient => ({ ...plan.finish(raw as never), engine });
  return { ...plan, finish } as NativePlan<unknown, PenaltyAndGradient>;
}

function quarticPlanFor(kernel: unknown, direction: unknown, options: PenaltyOptions | undefined): NativePlan<unknown, Float64Array> {
  const layer = layerQuarticRoute(kernel, direction, options); if (layer.plan) return layer.plan; kernel = layer.kernel;
  const a = readCommon(kernel, options);
  const d = requireKernel(direction, "direction");
  if (d.shape.some((v, i) => v !== a.kernel.shape[i]))
    throw new ConvregRangeError("ERR_SHAPE", `direction must have the kernel's shape [${a.kernel.shape.join(", ")}], got [${d.shape.join(", ")}]`);
  if (a.padding === "circular")
    return circularLineQuarticPlan(a.kernel, d, a.n, a.alpha, readEngine(options?.engine) === "dense", a.memoryLimit) as NativePlan<unknown, Float64Array>;
  return lineQuarticPlan(a.kernel, d, a.n, a.alpha, readEngine(options?.engine), a.memoryLimit) as NativePlan<unknown, Float64Array>;
}

function spectrumPlanFor(kernel: unknown, options: SingularValueOptions | undefined): NativePlan<unknown, Float64Array> {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const padding = requireChoice(o.padding, "options.padding", PADDINGS, "zero");
  if (padding === "circular") {
    const method = requireChoice(o.method, "options.method", ["fft", "svd", "gram"], "fft");
    return (method === "fft" ? circularSpectrumPlan(k, n, o.memoryLimit) : circularDenseSpectrumPlan(k, n, method, o.memoryLimit)) as NativePlan<unknown, Float64Array>;
  }
  if (o.method === "fft")
    throw new ConvregRangeError("ERR_ARGUMENT", `options.method "fft" needs options.padding "circular" (the zero-padded M is not block circulant)`);
  const method = requireChoice(o.method, "options.method", ["svd", "gram"], "svd");
  return denseSpectrumPlan(k, n, method, o.memoryLimit) as NativePlan<unknown, Float64Array>;
}

type MatrixOptions = LayerOptions & { dense?: boolean };

function matrixPlanFor(kernel: unknown, options: MatrixOptions | undefined): NativePlan<unknown, SparseMatrix | DenseMatrix> {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  if (o.dense) {
    const plan = densePlan(k, n, o.memoryLimit);
    const [, , g, h] = k.shape;
    return { ...plan, finish: (raw) => ({ rows: h * n * n, cols: g * n * n, data: raw as Float64Array }) } as NativePlan<unknown, DenseMatrix>;
  }
  return sparsePlan(k, n, o.memoryLimit) as NativePlan<unknown, SparseMatrix>;
}

const withGradientOnly = (r: PenaltyAndGradient): Kernel => r.gradient;

/**
 * The matrix M with `vec(Y) = M vec(X)`: `h N^2` rows, `g N^2` columns. Row `c N^2 + r N + s`
 * is output pixel (r, s) of channel c; column `d N^2 + r N + s` is input pixel (r, s) of channel d.
 * Sparse CSR by default; `{ dense: true }` materializes it (memory-checked).
 */
export function transformMatrix(kernel: Kernel, options: LayerOptions & { dense: true }): DenseMatrix;
export function transformMatrix(kernel: Kernel, options: LayerOptions & { dense?: false }): SparseMatrix;
export function transformMatrix(kernel: Kernel, options: MatrixOptions): SparseMatrix | DenseMatrix {
  return runSync(matrixPlanFor(kernel, options));
}

/** Async form of {@link transformMatrix}. */
export function transformMatrixAsync(kernel: Kernel, options: LayerOptions & { dense: true }): Promise<DenseMatrix>;
export function transformMatrixAsync(kernel: Kernel, options: LayerOptions & { dense?: false }): Promise<SparseMatrix>;
export async function transformMatrixAsync(kernel: Kernel, options: MatrixOptions): Promise<SparseMatrix | DenseMatrix> {
  return runAsync(matrixPlanFor(kernel, options));
}

/** The paper's penalty F(K) = ||M^T M - alpha I||_F^2. */
export function penalty(kernel: Kernel, options: PenaltyOptions): number {
  return runSync(penaltyPlanFor(kernel, options));
}

/** Async form of {@link penalty}. */
export async function penaltyAsync(kernel: Kernel, options: PenaltyOptions): Promise<number> {
  return runAsync(penaltyPlanFor(kernel, options));
}

/** dF/dK by Theorem 3.1 (the full derivative, twice the paper's G). */
export function gradient(kernel: Kernel, options: PenaltyOptions): Kernel {
  return withGradientOnly(runSync(gradientPlanFor(kernel, options)));
}

/** Async form of {@link gradient}. */
export async function gradientAsync(kernel: Kernel, options: PenaltyOptions): Promise<Kernel> {
  return withGradientOnly(await runAsync(gradientPlanFor(kernel, options)));
}

/** F and dF/dK in one pass (they share the Gram matrix, of M or of the taps). */
export function penaltyAndGradient(kernel: Kernel, options: PenaltyOptions): PenaltyAndGradient {
  return runSync(gradientPlanFor(kernel, options));
}

/** Async form of {@link penaltyAndGradient}. */
export async function penaltyAndGradientAsync(kernel: Kernel, options: PenaltyOptions): Promise<PenaltyAndGradient> {
  return runAsync(gradientPlanFor(kernel, options));
}

/**
 * The exact quartic along a line: `c` (length 5) with `F(K + t D) = c[0] + c[1] t + ... + c[4] t^4`
 * for every real t, computed from the kernel and the direction (no sampling). `c[0] = F(K)`,
 * `c[1] = <dF/dK, D>`, `c[4] = ||M(D)^T M(D)||_F^2`. The structured engine's cost does not depend on N.
 * With `padding: "circular"` the coefficients come from per-frequency Gram polynomials of the
 * kernel's and the direction's 2-D DFTs (`engine: "dense"`: from the block-circulant M).
 */
export function lineQuartic(kernel: Kernel, direction: Kernel, options: PenaltyOptions): Float64Array {
  return runSync(quarticPlanFor(kernel, direction, options));
}

/** Async form of {@link lineQuartic}. */
export async function lineQuarticAsync(kernel: Kernel, direction: Kernel, options: PenaltyOptions): Promise<Float64Array> {
  return runAsync(quarticPlanFor(kernel, direction, options));
}

/** All `min(h N^2, g N^2)` singular values of M, descending. */
export function singularValues(kernel: Kernel, options: SingularValueOptions): Float64Array {
  return runSync(spectrumPlanFor(kernel, options));
}

/** Async form of {@link singularValues}. */
export async function singularValuesAsync(kernel: Kernel, options: SingularValueOptions): Promise<Float64Array> {
  return runAsync(spectrumPlanFor(kernel, options));
}
