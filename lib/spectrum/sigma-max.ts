/**
 * sigma_max(M) without M: Lanczos (full reorthogonalization, thick restarts) on the smaller
 * Gram operator, applied by convolutions in the native core. The result carries an error
 * bound from the true residual of the returned Ritz vector and a converged flag.
 */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { requireMemory } from "../core/memory.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import { ConvregRangeError, ConvregTypeError } from "../core/errors.js";
import { describe, requireInputSize, requireInteger, requireOptions, requirePositive } from "../core/validate.js";
import { requireSignal, throwIfAborted, withCancelToken, type NativeCancelToken } from "../core/abort.js";
import { operatorWorkBytes } from "../engines/operator.js";
import type { LayerOptions } from "../core/layer-options.js";
import { readLayerSpec, type LayerKindOptions, type LayerSpec } from "../core/layer-spec.js";
import { layerLanczosBytes, layerLanczosPlan, layerMatrixSize } from "../engines/layer-spectra.js";
import type { RawLanczos } from "../native/raw.js";

/** Default relative tolerance of the iterative sigma_max: stop when `sigmaMaxBound <= tolerance * sigmaMax`. */
export const DEFAULT_SIGMA_TOLERANCE = 1e-9;
/** Default cap on Gram products. */
export const DEFAULT_MAX_ITERATIONS = 5000;
/** Default number of Lanczos vectors kept (a thick restart keeps half of them). */
export const DEFAULT_BASIS_SIZE = 48;

/** Options of {@link sigmaMaxIterative}. */
export interface SigmaMaxOptions extends LayerOptions, LayerKindOptions {
  /** Relative tolerance on sigma_max (default 1e-9); must exceed the rounding floor (about 1e-13 for typical kernels). */
  tolerance?: number;
  /** Cap on Gram products (each is one `M` and one `M^T` application; default 5000; at least 2: one step and its residual check). */
  maxIterations?: number;
  /** Lanczos vectors kept in memory (default 48, at least 2). */
  basisSize?: number;
  /** Warm start on the Gram side (length `gramSize`), e.g. the `vector` of an earlier call. */
  start?: Float64Array;
  /** Aborts the computation (the Promise rejects with ERR_ABORTED). */
  signal?: AbortSignal;
}

/** The largest singular value of M with an a-posteriori error bound. */
export interface SigmaMaxResult {
  /** sqrt(theta), theta the Rayleigh quotient of `vector` on the Gram operator. */
  sigmaMax: number;
  /**
   * Absolute bound: with r the residual norm `||G y - theta y||` of the unit Ritz vector y on
   * the Gram operator G, and e a bound on rounding, G has an eigenvalue within r + e of theta,
   * so a singular value of M lies within `sqrt(theta) - sqrt(theta - r - e)` of sigmaMax.
   * That it is the largest one rests on the Krylov space (from a random or given start)
   * having found the top of the spectrum, as every Krylov method assumes; theta itself
   * never exceeds the true largest eigenvalue (beyond rounding).
   */
  sigmaMaxBound: number;
  /** True when `sigmaMaxBound <= tolerance * sigmaMax`; false means the cap was hit and the value is an estimate. */
  converged: boolean;
  /** Gram products used (one per Lanczos step, plus one per residual check). */
  iterations: number;
  /** Thick restarts performed. */
  restarts: number;
  /** The unit Ritz vector on the Gram side: a warm start for the next call (e.g. after a small kernel update). */
  vector: Float64Array;
  /** "outputs" when the Gram operator is M M^T (h < g, length h N^2), else "inputs" (M^T M, length g N^2). */
  side: "outputs" | "inputs";
}

/** Length of the Gram side for a kernel shape and input size. */
export function gramSize(kernel: Kernel, n: number): number {
  const [, , g, h] = kernel.shape;
  return Math.min(g, h) * n * n;
}

interface LanczosArgs {
  kernel: Kernel;
  n: number;
  tolerance: number;
  maxIterations: number;
  basisSize: number;
  start: Float64Array | null;
  signal?: AbortSignal;
  memoryLimit?: number;
  /** A strided / VALID / dilated / H x W / transposed layer: Lanczos on its sparse M's Gram. */
  layer?: LayerSpec;
}

/** The layer's spec when its options are not the paper's default (circular padding refused: its spectrum is exact by the DFT). */
export function readIterativeLayer(kernel: Kernel, options: LayerKindOptions & { n: number }, what: string): LayerSpec | undefined {
  const spec = readLayerSpec(kernel, options);
  if (options.padding === "circular")
    throw new ConvregRangeError(
      "ERR_ARGUMENT",
      `options.padding "circular" is not supported by ${what}; circular padding is exact by the kernel's DFT (spectrum with method "auto")`,
    );
  return spec;
}

