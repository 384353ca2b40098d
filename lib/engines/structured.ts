/**
 * Plans for the structured engine (penalty and gradient from the kernel alone, cost
 * independent of N) and for the line quartic F(K + t D) = sum c_i t^i. Memory is estimated
 * here, before the native call: the engine's largest buffers are tap Gram matrices of side
 * k^2 min(g, h).
 */
import { ConvregRangeError } from "../core/errors.js";
import type { Kernel } from "../core/kernel.js";
import { requireMemory } from "../core/memory.js";
import type { NativePlan } from "../native/plan.js";
import { kernelArgs, penaltyAndGradientCall, type PenaltyAndGradientPlan } from "./kernel-args.js";
import { matrixSize } from "./dense.js";

/** Sizes of the structured engine's buffers, in doubles. */
function tapSizes(kernel: Kernel): { tapGram: number; taps: number; kernel: number; width: number } {
  const [k, , g, h] = kernel.shape;
  const width = k * k * Math.min(g, h); // all tap matrices side by side on the smaller channel side
  const tapGram = width * width;
  // The core indexes these buffers with 64-bit integers: keep every index far from overflow.
  if (tapGram * 8 > 2 ** 62) throw new ConvregRangeError("ERR_RANGE", `a ${k}x${k}x${g}x${h} kernel needs a tap Gram matrix of ${width} x ${width}, beyond what can be addressed`);
  return { tapGram, taps: width * Math.max(g, h), kernel: k * k * g * h, width };
}

/** F = ||M^T M - alpha I||_F^2 by the structured engine. */
export function structuredPenaltyPlan(kernel: Kernel, n: number, alpha: number, limit?: number): NativePlan<"structuredPenalty", number> {
  const s = tapSizes(kernel);
  requireMemory(8 * (s.kernel + s.taps + s.tapGram), () => `the structured penalty (tap Gram matrix ${s.width} x ${s.width})`, limit);
  return { fn: "structuredPenalty", args: [...kernelArgs(kernel, n), alpha], finish: (raw) => raw };
}

/** F and dF/dK by the structured engine. */
export function structuredGradientPlan(kernel: Kernel, n: number, alpha: number, limit?: number, out?: Float64Array): PenaltyAndGradientPlan {
  const s = tapSizes(kernel);
  // Kernel copy, taps, tap Gram (overwritten by the weights), gradient of the taps, gradient (native and JS copies).
  requireMemory(8 * (3 * s.kernel + 2 * s.taps + s.tapGram), () => `the structured gradient (tap Gram matrix ${s.width} x ${s.width})`, limit);
  return penaltyAndGradientCall("structuredPenaltyAndGradient", kernel, n, alpha, out);
}

/** The five coefficients of F(K + t D), by the structured engine or from the dense M(K) and M(D). */
export function lineQuarticPlan(
  kernel: Kernel,
  direction: Kernel,
  n: number,
  alpha: number,
  engine: "dense" | "structured",
  limit?: number,
): NativePlan<"lineQuartic", Float64Array> {
  if (engine === "structured") {
    const s = tapSizes(kernel);
    // Two kernel copies, two tap packings, three tap Gram matrices (KK, DD, KD).
    requireMemory(8 * (2 * s.kernel + 2 * s.taps + 3 * s.tapGram), () => `the structured line quartic (tap Gram matrices ${s.width} x ${s.width})`, limit);
  } else {
    const { rows, cols, nonzeros } = matrixSize(kernel, n);
    const side = Math.min(rows, cols);
    // The sparse M while building, two dense M, three Gram-sized products.
    requireMemory(24 * nonzeros + 8 * (2 * rows * cols + 3 * side * side), `the dense line quartic (M is ${rows} x ${cols})`, limit);
  }
  return { fn: "lineQuartic", args: [...kernelArgs(kernel, n), alpha, direction.data, engine === "dense"], finish: (raw) => raw };
}

/**
 * F and dF/dK of a grouped layer by the structured engine in one native call: `group` is one
 * group's kernel shape, `kernel` the layer's (groups side by side in the output channels).
 */
export function groupedStructuredGradientPlan(
  kernel: Kernel,
  group: Kernel["shape"],
  groups: number,
  n: number,
  alpha: number,
  limit?: number,
  out?: Float64Array,
): NativePlan<"groupedStructuredPenaltyAndGradient", { penalty: number; gradient: Kernel }> {
  const s = tapSizes({ shape: group, data: kernel.data });
  // One group's buffers as in structuredGradientPlan (reused across groups), plus the layer's
  // kernel and gradient (native and JS copies).
  requireMemory(8 * (3 * s.kernel + 2 * s.taps + s.tapGram + 3 * kernel.data.length), () => `the grouped structured gradient (tap Gram matrix ${s.width} x ${s.width})`, limit);
  const [k, , g, h] = group;
  const gradient = out ?? new Float64Array(kernel.data.length);
  return {
    fn: "groupedStructuredPenaltyAndGradient",
    args: [kernel.data, k, g, h, n, alpha, groups, gradient],
    filled: gradient,
    finish: (penalty) => ({ penalty, gradient: { shape: kernel.shape, data: gradient } }),
  };
}
