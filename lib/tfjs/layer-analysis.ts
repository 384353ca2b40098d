/**
 * The per-layer numbers of `convreg report`: penalty, extreme singular values and condition
 * number of one conv layer's M at a given N. The spectrum comes from `spectrum` with its "auto"
 * rule (dense SVD when it fits the memory and work limits), under the report's smaller default
 * work limit; past it, "certified" (loose Lanczos for sigma_max, bracketed by the kernel symbol's
 * proven bound, and the shift-invert sigma_min) while the Gram order fits the Cholesky limit, else
 * "iterative": sigma_max in the bracket [Lanczos on a smaller input whose M is a submatrix of M,
 * symbol bound] at a cost independent of N (MATH.md §10), sigma_min not computed.
 * The penalty always comes from the structured engine (cost independent of N).
 */
import { isConvregError } from "../core/errors.js";
import { requireLayerSupport, type LayerShapeOptions } from "../core/layer-support.js";
import type { Kernel } from "../core/kernel.js";
import { penaltyAsync, type PenaltyOptions } from "../penalty/frobenius.js";
import type { BoundKind } from "../spectrum/sigma-min.js";
import { denseSvdWork, resolveSpectrumMethod, spectrumAsync, type ResolvedSpectrumMethod } from "../spectrum/spectrum.js";
import type { Spectrum, SpectrumOptions } from "../spectrum/types.js";
import { readGroupCall, readGroups } from "../core/groups.js";
import { formatBytes, getMemoryLimit } from "../core/memory.js";
import { sigmaMaxIterativeBytes } from "../spectrum/sigma-max.js";
import { requireInteger } from "../core/validate.js";
import { outputSize } from "../core/layer-spec.js";
import { submatrixLength, submatrixTarget } from "../spectrum/submatrix-size.js";

/** The spectrum method that ran for a layer (the names of `SpectrumMethod`). */
export type LayerSpectrumMethod = Exclude<ResolvedSpectrumMethod["method"], "none" | "circular-fft">;

/** The numbers reported for one layer. */
export interface LayerAnalysis {
  n: number;
  /** F = ||M^T M - alpha I||_F^2 (structured engine, exact). */
  penalty: number;
  sigmaMax: number;
  /** Absolute error bound on sigmaMax. */
  sigmaMaxBound: number;
  /** A proven upper bound on sigma_max (the kernel symbol's supremum) when the spectrum gives one, else null. */
  sigmaMaxUpper: number | null;
  /** sigma_min, or null when it could not be computed (see methodNote). */
  sigmaMin: number | null;
  /** Proven bracket of sigma_min, when there is one. */
  sigmaMinLower: number | null;
  sigmaMinUpper: number | null;
  /** Where the sigma_min bracket comes from, e.g. "dense: all singular values by dgesdd, ..." or "cholesky", or null. */
  sigmaMinCertificate: string | null;
  /** What stands behind that bracket: "proven", "probabilistic" (an estimate) or "none". */
  sigmaMinBound: BoundKind;
  conditionNumber: number | null;
  method: LayerSpectrumMethod;
  /** What ran and why this method. */
  methodNote: string;
}

/** Options of {@link analyzeLayer}. */
export interface LayerAnalysisOptions {
  n: number;
  alpha?: number;
  /**
   * Largest dense SVD, in units of rows x cols x min(rows, cols) of M (default
   * {@link REPORT_DENSE_WORK_LIMIT}): `spectrum`'s `denseWorkLimit`; larger layers use the iterative methods.
   */
  denseWorkLimit?: number;
  memoryLimit?: number;
  signal?: AbortSignal;
  /** The layer's own options (stride, padding, dilation, width, groups, depthwise, transposed); default the paper's layer. */
  layer?: LayerShapeOptions;
  /** Largest Gram order whose sparse Cholesky (certified sigma_min) runs (default {@link REPORT_CHOLESKY_ORDER_LIMIT}). */
  choleskyOrderLimit?: number;
  /** Output positions per axis of the smaller layer past that limit (default {@link REPORT_SUBMATRIX_OUTPUTS}). */
  submatrixOutputs?: number;
  /** Route of a dense spectrum, as `spectrum`'s `denseMethod` (default "auto"). */
  denseMethod?: "auto" | "svd" | "gram";
  /** Relative accuracy "auto" demands of every Gram value, as `spectrum`'s `gramTolerance` (default 1e-10). */
  gramTolerance?: number;
}