function readArgs(kernel: unknown, options: SigmaMaxOptions | undefined): LanczosArgs {
  const kern = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const tolerance = o.tolerance === undefined ? DEFAULT_SIGMA_TOLERANCE : requirePositive(o.tolerance, "options.tolerance");
  if (tolerance >= 1) throw new ConvregRangeError("ERR_RANGE", `options.tolerance must be < 1 (it is relative), got ${tolerance}`);
  const maxIterations = o.maxIterations === undefined ? DEFAULT_MAX_ITERATIONS : requireInteger(o.maxIterations, "options.maxIterations", 2);
  const basisSize = o.basisSize === undefined ? DEFAULT_BASIS_SIZE : requireInteger(o.basisSize, "options.basisSize", 2, 100_000);
  const layer = readIterativeLayer(kern, o, "the iterative sigma_max");
  const side = layer ? Math.min(layerMatrixSize(kern, layer).rows, layerMatrixSize(kern, layer).cols) : gramSize(kern, n);
  let start: Float64Array | null = null;
  if (o.start !== undefined) {
    if (!(o.start instanceof Float64Array)) throw new ConvregTypeError("ERR_ARGUMENT", `options.start must be a Float64Array, got ${describe(o.start)}`);
    if (o.start.length !== side)
      throw new ConvregRangeError("ERR_SHAPE", `options.start has ${o.start.length} entries but the Gram side ${layer ? "min(rows, cols)" : "min(g, h) N^2"} is ${side}`);
    let norm = 0;
    for (let i = 0; i < side; i++) {
      if (!Number.isFinite(o.start[i])) throw new ConvregRangeError("ERR_NONFINITE", `options.start[${i}] must be finite, got ${o.start[i]}`);
      norm += o.start[i] * o.start[i];
    }
    if (norm === 0) throw new ConvregRangeError("ERR_RANGE", "options.start must not be the zero vector");
    start = o.start;
  }
  return { kernel: kern, n, tolerance, maxIterations, basisSize, start, signal: requireSignal(o.signal), memoryLimit: o.memoryLimit, layer };
}

/** Bytes of one Lanczos run: the basis, the restart block, a few work vectors and the operator's buffers. */
export function lanczosBytes(kernel: Kernel, n: number, basisSize: number): number {
  const side = gramSize(kernel, n);
  const m = Math.min(basisSize, side);
  const [, , g, h] = kernel.shape;
  return 8 * (m + Math.floor(m / 2) + 8) * side + 8 * Math.max(g, h) * n * n + operatorWorkBytes(kernel, n, 1) + 16 * m * m;
}

/**
 * Bytes the memory guard of {@link sigmaMaxIterative} would check for these options (the layer's
 * sparse Gram operator, or the matrix-free paper's layer), without allocating anything. Validates
 * the options as the call would; a grouped layer is split by the caller (one group's kernel).
 */
export function sigmaMaxIterativeBytes(kernel: Kernel, options: SigmaMaxOptions): number {
  const a = readArgs(kernel, options);
  return a.layer ? layerLanczosBytes(a.kernel, a.layer, a.basisSize) : lanczosBytes(a.kernel, a.n, a.basisSize);
}

function fromRaw(raw: RawLanczos, side: SigmaMaxResult["side"]): SigmaMaxResult {
  return { sigmaMax: raw.sigma, sigmaMaxBound: raw.sigmaBound, converged: raw.converged, iterations: raw.iterations, restarts: raw.restarts, vector: raw.vector, side };
}

function plan(a: LanczosArgs, token: NativeCancelToken | undefined): NativePlan<"sigmaMaxLanczos" | "layerSigmaMaxLanczos", SigmaMaxResult> {
  if (a.layer) {
    const { rows, cols } = layerMatrixSize(a.kernel, a.layer);
    const p = layerLanczosPlan(a.kernel, a.layer, { ...a, limit: a.memoryLimit }, token);
    return { ...p, finish: (raw: RawLanczos) => fromRaw(raw, rows < cols ? "outputs" : "inputs") };
  }
  const [k, , g, h] = a.kernel.shape;
  requireMemory(lanczosBytes(a.kernel, a.n, a.basisSize), `Lanczos for sigma_max at N = ${a.n} (basis of ${a.basisSize} vectors)`, a.memoryLimit);
  return {
    fn: "sigmaMaxLanczos",
    args: [a.kernel.data, k, g, h, a.n, a.start, a.tolerance, a.maxIterations, a.basisSize, token],
    finish: (raw) => fromRaw(raw, h < g ? "outputs" : "inputs"),
  };
}

/**
 * sigma_max(M) by Lanczos on the smaller Gram operator (`M M^T` when h < g, else `M^T M`),
 * never forming M. Cost per step: one `M` and one `M^T` application (k^2 gemms each) plus
 * the reorthogonalization. Never reports an unconverged value as converged: check `converged`.
 * The sync form cannot be interrupted once started; use {@link sigmaMaxIterativeAsync} with a signal.
 */
export function sigmaMaxIterative(kernel: Kernel, options: SigmaMaxOptions): SigmaMaxResult {
  const a = readArgs(kernel, options);
  throwIfAborted(a.signal);
  return runSync(plan(a, undefined));
}

/** Async form of {@link sigmaMaxIterative}: runs off the main thread; `options.signal` aborts it between iterations. */
export async function sigmaMaxIterativeAsync(kernel: Kernel, options: SigmaMaxOptions): Promise<SigmaMaxResult> {
  const a = readArgs(kernel, options);
  return withCancelToken(a.signal, (token) => runAsync(plan(a, token)));
}
