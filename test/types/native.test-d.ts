/**
 * Type tests of the native boundary (checked by `npm run typecheck`, which runs tsc on
 * test/types/tsconfig.json; never executed). Each `@ts-expect-error` fails the check if the
 * line below it ever compiles.
 */
import { expectTypeOf } from "vitest";
import type { NativeAddon, NativeHelpers, NativeTasks, TaskName } from "../../lib/native/functions.js";
import type { NativePlan } from "../../lib/native/plan.js";
import type { runAsync, runSync } from "../../lib/native/plan.js";
import type { GradientOut, KernelArgs, NativeSparse } from "../../lib/native/raw.js";
import type { PenaltyAndGradientTask } from "../../lib/engines/kernel-args.js";

declare const kernel: Float64Array;
const finishNumber = (raw: number): number => raw;

// A plan names its function by a key of NativeTasks: a misspelt name does not compile.
// @ts-expect-error "densePenalti" is not a native function
export const misspeltName: NativePlan<"densePenalti", number> = { fn: "densePenalti", args: [kernel, 3, 1, 1, 4, 1], finish: finishNumber };
// @ts-expect-error the name in `fn` must be the plan's own
export const wrongName: NativePlan<"densePenalty", number> = { fn: "densePenalti", args: [kernel, 3, 1, 1, 4, 1], finish: finishNumber };
// @ts-expect-error nor may a plan over every task name carry a misspelt one
export const anyTask: NativePlan<TaskName, unknown> = { fn: "sigmaMaxLanczoss", args: [kernel, 3, 1, 1, 4, 1], finish: (raw: unknown) => raw };
// @ts-expect-error a plain (sync-only) function cannot be run by a plan
export const plainFunction: NativePlan<"setBlasThreads", void> = { fn: "setBlasThreads", args: [1], finish: () => undefined };

// The arguments and the raw result are those of the named function.
export const good: NativePlan<"densePenalty", number> = { fn: "densePenalty", args: [kernel, 3, 1, 1, 4, 1], finish: finishNumber };
// @ts-expect-error densePenalty takes alpha after (kernel, k, g, h, n)
export const missingAlpha: NativePlan<"densePenalty", number> = { fn: "densePenalty", args: [kernel, 3, 1, 1, 4], finish: finishNumber };
// @ts-expect-error denseSingularValues's method is "svd" or "gram"
export const badMethod: NativePlan<"denseSingularValues", Float64Array> = { fn: "denseSingularValues", args: [kernel, 3, 1, 1, 4, "fft"], finish: (v) => v };
// @ts-expect-error densePenalty returns a number, not a Float64Array
export const wrongRaw: NativePlan<"densePenalty", number> = { fn: "densePenalty", args: [kernel, 3, 1, 1, 4, 1], finish: (raw: Float64Array) => raw[0] };

expectTypeOf<Parameters<NativePlan<"sparseMatrix", unknown>["finish"]>[0]>().toEqualTypeOf<NativeSparse>();
expectTypeOf<NativePlan<"densePenaltyAndGradient", unknown>["args"]>().toEqualTypeOf<[...KernelArgs, alpha: number, gradient: GradientOut]>();
expectTypeOf<Parameters<NativePlan<"densePenaltyAndGradient", unknown>["finish"]>[0]>().toEqualTypeOf<number>();
expectTypeOf<ReturnType<typeof runSync<"densePenalty", number>>>().toEqualTypeOf<number>();
// The tasks that fill a gradient array: exactly these (densePenalty, with fewer parameters, is not one).
expectTypeOf<PenaltyAndGradientTask>().toEqualTypeOf<
  "densePenaltyAndGradient" | "circularPenaltyAndGradient" | "circularDensePenaltyAndGradient" | "structuredPenaltyAndGradient"
>();
expectTypeOf<ReturnType<typeof runAsync<"densePenalty", number>>>().toEqualTypeOf<Promise<number>>();

// The Async forms are derived from the sync ones: same arguments, a Promise of the same result.
expectTypeOf<NativeAddon["densePenaltyAsync"]>().parameters.toEqualTypeOf<Parameters<NativeTasks["densePenalty"]>>();
expectTypeOf<NativeAddon["densePenaltyAsync"]>().returns.toEqualTypeOf<Promise<number>>();
expectTypeOf<NativeAddon["sigmaMinAsync"]>().returns.toEqualTypeOf<Promise<ReturnType<NativeTasks["sigmaMin"]>>>();
// @ts-expect-error plain functions have no Async form
export type NoAsyncHelper = NativeAddon["setBlasThreadsAsync"];
expectTypeOf<NativeHelpers["timeDgemm"]>().toEqualTypeOf<(m: number, n: number, k: number, repeats: number, cpu: boolean) => number>();