/** The penalty of a layer with its own options (ERR_ARGUMENT "not supported yet" for kinds the penalty does not handle yet). */
export async function layerPenalty(kernel: Kernel, options: { n: number; alpha: number; memoryLimit?: number; layer?: LayerShapeOptions }): Promise<number> {
  const { n, alpha, memoryLimit } = options;
  const layer = options.layer ?? {};
  requireLayerSupport("penalty", { ...layer, n });
  return penaltyAsync(kernel, { ...layer, n, alpha, engine: "auto", memoryLimit } as PenaltyOptions);
}

/**
 * The report's default `denseWorkLimit` for `spectrum`'s "auto": about 2 s of dense SVD on one core
 * (a 1024 x 1024 M, e.g. 64 channels at N = 4), smaller than `spectrum`'s own default because a
 * model has many layers.
 */
export const REPORT_DENSE_WORK_LIMIT = 2 ** 30;

/** Report default: relative Lanczos tolerance on sigma_max (its proven upper end is the symbol bound). */
export const REPORT_SIGMA_MAX_TOLERANCE = 1e-3;
/** Report default: cap on Lanczos Gram products for sigma_max. */
export const REPORT_SIGMA_MAX_PRODUCTS = 40;
/** Report default: largest Gram order whose sparse Cholesky (certified sigma_min) is run. */
export const REPORT_CHOLESKY_ORDER_LIMIT = 20000;
/**
 * Report default: output positions per axis of the smaller layer whose sigma_max is the lower end of
 * the bracket when the Cholesky is not run (its M is a submatrix of the layer's M, so the cost does not grow with N).
 */
export const REPORT_SUBMATRIX_OUTPUTS = 32;

/**
 * Penalty from all singular values: the eigenvalues of M^T M are sigma_i^2 plus
 * (gN^2 - r) zeros, so F = sum (sigma_i^2 - alpha)^2 + alpha^2 (gN^2 - r).
 */
export function penaltyFromSingularValues(sigma: Float64Array, columns: number, alpha: number): number {
  let f = alpha * alpha * (columns - sigma.length);
  for (const s of sigma) f += (s * s - alpha) ** 2;
  return f;
}

