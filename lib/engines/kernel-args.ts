/**
 * The kernel as the addon takes it, shared by the plan files: the leading arguments
 * (data, k, g, h, n) of every native layer function, and the penalty-and-gradient result
 * turned back into a kernel-shaped gradient.
 */
import type { Kernel } from "../core/kernel.js";
import type { NativePlan } from "../native/plan.js";

/** `[data, k, g, h, n]`: the arguments every native layer function starts with. */
export function kernelArgs(kernel: Kernel, n: number): unknown[] {
  const [k, , g, h] = kernel.shape;
  return [kernel.data, k, g, h, n];
}

/** F and dF/dK as the addon returns them (the gradient flat, HWIO). */
export type RawPenaltyAndGradient = { penalty: number; gradient: Float64Array };

/** A plan for F and dF/dK: the gradient comes back with the kernel's shape. */
export type PenaltyAndGradientPlan = NativePlan<RawPenaltyAndGradient, { penalty: number; gradient: Kernel }>;

/** The native function `fn` called on the kernel and alpha, its gradient reshaped like the kernel. */
export function penaltyAndGradientCall(fn: string, kernel: Kernel, n: number, alpha: number): PenaltyAndGradientPlan {
  return {
    fn,
    args: [...kernelArgs(kernel, n), alpha],
    finish: (raw) => ({ penalty: raw.penalty, gradient: { shape: kernel.shape, data: raw.gradient } }),
  };
}
