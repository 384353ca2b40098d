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
import type { Padding } from "../engines/circular.js";
import { circularSpectrumPlanFor } from "./circular.js";
import { fromValues } from "./from-values.js";
import { sigmaMaxUpperBound, sigmaMaxUpperBoundAsync, spectrumSymbolOptions, type SymbolBoundOptions } from "./symbol-bound.js";
import { LAYER_PADDINGS, readLayerSpec, type LayerKindOptions, type LayerSpec } from "../core/layer-spec.js";
import { layerMatrixSize, layerSvdWork, layerValuesPlan } from "../engines/layer-spectra.js";
import { requireGramTolerance, routeValues, routeValuesAsync, type RoutedValues, type ValuesRoutes } from "./values-route.js";
import { pointwiseSpectrum } from "./pointwise.js";
import { sigmaMin, sigmaMinAsync, type SigmaMinOptions, type SigmaMinResult, type SigmaMinRounding } from "./sigma-min.js";

import { eachGroup, eachGroupAsync, readGroupCall } from "../core/groups.js";
import { combineSpectra } from "./group-spectrum.js";

export type { SpectrumMethod, SpectrumOptions, Spectrum, SigmaMinPart, DenseRoute } from "./types.js";

const unknownSigmaMin: SigmaMinPart = { sigmaMin: null, sigmaMinLower: null, sigmaMinUpper: null, sigmaMinCertified: false, sigmaMinBound: "none" };

interface SpectrumArgs {
  kernel: Kernel;
  n: number;
  method: SpectrumMethod;
  options: SpectrumOptions;
  padding: Padding;
  /** A strided / VALID / dilated / H x W / transposed layer (not circular), else undefined. */
  layer?: LayerSpec;
}