/** Penalty, sigma_max, sigma_min and condition number of one layer at size n. */
export async function analyzeLayer(kernel: Kernel, options: LayerAnalysisOptions): Promise<LayerAnalysis> {
  const { n, memoryLimit, signal } = options;
  const alpha = options.alpha ?? 1;
  const choleskyLimit = options.choleskyOrderLimit === undefined ? REPORT_CHOLESKY_ORDER_LIMIT : requireInteger(options.choleskyOrderLimit, "options.choleskyOrderLimit", 0);
  const outputs = options.submatrixOutputs === undefined ? REPORT_SUBMATRIX_OUTPUTS : requireInteger(options.submatrixOutputs, "options.submatrixOutputs", 1);
  const [, , g, h] = kernel.shape;
  const layer = options.layer ?? {};
  const size = matrixSizeText(kernel, n, layer);
  const penalty = await layerPenalty(kernel, { n, alpha, memoryLimit, layer: options.layer });
  requireLayerSupport("spectrum", { ...layer, n });
  const { padding, ...kind } = layer;
  // The layer's options go to spectrum as they are ("valid" is its padding; the dense and iterative engines take it once they support it).
  const base = {
    ...kind,
    ...(padding === "valid" ? { padding } : {}),
    n,
    memoryLimit,
    signal,
    denseWorkLimit: options.denseWorkLimit ?? REPORT_DENSE_WORK_LIMIT,
    denseMethod: options.denseMethod,
    gramTolerance: options.gramTolerance,
  } as SpectrumOptions;
  const { method } = resolveSpectrumMethod(kernel, { ...base, method: "auto" });
  // A layer within the work limit whose dense SVD does not fit the memory limit is refused with
  // ERR_MEMORY_LIMIT (the report's "failed" row), as before, rather than silently degraded.
  if (method === "pointwise") {
    const s = await spectrumAsync(kernel, { ...base, method: "pointwise" });
    return {
      ...numbers(n, penalty, s, "pointwise: K's singular values in closed form, rounding-model bound (an estimate)"),
      method: "pointwise",
      methodNote: `1 x 1 kernel: K's singular values, each ${n * n} times, of the ${size} matrix M (closed form)`,
    };
  }
  const refusedByMemory = method === "iterative" && denseSvdWork(kernel, n) <= (base.denseWorkLimit as number);
  // A depthwise layer's dense SVD runs once per channel: count all of them against the budget.
  const groupsWork = layer.depthwise ? Math.max(g, h) * (n * n) ** 3 : 0;
  const overBudgetGroups = groupsWork > (base.denseWorkLimit as number);
  if ((method === "dense" || refusedByMemory) && !overBudgetGroups) {
    const s = await spectrumAsync(kernel, { ...base, method: "dense" });
    return {
      ...numbers(n, penalty, s, `dense: all singular values by ${denseRouteName(s)}, rounding-model bound (an estimate)`),
      method: "dense",
      methodNote: `every singular value of the ${size} matrix M (${denseRouteName(s)})`,
    };
  }
  const order = choleskyOrderMeasure(kernel, n, layer);
  if (order > choleskyLimit) {
    const why = `sigma_min not computed (Gram order bound ${order} > ${choleskyLimit}; --spectrum certified computes it)`;
    return submatrixBracket(kernel, base, penalty, size, outputs, why);
  }
  let s: Spectrum;
  const minNote = "; sigma_min by shift-invert on a sparse Cholesky of the smaller Gram matrix";
  // Past the dense budget: sigma_max is a proven bracket [Ritz value, symbol bound] (a Ritz value is
  // <= sigma_max whatever the tolerance), so a loose tolerance and a small product cap suffice.
  const loose = { tolerance: REPORT_SIGMA_MAX_TOLERANCE, maxIterations: REPORT_SIGMA_MAX_PRODUCTS };
  try {
    s = await spectrumAsync(kernel, { ...base, ...loose, method: "certified" });
  } catch (e) {
    if (!isConvregError(e) || e.code !== "ERR_MEMORY_LIMIT") throw e;
    return submatrixBracket(kernel, base, penalty, size, outputs, `sigma_min not computed (${e.message})`);
  }
  const certificate = s.sigmaMin === null ? null : s.sigmaMinCertified ? `cholesky: proven bracket [${s.sigmaMinLower}, ${s.sigmaMinUpper}]` : "estimate (no lower bound proven)";
  const converged = s.sigmaMaxConverged ? "" : " (iteration cap hit: sigma_max is an estimate)";
  return {
    ...numbers(n, penalty, s, certificate),
    method: s.method === "certified" ? "certified" : "iterative",
    methodNote: `M is ${size}, over the dense SVD budget: sigma_max by Lanczos (${s.iterations} Gram products)${converged}${minNote}`,
  };
}

/** The route of a dense spectrum (spectrum/values-route.ts): the Gram eigenvalues within gramTolerance, else dgesdd. */
function denseRouteName(s: Spectrum): string {
  const route = s.denseRoute?.method;
  if (route === "gram") return "the smaller Gram matrix's eigenvalues (dsyevd)";
  return route === "mixed" ? "the Gram eigenvalues or dgesdd per group" : "dgesdd";
}

/**
 * sigma_max in a proven bracket at a cost independent of N: the lower value is Lanczos's Ritz value
 * on the layer at a smaller input P x Pw whose M is a submatrix of this M (docs/MATH.md §10), the
 * upper value the kernel symbol's bound. P is the largest with at most `outputs` output positions
 * per axis (down to one) whose Lanczos passes the memory guard; when none does, the bracket is
 * [0, symbol bound]. sigma_min is not computed.
 */
