/**
 * One entry point for the spectrum of M: dense SVD where it fits in memory, Lanczos for
 * sigma_max beyond, or nothing. Every value comes with its error bound.
 *
 * Adding a method: resolve it in `resolveMethod`, then add a branch to `spectrumSync` /
 * `spectrumAsyncImpl`. The iterative sigma_min (issue 5) plugs into `iterativeSigmaMin`.
 */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { ConvregRangeError, isConvregError } from "../core/errors.js";
import { runAsync, runSync } from "../native/plan.js";
import { denseSpectrumPlan, matrixSize } from "../engines/dense.js";
import { requireChoice, requireInputSize, requireOptions, requirePositive } from "../core/validate.js";
import { requireSignal, throwIfAborted } from "../core/abort.js";
import { sigmaMaxIterative, sigmaMaxIterativeAsync, type SigmaMaxOptions, type SigmaMaxResult } from "./sigma-max.js";
import type { SpectrumMethod, SpectrumOptions, Spectrum, SigmaMinPart } from "./types.js";
import { PADDINGS, type Padding } from "../engines/circular.js";
import { circularSpectrumPlanFor, fromValues } from "./circular.js";
import { sigmaMaxUpperBound, sigmaMaxUpperBoundAsync, spectrumSymbolOptions, type SymbolBoundOptions } from "./symbol-bound.js";
import { sigmaMin, sigmaMinAsync, type SigmaMinOptions, type SigmaMinResult, type SigmaMinRounding } from "./sigma-min.js";

export type { SpectrumMethod, SpectrumOptions, Spectrum, SigmaMinPart } from "./types.js";

const unknownSigmaMin: SigmaMinPart = { sigmaMin: null, sigmaMinLower: null, sigmaMinUpper: null, sigmaMinCertified: false, sigmaMinBound: "none" };

interface SpectrumArgs {
  kernel: Kernel;
  n: number;
  method: SpectrumMethod;
  options: SpectrumOptions;
  padding: Padding;
}

function readArgs(kernel: unknown, options: SpectrumOptions | undefined): SpectrumArgs {
  const kern = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const method = requireChoice(o.method, "options.method", ["auto", "dense", "iterative", "certified", "none"], "auto");
  requireSignal(o.signal);
  const padding = requireChoice(o.padding, "options.padding", PADDINGS, "zero");
  requireChoice<SigmaMinRounding>(o.rounding, "options.rounding", ["worst-case", "probabilistic"], "worst-case");
  if (padding === "circular" && method === "certified")
    throw new ConvregRangeError("ERR_ARGUMENT", `options.method "certified" supports options.padding "zero" only; circular padding is exact by the kernel's DFT (method "auto")`);
  return { kernel: kern, n, method, options: o, padding };
}

/**
 * Default `denseWorkLimit` of "auto": 2^34, a dgesvd of about 10 s on one core here (the paper's
 * 2400 x 1200 M, work 3.5e9, takes 0.7-1.5 s), so "auto" never starts an SVD that takes minutes.
 */
export const AUTO_DENSE_WORK_LIMIT = 2 ** 34;

/** Work of the dense SVD of M at size n: rows x cols x min(rows, cols). */
export function denseSvdWork(kernel: Kernel, n: number): number {
  const [, , g, h] = kernel.shape;
  const rows = h * n * n;
  const cols = g * n * n;
  return rows * cols * Math.min(rows, cols);
}

function densePlanFor(a: SpectrumArgs) {
  return denseSpectrumPlan(a.kernel, a.n, "svd", a.options.memoryLimit);
}

/** The method `spectrum` will run, and why "auto" left the dense one (null when it did not). */
export interface ResolvedSpectrumMethod {
  method: "dense" | "iterative" | "certified" | "circular-fft" | "none";
  /** Why "auto" fell back to "iterative": the memory guard's message, or the work over the limit. */
  fallbackReason: string | null;
}

/**
 * Resolves `options.method` as {@link spectrum} will: "auto" is "dense" when the dense SVD
 * passes the memory guard, else "iterative"; with circular padding it is "circular-fft".
 * Throws what `spectrum` would throw for invalid options.
 */
export function resolveSpectrumMethod(kernel: Kernel, options: SpectrumOptions): ResolvedSpectrumMethod {
  const a = readArgs(kernel, options);
  if (a.padding === "circular" && a.method !== "none") {
    circularSpectrumPlanFor(a.kernel, a.n, a.method, a.options.memoryLimit); // validates, checks memory
    return { method: a.method === "dense" ? "dense" : "circular-fft", fallbackReason: null };
  }
  return resolveMethod(a);
}