function readArgs(kernel: unknown, options: SpectrumOptions | undefined): SpectrumArgs {
  const kern = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const method = requireChoice(o.method, "options.method", ["auto", "dense", "iterative", "certified", "pointwise", "none"], "auto");
  if (method === "pointwise" && kern.shape[0] !== 1)
    throw new ConvregRangeError("ERR_ARGUMENT", `options.method "pointwise" needs a 1 x 1 kernel (k = 1), got k = ${kern.shape[0]}`);
  requireSignal(o.signal);
  const padding = requireChoice(o.padding, "options.padding", LAYER_PADDINGS, "zero");
  requireChoice<SigmaMinRounding>(o.rounding, "options.rounding", ["worst-case", "probabilistic"], "worst-case");
  requireChoice(o.denseMethod, "options.denseMethod", ["auto", "svd", "gram"], "auto");
  requireGramTolerance(o.gramTolerance, "options.gramTolerance");
  if (padding === "circular" && method === "certified")
    throw new ConvregRangeError("ERR_ARGUMENT", `options.method "certified" supports options.padding "zero" only; circular padding is exact by the kernel's DFT (method "auto")`);
  // A transposed circular layer has the forward one's singular values: the circular route serves it.
  const spec = readLayerSpec(kern, o);
  const layer = spec && padding !== "circular" ? spec : undefined;
  return { kernel: kern, n, method, options: o, padding: padding === "circular" ? "circular" : "zero", layer };
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

function densePlanFor(a: SpectrumArgs, method: "svd" | "gram" = "svd") {
  return a.layer ? layerValuesPlan(a.kernel, a.layer, method, a.options.memoryLimit) : denseSpectrumPlan(a.kernel, a.n, method, a.options.memoryLimit);
}

/** The two dense routes of the call's M (values-route.ts picks one). */
function denseRoutes(a: SpectrumArgs): ValuesRoutes<"layerSingularValues" | "denseSingularValues"> {
  const { rows, cols } = a.layer ? layerMatrixSize(a.kernel, a.layer) : matrixSize(a.kernel, a.n);
  return { gram: () => densePlanFor(a, "gram"), svd: () => densePlanFor(a, "svd"), rows, cols };
}

const denseMethodOf = (a: SpectrumArgs) => requireChoice(a.options.denseMethod, "options.denseMethod", ["auto", "svd", "gram"], "auto");
const gramToleranceOf = (a: SpectrumArgs) => requireGramTolerance(a.options.gramTolerance, "options.gramTolerance");

/** The layer options passed on to the iterative sigma_max and sigma_min. */
function layerOptions(a: SpectrumArgs): LayerKindOptions {
  const o = a.options;
  return a.layer ? { stride: o.stride, padding: o.padding, dilation: o.dilation, width: o.width, transposed: o.transposed } : {};
}

/** "pointwise" asked for, or "auto" on a 1 x 1 kernel (circular padding goes to its exact DFT route first). */
function usesPointwise(a: SpectrumArgs): boolean {
  return a.method === "pointwise" || (a.method === "auto" && a.kernel.shape[0] === 1);
}

/** The paper's layer as a spec (stride 1, SAME, square). */
function squareLayer(n: number): LayerSpec {
  return { height: n, width: n, stride: 1, dilation: 1, padding: "zero", transposed: false };
}

/** The method `spectrum` will run, and why "auto" left the dense one (null when it did not). */
export interface ResolvedSpectrumMethod {
  method: "dense" | "iterative" | "certified" | "circular-fft" | "pointwise" | "none";
  /** Why "auto" fell back to "iterative": the memory guard's message, or the work over the limit. */
  fallbackReason: string | null;
}

/**
 * Resolves `options.method` as {@link spectrum} will: "auto" is "dense" when the dense SVD
 * passes the memory guard, else "iterative"; with circular padding it is "circular-fft".
 * Throws what `spectrum` would throw for invalid options.
 */
export function resolveSpectrumMethod(kernel: Kernel, options: SpectrumOptions): ResolvedSpectrumMethod {
  // A grouped layer's spectrum runs per group, all groups of one shape: the first one's method is every group's.
  const groups = readGroupCall(kernel, options);
  if (groups) return resolveSpectrumMethod(groups.kernels[0], groups.options);
  const a = readArgs(kernel, options);
  if (a.padding === "circular" && a.method !== "none" && a.method !== "pointwise") {
    circularSpectrumPlanFor(a.kernel, a.n, a.method, a.options.memoryLimit); // validates, checks memory
    return { method: a.method === "dense" ? "dense" : "circular-fft", fallbackReason: null };
  }
  if (usesPointwise(a)) return { method: "pointwise", fallbackReason: null };
  return resolveMethod(a);
}

/** "auto" resolves to "dense" when the dense SVD passes the memory guard and the work limit, else "iterative". */
function resolveMethod(a: SpectrumArgs): ResolvedSpectrumMethod & { method: "dense" | "iterative" | "certified" | "none" } {
  if (a.method === "pointwise") throw new Error("convreg internal: the pointwise method is routed before resolveMethod");
  if (a.method !== "auto") return { method: a.method, fallbackReason: null };
  const workLimit = a.options.denseWorkLimit === undefined ? AUTO_DENSE_WORK_LIMIT : requirePositive(a.options.denseWorkLimit, "options.denseWorkLimit");
  const work = a.layer ? layerSvdWork(a.kernel, a.layer) : denseSvdWork(a.kernel, a.n);
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

/** A dense spectrum: the extremes' bounds are those of the route that ran (svd: one bound for every value). */
function fromDense(r: RoutedValues, gramTolerance: number): Spectrum {
  const last = r.values.length - 1;
  const base = fromValues("dense", r.values, r.errorBounds[0]);
  const minBound = r.errorBounds[last];
  const sigmaMin = r.values[last];
  const route = { method: r.method, errorBounds: r.errorBounds, relativeErrorBound: r.relativeErrorBound, gramTolerance, gramRelativeBound: r.gramRelativeBound };
  return { ...base, sigmaMinLower: Math.max(0, sigmaMin - minBound), sigmaMinUpper: sigmaMin + minBound, denseRoute: route };
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
  // Every layer kind's M is a submatrix of the bi-infinite strided (dilated) convolution, whose norm
  // the symbol bounds whatever the padding phase, H, W or transposition.
  const layer = a.layer ? { stride: a.layer.stride, dilation: a.layer.dilation } : {};
  return { ...spectrumSymbolOptions(a.kernel), ...layer, memoryLimit: a.options.memoryLimit };
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
  return { n: a.n, tolerance: o.tolerance, maxIterations: o.maxIterations, signal: o.signal, memoryLimit: o.memoryLimit, ...layerOptions(a) };
}

/** The "certified" method's sigma_min: shift-invert on a CHOLMOD Cholesky ({@link sigmaMin}). */
function sigmaMinOptions(a: SpectrumArgs): SigmaMinOptions {
  const o = a.options;
  return { n: a.n, memoryLimit: o.memoryLimit, factorMemoryLimit: o.factorMemoryLimit, rounding: o.rounding, signal: o.signal, ...layerOptions(a) };
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
 * - "dense": every singular value (memory-checked): with `denseMethod` "auto" (default) the smaller
 *   Gram matrix's eigenvalues when their stated bound gives every value to `gramTolerance` (default
 *   1e-10 relative), else LAPACK dgesdd on the materialized M; `denseRoute` says which ran.
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
  const groups = readGroupCall(kernel, options);
  if (groups) return combineSpectra(eachGroup(groups.kernels, (k) => spectrum(k, groups.options)));
  const a = readArgs(kernel, options);
  throwIfAborted(a.options.signal);
  if (a.padding === "circular" && a.method !== "none" && a.method !== "pointwise") return runSync(circularSpectrumPlanFor(a.kernel, a.n, a.method, a.options.memoryLimit));
  if (usesPointwise(a)) return pointwiseSpectrum(a.kernel, a.layer ?? squareLayer(a.n), a.options.memoryLimit);
  const { method } = resolveMethod(a);
  if (method === "none") return { ...none };
  if (method === "dense") return fromDense(routeValues(denseRoutes(a), denseMethodOf(a), gramToleranceOf(a)), gramToleranceOf(a));
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
  const groups = readGroupCall(kernel, options);
  if (groups) return combineSpectra(await eachGroupAsync(groups.kernels, (k) => spectrumAsync(k, groups.options)));
  const a = readArgs(kernel, options);
  throwIfAborted(a.options.signal);
  if (a.padding === "circular" && a.method !== "none" && a.method !== "pointwise") return runAsync(circularSpectrumPlanFor(a.kernel, a.n, a.method, a.options.memoryLimit));
  if (usesPointwise(a)) return pointwiseSpectrum(a.kernel, a.layer ?? squareLayer(a.n), a.options.memoryLimit);
  const { method } = resolveMethod(a);
  if (method === "none") return { ...none };
  if (method === "dense") {
    const routed = await routeValuesAsync(denseRoutes(a), denseMethodOf(a), gramToleranceOf(a));
    throwIfAborted(a.options.signal);
    return fromDense(routed, gramToleranceOf(a));
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