async function submatrixBracket(kernel: Kernel, base: SpectrumOptions, penalty: number, size: string, outputs: number, minNote: string): Promise<LayerAnalysis> {
  const n = base.n;
  const width = base.width ?? n;
  const stride = base.stride ?? 1;
  // Taps that never overlap ((k - 1) d < s): M is block diagonal over the outputs, each interior block
  // the whole kernel, so 3 outputs per axis (one interior) already give sigma_max exactly.
  const overlapFree = (kernel.shape[0] - 1) * (base.dilation ?? 1) < stride;
  const wanted = overlapFree ? Math.min(outputs, 3) : outputs;
  const fit = fittingSubmatrixInput(kernel, base, wanted);
  if (fit === null) return symbolBracket(kernel, base, penalty, size, minNote);
  const small = { n: fit.n, width: fit.width };
  const loose = { tolerance: REPORT_SIGMA_MAX_TOLERANCE, maxIterations: REPORT_SIGMA_MAX_PRODUCTS };
  const s = await spectrumAsync(kernel, { ...base, ...small, ...loose, method: "iterative" });
  const at = small.n === n && small.width === width ? "" : ` of the ${small.n} x ${small.width} input's M, a submatrix of M`;
  const shrunk = fit.outputs < wanted ? ` (${fit.outputs} outputs per axis: the largest whose Lanczos fits the memory limit of ${formatBytes(fit.limit)})` : "";
  // |sigma_max(M) - lower| <= upper - lower; without the upper value nothing bounds it from above.
  const noUpper = s.sigmaMaxUpper === null || s.sigmaMaxUpper === undefined;
  const sigmaMaxBound = noUpper ? Number.POSITIVE_INFINITY : (s.sigmaMaxUpper as number) - s.sigmaMax;
  const upperText = noUpper ? "no upper value: the symbol search is over the memory limit" : "kernel symbol bound";
  return {
    ...numbers(n, penalty, s, null),
    sigmaMaxBound,
    method: "iterative",
    methodNote: `M is ${size}, over the dense SVD budget: sigma_max in [Lanczos Ritz value${at}${shrunk} (${s.iterations} Gram products), ${upperText}]; ${minNote}`,
  };
}

/** A smaller input of the bracket route: its size, its output positions per axis and the memory limit it was checked against. */
export interface SubmatrixInput {
  n: number;
  width: number;
  outputs: number;
  limit: number;
}

/**
 * The largest input P x Pw with at most `outputs` output positions per axis (trying `outputs`,
 * `outputs` - 1, ..., 1, each with P = H (mod s), §10) whose iterative sigma_max passes the memory
 * guard (the estimate `sigmaMaxIterative` checks, per group as `spectrum` runs groups), or null
 * when even one output per axis does not. Nothing is allocated.
 */
export function fittingSubmatrixInput(kernel: Kernel, base: SpectrumOptions, outputs: number): SubmatrixInput | null {
  const limit = base.memoryLimit ?? getMemoryLimit();
  const n = base.n;
  const width = base.width ?? n;
  const stride = base.stride ?? 1;
  let tried = "";
  for (let q = outputs; q >= 1; q--) {
    const target = submatrixTarget(kernel.shape[0], base, q);
    const small = { n: submatrixLength(n, stride, target), width: submatrixLength(width, stride, target) };
    const key = `${small.n}x${small.width}`;
    if (key === tried) continue;
    tried = key;
    if (iterativeBytes(kernel, { ...base, ...small }) <= limit) return { ...small, outputs: q, limit };
  }
  return null;
}

/** The memory estimate of Lanczos for sigma_max on this layer (one group's, for a grouped layer: groups run one at a time). */
function iterativeBytes(kernel: Kernel, options: SpectrumOptions): number {
  const { n, width, stride, dilation, padding, transposed } = options;
  const kind = { n, width, stride, dilation, padding: padding === "valid" ? padding : undefined, transposed };
  const groups = readGroupCall(kernel, { ...kind, groups: options.groups, depthwise: options.depthwise });
  return groups ? sigmaMaxIterativeBytes(groups.kernels[0], groups.options) : sigmaMaxIterativeBytes(kernel, kind);
}