/** "auto" resolves to "dense" when the dense SVD passes the memory guard and the work limit, else "iterative". */
function resolveMethod(a: SpectrumArgs): ResolvedSpectrumMethod & { method: "dense" | "iterative" | "certified" | "none" } {
  if (a.method !== "auto") return { method: a.method, fallbackReason: null };
  const workLimit = a.options.denseWorkLimit === undefined ? AUTO_DENSE_WORK_LIMIT : requirePositive(a.options.denseWorkLimit, "options.denseWorkLimit");
  const work = denseSvdWork(a.kernel, a.n);
  if (work > workLimit)
    return { method: "iterative", fallbackReason: `the dense SVD would cost ${work.toExponential(2)} (rows x cols x min), over the limit of ${workLimit.toExponential(2)}` };
  try {
    densePlanFor(a);
    return { method: "dense", fallbackReason: null };
  } catch (e) {
    if (isConvregError(e) && e.code === "ERR_MEMORY_LIMIT") return { method: "iterative", fallbackReason: e.message };
    throw e;
  }
}

function fromDense(a: SpectrumArgs, values: Float64Array): Spectrum {
  const { rows, cols } = matrixSize(a.kernel, a.n);
  return fromValues("dense", values, 4 * Number.EPSILON * values[0] * Math.sqrt(rows * cols));
}

function fromIterative(top: SigmaMaxResult, bottom: SigmaMinPart, extraIterations = 0, method = "iterative"): Spectrum {
  const { sigmaMinBound, ...sigmaMinValues } = bottom;
  return {
    method,
    sigmaMax: top.sigmaMax,
    sigmaMaxBound: top.sigmaMaxBound,
    sigmaMaxConverged: top.converged,
    ...sigmaMinValues,
    bound: { sigmaMax: "probabilistic", sigmaMin: sigmaMinBound },
    values: null,
    iterations: top.iterations + extraIterations,
  };
}

const none: Spectrum = {
  method: "none",
  sigmaMax: Number.NaN,
  sigmaMaxBound: Number.POSITIVE_INFINITY,
  sigmaMaxConverged: false,
  sigmaMin: null,
  sigmaMinLower: null,
  sigmaMinUpper: null,
  sigmaMinCertified: false,
  bound: { sigmaMax: "none", sigmaMin: "none" },
  values: null,
  iterations: 0,
};

/** "auto" when even Lanczos is over the memory limit: sigma_max in the proven bracket [0, symbol upper]. */
function symbolOnly(upper: number): Spectrum {
  return { ...none, method: "symbol", sigmaMax: 0, sigmaMaxBound: upper, bound: { sigmaMax: "proven", sigmaMin: "none" }, sigmaMaxUpper: upper };
}

/** The symbol bound's options in `spectrum`: a capped search under the call's memory limit. */
function symbolOptions(a: SpectrumArgs): SymbolBoundOptions {
  return { ...spectrumSymbolOptions(a.kernel), memoryLimit: a.options.memoryLimit };
}

/** The symbol's upper value is an addition to Lanczos: null when its search is over the memory limit. */
function symbolUpper(run: () => number): number | null {
  try {
    return run();
  } catch (e) {
    if (isConvregError(e) && e.code === "ERR_MEMORY_LIMIT") return null;
    throw e;
  }
}

async function symbolUpperAsync(run: () => Promise<number>): Promise<number | null> {
  try {
    return await run();
  } catch (e) {
    if (isConvregError(e) && e.code === "ERR_MEMORY_LIMIT") return null;
    throw e;
  }
}

function lanczosOptions(a: SpectrumArgs): SigmaMaxOptions {
  const o = a.options;
  return { n: a.n, tolerance: o.tolerance, maxIterations: o.maxIterations, signal: o.signal, memoryLimit: o.memoryLimit };
}

/** The "certified" method's sigma_min: shift-invert on a CHOLMOD Cholesky ({@link sigmaMin}). */
function sigmaMinOptions(a: SpectrumArgs): SigmaMinOptions {
  const o = a.options;
  return { n: a.n, memoryLimit: o.memoryLimit, factorMemoryLimit: o.factorMemoryLimit, rounding: o.rounding, signal: o.signal };
}

function sigmaMinPart(r: SigmaMinResult): SigmaMinPart {
  return { sigmaMin: r.sigmaMin, sigmaMinLower: r.lower, sigmaMinUpper: r.upper, sigmaMinCertified: r.certified, sigmaMinBound: r.bound };
}

async function iterativeSigmaMin(a: SpectrumArgs): Promise<SigmaMinPart> {
  return sigmaMinPart(await sigmaMinAsync(a.kernel, sigmaMinOptions(a)));
}

