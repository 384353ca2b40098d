/**
 * The kernel as the addon takes it, shared by the plan files: the leading arguments
 * (data, k, g, h, n) of every native layer function, and the penalty-and-gradient result
 * turned back into a kernel-shaped gradient.
 */
import type { Kernel } from "../core/kernel.js";
import type { NativePlan } from "../native/plan.js";
import type { NativeTasks, TaskName } from "../native/functions.js";
import type { KernelArgs, RawPenaltyAndGradient } from "../native/raw.js";

export type { RawPenaltyAndGradient } from "../native/raw.js";

/** `[data, k, g, h, n]`: the arguments every native layer function starts with. */
export function kernelArgs(kernel: Kernel, n: number): KernelArgs {
  const [k, , g, h] = kernel.shape;
  return [kernel.data, k, g, h, n];
}

/** The tasks that take (kernel, k, g, h, n, alpha) and return F and dF/dK. */
export type PenaltyAndGradientTask = {
  [K in TaskName]: NativeTasks[K] extends (...args: [...KernelArgs, alpha: number]) => RawPenaltyAndGradient ? K : never;
}[TaskName];

/** A plan for F and dF/dK: the gradient comes back with the kernel's shape. */
export type PenaltyAndGradientPlan = NativePlan<PenaltyAndGradientTask, { penalty: number; gradient: Kernel }>;

/** The native function `fn` called on the kernel and alpha, its gradient reshaped like the kernel. */
export function penaltyAndGradientCall(fn: PenaltyAndGradientTask, kernel: Kernel, n: number, alpha: number): PenaltyAndGradientPlan {
  return {
    fn,
    args: [...kernelArgs(kernel, n), alpha],
    finish: (raw) => ({ penalty: raw.penalty, gradient: { shape: kernel.shape, data: raw.gradient } }),
  };
}
