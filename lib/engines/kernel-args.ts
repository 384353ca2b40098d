/**
 * The kernel as the addon takes it, shared by the plan files: the leading arguments
 * (data, k, g, h, n) of every native layer function, and the penalty-and-gradient result
 * turned back into a kernel-shaped gradient.
 */
import type { Kernel } from "../core/kernel.js";
import type { NativePlan } from "../native/plan.js";
import type { NativeTasks, TaskName } from "../native/functions.js";
import type { GradientOut, KernelArgs } from "../native/raw.js";

/** `[data, k, g, h, n]`: the arguments every native layer function starts with. */
export function kernelArgs(kernel: Kernel, n: number): KernelArgs {
  const [k, , g, h] = kernel.shape;
  return [kernel.data, k, g, h, n];
}

/** The tasks that take (kernel, k, g, h, n, alpha, gradient), fill the gradient with dF/dK and return F. */
export type PenaltyAndGradientTask = {
  // On the parameter list, not the function type: a function of fewer parameters (densePenalty) would match too.
  [K in TaskName]: Parameters<NativeTasks[K]> extends [...KernelArgs, alpha: number, gradient: GradientOut] ? K : never;
}[TaskName];

/** A plan for F and dF/dK: the gradient comes back with the kernel's shape. */
export type PenaltyAndGradientPlan = NativePlan<PenaltyAndGradientTask, { penalty: number; gradient: Kernel }>;

/**
 * The native function `fn` called on the kernel and alpha; it fills `out` (the caller's array,
 * validated by lib/penalty/gradient-out.ts) or else a fresh array (this call's own, never shared
 * with another result) with the gradient, returned with the kernel's shape.
 */
export function penaltyAndGradientCall(fn: PenaltyAndGradientTask, kernel: Kernel, n: number, alpha: number, out?: Float64Array): PenaltyAndGradientPlan {
  const [k, , g, h] = kernel.shape;
  const gradient = out ?? new Float64Array(kernel.data.length);
  return {
    fn,
    args: [kernel.data, k, g, h, n, alpha, gradient],
    filled: gradient,
    finish: (penalty) => ({ penalty, gradient: { shape: kernel.shape, data: gradient } }),
  };
}
