/**
 * Plans for circular padding. The default engine takes the kernel's 2-D DFT and works per
 * frequency (Sedghi, Gupta and Long, ICLR 2019); the dense one builds the block-circulant M
 * by definition and stays the reference. Memory is estimated here, before any native call.
 */
import type { Kernel } from "../core/kernel.js";
import { requireMemory } from "../core/memory.js";
import type { NativePlan } from "../native/plan.js";
import { kernelArgs, penaltyAndGradientCall, type PenaltyAndGradientPlan } from "./kernel-args.js";

/** How the input is extended outside the N x N image. */
export type Padding = "zero" | "circular";

/** The paddings accepted by the `padding` option. */
export const PADDINGS: readonly Padding[] = ["zero", "circular"];

/**
 * Bytes of the DFT engine's buffers (complex doubles): the taps' DFT along one axis (k x (N/2+1)
 * blocks of g x h), one row of the half-plane spectrum at a time, and for the gradient its adjoint
 * accumulator of the same size. Memory grows like k N g h, not N^2 g h.
 */
function spectrumBytes(kernel: Kernel, n: number, withGradient: boolean): number {
  const [k, , g, h] = kernel.shape;
  const half = Math.floor(n / 2) + 1;
  const blocks = k * half + k * k + half + (withGradient ? half + k * half + k : 0);
  const side = Math.min(g, h);
  return 16 * (g * h * blocks + side * side + n * k) + (withGradient ? 8 * k * k * g * h : 0);
}

/** F for circular padding by the per-frequency Gram matrices. */
export function circularPenaltyPlan(kernel: Kernel, n: number, alpha: number, limit?: number): NativePlan<"circularPenalty", number> {
  requireMemory(spectrumBytes(kernel, n, false), `the circular penalty (kernel DFT at n = ${n})`, limit);
  return { fn: "circularPenalty", args: [...kernelArgs(kernel, n), alpha], finish: (raw) => raw };
}

/** F and dF/dK for circular padding: per-frequency gradients taken back through the DFT. */
export function circularGradientPlan(kernel: Kernel, n: number, alpha: number, limit?: number, out?: Float64Array): PenaltyAndGradientPlan {
  requireMemory(spectrumBytes(kernel, n, true), `the circular gradient (kernel DFT at n = ${n})`, limit);
  return penaltyAndGradientCall("circularPenaltyAndGradient", kernel, n, alpha, out);
}

/** All min(g, h) N^2 singular values of the circular M: zgesvd of each frequency's g x h block. */
export function circularSpectrumPlan(kernel: Kernel, n: number, limit?: number): NativePlan<"circularSingularValues", Float64Array> {
  const [, , g, h] = kernel.shape;
  const count = Math.min(g, h) * n * n;
  // The values are gathered in the core (8 bytes each) and copied once into the Float64Array.
  requireMemory(spectrumBytes(kernel, n, false) + 16 * count, `the circular singular values (${count} values)`, limit);
  return { fn: "circularSingularValues", args: kernelArgs(kernel, n), finish: (raw) => raw };
}

/** Sizes of the dense block-circulant M: every row holds all k^2 g taps (repeats add up when N < k). */
function circularDenseBytes(kernel: Kernel, n: number): { sparse: number; dense: number; gram: number; rows: number; cols: number } {
  const [k, , g, h] = kernel.shape;
  const rows = h * n * n,
    cols = g * n * n,
    side = Math.min(rows, cols);
  return { sparse: rows * k * k * g * 24 + (rows + 1) * 8, dense: rows * cols * 8, gram: side * side * 8, rows, cols };
}

/** F from the dense block-circulant M (the reference). */
export function circularDensePenaltyPlan(kernel: Kernel, n: number, alpha: number, limit?: number): NativePlan<"circularDensePenalty", number> {
  const b = circularDenseBytes(kernel, n);
  requireMemory(b.sparse + b.dense + b.gram, `the dense circular penalty (M is ${b.rows} x ${b.cols})`, limit);
  return { fn: "circularDensePenalty", args: [...kernelArgs(kernel, n), alpha], finish: (raw) => raw };
}

/** F and dF/dK from the dense block-circulant M (the reference). */
export function circularDenseGradientPlan(kernel: Kernel, n: number, alpha: number, limit?: number, out?: Float64Array): PenaltyAndGradientPlan {
  const b = circularDenseBytes(kernel, n);
  requireMemory(b.sparse + 2 * b.dense + b.gram, `the dense circular gradient (M is ${b.rows} x ${b.cols})`, limit);
  return penaltyAndGradientCall("circularDensePenaltyAndGradient", kernel, n, alpha, out);
}

/** All singular values of the dense block-circulant M by dgesvd ("svd") or dsyevd on its Gram matrix ("gram"). */
export function circularDenseSpectrumPlan(kernel: Kernel, n: number, method: "svd" | "gram", limit?: number): NativePlan<"circularDenseSingularValues", Float64Array> {
  const b = circularDenseBytes(kernel, n);
  const bytes = b.sparse + b.dense + (method === "svd" ? b.dense : 2 * b.gram);
  requireMemory(bytes, `the dense circular singular values (M is ${b.rows} x ${b.cols})`, limit);
  return { fn: "circularDenseSingularValues", args: [...kernelArgs(kernel, n), method], finish: (raw) => raw };
}

/** The five coefficients of F(K + t D) for circular padding: per-frequency Gram polynomials, or the dense block-circulant M(K), M(D). */
export function circularLineQuarticPlan(
  kernel: Kernel,
  direction: Kernel,
  n: number,
  alpha: number,
  dense: boolean,
  limit?: number,
): NativePlan<"circularLineQuartic", Float64Array> {
  if (dense) {
    const b = circularDenseBytes(kernel, n);
    // The sparse M while building, two dense M, three Gram-sized products.
    requireMemory(b.sparse + 2 * b.dense + 3 * b.gram, `the dense circular line quartic (M is ${b.rows} x ${b.cols})`, limit);
  } else {
    const [, , g, h] = kernel.shape;
    const side = Math.min(g, h);
    requireMemory(2 * spectrumBytes(kernel, n, false) + 48 * side * side, `the circular line quartic (kernel DFT at n = ${n})`, limit);
  }
  return { fn: "circularLineQuartic", args: [...kernelArgs(kernel, n), alpha, direction.data, dense], finish: (raw) => raw };
}