/**
 * When even one output per axis is over the memory limit for Lanczos: `spectrum`'s "auto" at the
 * layer's size, whose Lanczos is then refused too, gives the proven bracket [0, symbol bound].
 */
async function symbolBracket(kernel: Kernel, base: SpectrumOptions, penalty: number, size: string, minNote: string): Promise<LayerAnalysis> {
  // No dense work fits the limit, so "auto" goes to Lanczos, which the guard refuses before allocating.
  const s = await spectrumAsync(kernel, { ...base, method: "auto", denseWorkLimit: Number.MIN_VALUE });
  if (s.method !== "symbol") throw new Error(`convreg internal: expected the symbol-only spectrum, got "${s.method}"`);
  const upper = s.sigmaMaxUpper ?? null;
  const why = `Lanczos does not fit the memory limit even at one output per axis`;
  return {
    ...numbers(base.n, penalty, s, null),
    sigmaMaxBound: upper === null ? Number.POSITIVE_INFINITY : upper - s.sigmaMax,
    method: "iterative",
    methodNote: `M is ${size}, over the dense SVD budget: sigma_max in [0, kernel symbol bound] (${why}); ${minNote}`,
  };
}

/**
 * What the Cholesky limit is compared with: G min(g_G, h_G) H W, summed over the G groups. It is at
 * least the order of the Gram matrices the certified sigma_min factors (min(h_G Ho Wo, g_G H W) per
 * group), and equal to it at stride 1; a strided layer's Gram is denser per row (channels times
 * overlapping taps), so its Cholesky costs more per order (a 2x2x256x256 stride-2 transposed layer
 * at 16 x 16: order 16384, about a minute), and the input-pixel count keeps it on the cheap route.
 */
export function choleskyOrderMeasure(kernel: Kernel, n: number, layer: LayerShapeOptions): number {
  const [, , g, h] = kernel.shape;
  const groups = readGroups(kernel, layer) ?? { count: 1, inPerGroup: g, outPerGroup: h };
  return groups.count * Math.min(groups.outPerGroup, groups.inPerGroup) * n * (layer.width ?? n);
}

/** Input and output pixels of the layer (H x W and Ho x Wo of the forward convolution; transposed: M is its M^T). */
function pixels(kernel: Kernel, n: number, layer: LayerShapeOptions): { inputs: number; outputs: number } {
  const spec = { stride: layer.stride ?? 1, dilation: layer.dilation ?? 1, padding: layer.padding ?? "zero" };
  const width = layer.width ?? n;
  return { inputs: n * width, outputs: outputSize(n, kernel.shape[0], spec) * outputSize(width, kernel.shape[0], spec) };
}

/** "rows x cols" of M (all groups). */
function matrixSizeText(kernel: Kernel, n: number, layer: LayerShapeOptions): string {
  const [, , g, h] = kernel.shape;
  const groups = readGroups(kernel, layer);
  const inChannels = groups ? groups.count * groups.inPerGroup : g;
  const outChannels = groups ? groups.count * groups.outPerGroup : h;
  const { inputs, outputs } = pixels(kernel, n, layer);
  const rows = outChannels * outputs;
  const cols = inChannels * inputs;
  return layer.transposed ? `${cols} x ${rows}` : `${rows} x ${cols}`;
}

function numbers(n: number, penalty: number, s: Spectrum, certificate: string | null): Omit<LayerAnalysis, "method" | "methodNote"> {
  return {
    n,
    penalty,
    sigmaMax: s.sigmaMax,
    sigmaMaxBound: s.sigmaMaxBound,
    sigmaMaxUpper: s.sigmaMaxUpper ?? null,
    sigmaMin: s.sigmaMin,
    sigmaMinLower: s.sigmaMinLower,
    sigmaMinUpper: s.sigmaMinUpper,
    sigmaMinCertificate: certificate,
    sigmaMinBound: s.bound.sigmaMin,
    conditionNumber: s.sigmaMin === null ? null : s.sigmaMax / s.sigmaMin,
  };
}
