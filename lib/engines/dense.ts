/**
 * Plans for the dense reference engine (the paper's construction): M is built, the
 * Gram matrix formed with syrk, the gradient multiplied with BLAS and summed over Omega.
 * Memory is estimated here, before any native allocation.
 */
import type { Kernel } from "../core/kernel.js";
import { requireMemory } from "../core/memory.js";
import type { NativeSparse } from "../native/raw.js";
import type { NativePlan } from "../native/plan.js";
import { kernelArgs, penaltyAndGradientCall, type PenaltyAndGradientPlan } from "./kernel-args.js";
import { ConvregRangeError } from "../core/errors.js";

/** Sizes of M for a kernel and input size n. */
export function matrixSize(kernel: Kernel, n: number): { rows: number; cols: number; nonzeros: number } {
  const [k, , g, h] = kernel.shape;
  // Valid taps summed over output positions along one axis: tap offset t lands inside the
  // image for n - |t| positions (O(k), not O(n): n may be enormous before the memory guard).
  let perAxis = 0;
  const first = 1 - Math.ceil(k / 2);
  for (let p = 0; p < k; p++) perAxis += Math.max(0, n - Math.abs(p + first));
  return { rows: h * n * n, cols: g * n * n, nonzeros: perAxis * perAxis * g * h };
}

const sparseBytesPerNonzero = 3 * 8; // column, entry, value as 64-bit in the core

function sparseBytes(kernel: Kernel, n: number): number {
  const { rows, nonzeros } = matrixSize(kernel, n);
  return nonzeros * sparseBytesPerNonzero + (rows + 1) * 8;
}

function denseBytes(kernel: Kernel, n: number): number {
  const { rows, cols } = matrixSize(kernel, n);
  return rows * cols * 8;
}

function gramBytes(kernel: Kernel, n: number): number {
  const { rows, cols } = matrixSize(kernel, n);
  const side = Math.min(rows, cols);
  return side * side * 8;
}

const INT32_MAX = 2 ** 31 - 1;

/** M in CSR form. */
export function sparsePlan(kernel: Kernel, n: number, limit?: number): NativePlan<"sparseMatrix", NativeSparse> {
  const { rows, cols, nonzeros } = matrixSize(kernel, n);
  if (nonzeros > INT32_MAX || rows > INT32_MAX || cols > INT32_MAX)
    throw new ConvregRangeError("ERR_RANGE", `the sparse M for n = ${n} has ${nonzeros} nonzeros; its int32 indices allow at most ${INT32_MAX}`);
  // The core builds 64-bit arrays and the binding copies them to 32-bit indices.
  requireMemory(sparseBytes(kernel, n) + nonzeros * 20 + rows * 4, `the sparse M (${rows} x ${cols}, ${nonzeros} nonzeros)`, limit);
  return { fn: "sparseMatrix", args: kernelArgs(kernel, n), finish: (raw) => raw };
}

/** M as a dense row-major matrix. */
export function densePlan(kernel: Kernel, n: number, limit?: number): NativePlan<"denseMatrix", Float64Array> {
  const { rows, cols } = matrixSize(kernel, n);
  requireMemory(sparseBytes(kernel, n) + 2 * denseBytes(kernel, n), `the dense M (${rows} x ${cols})`, limit);
  return { fn: "denseMatrix", args: kernelArgs(kernel, n), finish: (raw) => raw };
}

/** F = ||M^T M - alpha I||_F^2 from the dense M and its smaller Gram matrix. */
export function densePenaltyPlan(kernel: Kernel, n: number, alpha: number, limit?: number): NativePlan<"densePenalty", number> {
  const { rows, cols } = matrixSize(kernel, n);
  requireMemory(sparseBytes(kernel, n) + denseBytes(kernel, n) + gramBytes(kernel, n), `the dense penalty (M is ${rows} x ${cols})`, limit);
  return { fn: "densePenalty", args: [...kernelArgs(kernel, n), alpha], finish: (raw) => raw };
}

/** F and dF/dK by Theorem 3.1. */
export function denseGradientPlan(kernel: Kernel, n: number, alpha: number, limit?: number, out?: Float64Array): PenaltyAndGradientPlan {
  const { rows, cols } = matrixSize(kernel, n);
  requireMemory(sparseBytes(kernel, n) + 2 * denseBytes(kernel, n) + gramBytes(kernel, n), `the dense gradient (M is ${rows} x ${cols})`, limit);
  return penaltyAndGradientCall("densePenaltyAndGradient", kernel, n, alpha, out);
}

/** All singular values of M, descending: dgesdd ("svd") or the smaller Gram matrix's eigenvalues ("gram"). */
export function denseSpectrumPlan(kernel: Kernel, n: number, method: "svd" | "gram", limit?: number): NativePlan<"denseSingularValues", Float64Array> {
  const { rows, cols } = matrixSize(kernel, n);
  // LAPACKE's row-major interface transposes its input into a second buffer.
  const bytes = sparseBytes(kernel, n) + denseBytes(kernel, n) + (method === "svd" ? denseBytes(kernel, n) : 2 * gramBytes(kernel, n));
  requireMemory(bytes, `the dense singular values (M is ${rows} x ${cols})`, limit);
  return { fn: "denseSingularValues", args: [...kernelArgs(kernel, n), method], finish: (raw) => raw };
}
