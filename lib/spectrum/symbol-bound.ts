/**
 * A proven upper bound on sigma_max of the zero-padded M at every input size N, in milliseconds
 * for small channel counts: the supremum over the torus of sigma_max of the kernel's symbol
 * (the polyphase symbol for stride s), bounded by branch and bound with a rounding margin.
 * The proof is in docs/MATH.md, "A proven upper bound on sigma_max at any N".
 */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import type { RawSymbolBound } from "../native/raw.js";
import { requireMemory } from "../core/memory.js";
import { requireInteger, requireOptions, requirePositive } from "../core/validate.js";
import { maxOf } from "../core/arrays.js";
import { eachGroup, eachGroupAsync, readGroupCall, type GroupOptions } from "../core/groups.js";

/** Options of {@link sigmaMaxUpperBound}. */
export interface SymbolBoundOptions extends GroupOptions {
  /** Stride s (default 1): the bound is then on the strided M (TensorFlow SAME, any N). */
  stride?: number;
  /** Dilation d (default 1): taps at p·d. */
  dilation?: number;
  /** Relative gap at which the search stops: upper - symbolLower <= tolerance·upper (default 1e-3). */
  tolerance?: number;
  /** Cap on the cells of the torus examined (default 100000); reaching it still gives a valid upper value. */
  maxCells?: number;
  /** Bytes allowed (default: the global limit, see setMemoryLimit). */
  memoryLimit?: number;
}

/** Result of {@link sigmaMaxUpperBound}. */
export interface SymbolBound {
  /** Proven: sigma_max(M_N) <= upper for every N (zero and circular padding), rounding included. */
  upper: number;
  /**
   * The best sampled value of sigma_max of the symbol, minus its rounding margin: a lower bound on the
   * supremum, NOT on sigma_max(M_N) (at small N, M_N's value is below the supremum).
   */
  symbolLower: number;
  /** Cells of the torus examined. */
  cells: number;
  /** False when maxCells stopped the search before upper - symbolLower <= tolerance·upper. */
  converged: boolean;
  /** Wall time in milliseconds. */
  ms: number;
  bound: "proven";
}

/** Largest stride and dilation accepted (as in the C++ core). */
export const MAX_SYMBOL_STRIDE = 64;

/**
 * Bytes the native search holds: the complex symbol and its Gram matrix with LAPACK workspace, the
 * |K| sums, and about 100 bytes per cell for the queue and the cache of evaluated points.
 */
export function symbolBoundBytes(k: number, g: number, h: number, stride: number, maxCells: number): number {
  const rows = g * stride * stride;
  const side = Math.min(rows, h);
  return 24 * rows * h + 16 * side * side + 16 * 70 * side + 32 * k * k + 100 * maxCells;
}

function planFor(kernel: Kernel, options: SymbolBoundOptions | undefined): NativePlan<"symbolBound", SymbolBound> {
  const kern = requireKernel(kernel);
  const o = requireOptions(options);
  const stride = o.stride === undefined ? 1 : requireInteger(o.stride, "options.stride", 1, MAX_SYMBOL_STRIDE);
  const dilation = o.dilation === undefined ? 1 : requireInteger(o.dilation, "options.dilation", 1, MAX_SYMBOL_STRIDE);
  const tolerance = o.tolerance === undefined ? 1e-3 : requirePositive(o.tolerance, "options.tolerance");
  const maxCells = o.maxCells === undefined ? 100000 : requireInteger(o.maxCells, "options.maxCells", 1);
  const [k, , g, h] = kern.shape;
  requireMemory(symbolBoundBytes(k, g, h, stride, maxCells), `the symbol bound (${g * stride * stride} x ${h} symbol, ${maxCells} cells)`, o.memoryLimit);
  const start = performance.now();
  return {
    fn: "symbolBound",
    args: [kern.data, k, g, h, stride, dilation, tolerance, maxCells],
    finish: (raw: RawSymbolBound): SymbolBound => ({
      upper: raw.upper,
      symbolLower: raw.lower,
      cells: raw.cells,
      converged: raw.converged,
      ms: performance.now() - start,
      bound: "proven",
    }),
  };
}

/**
 * A proven upper value of sigma_max(M_N) for all N at once (zero padding, TensorFlow SAME for stride s;
 * circular padding too), with the symbol's best sampled value as a lower value of the supremum.
 * Cost: one Hermitian eigenvalue problem of order min(g s^2, h) per point of the torus evaluated.
 * With `groups` or `depthwise`, one search per group (the groups' kernels), and the largest upper value.
 */
export function sigmaMaxUpperBound(kernel: Kernel, options?: SymbolBoundOptions): SymbolBound {
  const groups = readGroupCall(kernel, options);
  if (groups) {
    const start = performance.now();
    return combineGroups(
      eachGroup(groups.kernels, (k) => runSync(planFor(k, groups.options))),
      start,
    );
  }
  return runSync(planFor(kernel, options));
}

/** Async form of {@link sigmaMaxUpperBound}: runs off the main thread. */
export async function sigmaMaxUpperBoundAsync(kernel: Kernel, options?: SymbolBoundOptions): Promise<SymbolBound> {
  const groups = readGroupCall(kernel, options);
  if (groups) {
    const start = performance.now();
    return combineGroups(await eachGroupAsync(groups.kernels, (k) => runAsync(planFor(k, groups.options))), start);
  }
  return runAsync(planFor(kernel, options));
}

/**
 * A grouped (depthwise) layer's M is block diagonal over the groups, and so is its symbol: its
 * sigma_max is the largest group's, so the largest upper value bounds it and the largest sampled
 * value is a lower value of its supremum.
 */
function combineGroups(parts: readonly SymbolBound[], start: number): SymbolBound {
  return {
    upper: maxOf(parts.map((p) => p.upper)),
    symbolLower: maxOf(parts.map((p) => p.symbolLower)),
    cells: parts.reduce((sum, p) => sum + p.cells, 0),
    converged: parts.every((p) => p.converged),
    ms: performance.now() - start,
    bound: "proven",
  };
}

/**
 * The options `spectrum` uses: tolerance 1e-3 and a cap on the cells so that the bound costs about
 * 2.5e9 / n^3 cells of eigenvalue work, n = min(g, h): 4000 cells up to 64 channels, about 150 at 256,
 * 18 at 512 (a coarser starting grid: a wider, still proven bracket).
 */
export function spectrumSymbolOptions(kernel: Kernel): SymbolBoundOptions {
  const [, , g, h] = kernel.shape;
  const side = Math.min(g, h);
  return { tolerance: 1e-3, maxCells: Math.max(2, Math.min(4000, Math.floor(2.5e9 / side ** 3))) };
}
