/**
 * Plans for the 2-norm penalty of the paper's reference [7]: the dense reference (M materialized,
 * products by dgemv) and the matrix-free path (products as convolutions). Memory is estimated
 * here, before any native allocation.
 */
import type { Kernel } from "../core/kernel.js";
import { requireMemory } from "../core/memory.js";
import { matrixSize } from "../engines/dense.js";
import type { NativePlan } from "../native/plan.js";
import type { TaskArgs } from "../native/functions.js";
import { operatorWorkBytes } from "../engines/operator.js";
import { kernelArgs } from "../engines/kernel-args.js";
import type { NativeSpectral } from "../native/raw.js";

export type { NativeSpectral } from "../native/raw.js";

/** Which Gram matrix the 2-norm penalty uses: M M^T ("outputs") when h < g, else M^T M ("inputs"). */
export function spectralSideOf(kernel: Kernel): "outputs" | "inputs" {
  const [, , g, h] = kernel.shape;
  return h < g ? "outputs" : "inputs";
}

/** Length of the power-method vector: min(g, h) N^2 (the side of the smaller Gram matrix). */
export function spectralVectorLength(kernel: Kernel, n: number): number {
  const [, , g, h] = kernel.shape;
  return (spectralSideOf(kernel) === "outputs" ? h : g) * n * n;
}

function args(kernel: Kernel, n: number, alpha: number, start: Float64Array | null, steps: number): TaskArgs["spectralDense"] {
  return [...kernelArgs(kernel, n), alpha, start, steps];
}

/** The dense reference: sparse M, dense M, the power-method vectors. */
export function spectralDensePlan(
  kernel: Kernel,
  n: number,
  alpha: number,
  start: Float64Array | null,
  steps: number,
  limit?: number,
): NativePlan<"spectralDense", NativeSpectral> {
  const { rows, cols, nonzeros } = matrixSize(kernel, n);
  const bytes = nonzeros * 24 + (rows + 1) * 8 + rows * cols * 8 + 4 * (rows + cols) * 8;
  requireMemory(bytes, `the dense 2-norm penalty (M is ${rows} x ${cols})`, limit);
  return { fn: "spectralDense", args: args(kernel, n, alpha, start, steps), finish: (raw) => raw };
}

/** The matrix-free path: the operator's work buffers, the correlation frames, the vectors. */
export function spectralMatrixFreePlan(
  kernel: Kernel,
  n: number,
  alpha: number,
  start: Float64Array | null,
  steps: number,
  limit?: number,
): NativePlan<"spectralMatrixFree", NativeSpectral> {
  const [k, , g, h] = kernel.shape;
  const side = n + k - 1;
  const bytes = operatorWorkBytes(kernel, n, 1) + 8 * (side * side * (g + h) + 4 * (g + h) * n * n + k * k * g * h);
  requireMemory(bytes, `the matrix-free 2-norm penalty (M is ${h * n * n} x ${g * n * n})`, limit);
  return { fn: "spectralMatrixFree", args: args(kernel, n, alpha, start, steps), finish: (raw) => raw };
}