function iterativeSigmaMinSync(a: SpectrumArgs): SigmaMinPart {
  return sigmaMinPart(sigmaMin(a.kernel, sigmaMinOptions(a)));
}

/**
 * Extreme singular values of M with error bounds.
 * - "dense": every singular value by LAPACK dgesvd on the materialized M (memory-checked).
 * - "iterative": sigma_max by Lanczos on the smaller Gram operator (no M; see
 *   {@link sigmaMaxIterative}); sigma_min is null.
 * - "certified": "iterative" plus sigma_min with a bracket by shift-invert on a CHOLMOD
 *   Cholesky of the smaller Gram matrix ({@link sigmaMin}), proven under the default worst-case
 *   rounding (`bound.sigmaMin`); heavy at large sizes.
 * - "auto" (default): "dense" when its memory estimate fits `memoryLimit` and its work fits
 *   `denseWorkLimit`, else "iterative"; when even Lanczos is over `memoryLimit`, "symbol": sigma_max
 *   in the proven bracket [0, sigmaMaxUpper].
 * - "iterative" and "certified" add `sigmaMaxUpper`, the kernel symbol's proven upper value
 *   ({@link sigmaMaxUpperBound}): [sigmaMax, sigmaMaxUpper] is a bracket.
 * - "none": nothing is computed (sigmaMax NaN, bound Infinity).
 * - `padding: "circular"`: "auto" gives "circular-fft", every value exact to rounding from the
 *   kernel's 2-D DFT and one small SVD per frequency; "dense" uses the block-circulant M.
 */
export function spectrum(kernel: Kernel, options: SpectrumOptions): Spectrum {
  const a = readArgs(kernel, options);
  throwIfAborted(a.options.signal);
  if (a.padding === "circular" && a.method !== "none") return runSync(circularSpectrumPlanFor(a.kernel, a.n, a.method, a.options.memoryLimit));
  const { method } = resolveMethod(a);
  if (method === "none") return { ...none };
  if (method === "dense") return fromDense(a, runSync(densePlanFor(a)));
  let top: SigmaMaxResult;
  try {
    top = sigmaMaxIterative(a.kernel, lanczosOptions(a));
  } catch (e) {
    const upper = a.method === "auto" && isConvregError(e) && e.code === "ERR_MEMORY_LIMIT" ? symbolUpper(() => sigmaMaxUpperBound(a.kernel, symbolOptions(a)).upper) : null;
    if (upper === null) throw e;
    return symbolOnly(upper);
  }
  const upper = symbolUpper(() => sigmaMaxUpperBound(a.kernel, symbolOptions(a)).upper);
  if (method === "iterative") return { ...fromIterative(top, unknownSigmaMin), sigmaMaxUpper: upper };
  return { ...fromIterative(top, iterativeSigmaMinSync(a), 0, "certified"), sigmaMaxUpper: upper };
}

/** Async form of {@link spectrum}: runs off the main thread; `options.signal` aborts the iterative method. */
export async function spectrumAsync(kernel: Kernel, options: SpectrumOptions): Promise<Spectrum> {
  const a = readArgs(kernel, options);
  throwIfAborted(a.options.signal);
  if (a.padding === "circular" && a.method !== "none") return runAsync(circularSpectrumPlanFor(a.kernel, a.n, a.method, a.options.memoryLimit));
  const { method } = resolveMethod(a);
  if (method === "none") return { ...none };
  if (method === "dense") {
    const values = await runAsync(densePlanFor(a));
    throwIfAborted(a.options.signal);
    return fromDense(a, values);
  }
  let top: SigmaMaxResult;
  try {
    top = await sigmaMaxIterativeAsync(a.kernel, lanczosOptions(a));
  } catch (e) {
    const upper =
      a.method === "auto" && isConvregError(e) && e.code === "ERR_MEMORY_LIMIT"
        ? await symbolUpperAsync(async () => (await sigmaMaxUpperBoundAsync(a.kernel, symbolOptions(a))).upper)
        : null;
    if (upper === null) throw e;
    return symbolOnly(upper);
  }
  const upper = await symbolUpperAsync(async () => (await sigmaMaxUpperBoundAsync(a.kernel, symbolOptions(a))).upper);
  throwIfAborted(a.options.signal);
  if (method === "iterative") return { ...fromIterative(top, unknownSigmaMin), sigmaMaxUpper: upper };
  return { ...fromIterative(top, await iterativeSigmaMin(a), 0, "certified"), sigmaMaxUpper: upper };
}
