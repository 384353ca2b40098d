/**
 * A validated native call: the addon function to run, its arguments and how to turn
 * its raw result into the public one. Sync and async entry points share one plan so
 * that validation and conversion are written once.
 */
import { ConvregError, isConvregError, nativeError } from "../core/errors.js";
import { native, nativeAsync } from "./addon.js";
import type { TaskArgs, TaskName, TaskResult } from "./functions.js";
import { allFinite } from "../core/arrays.js";

/**
 * A call of the task `Name` (a key of NativeTasks: a misspelt name does not compile), with
 * arguments and raw result typed by lib/native/functions.ts. `Name` may be a union when a
 * route picks one of several tasks.
 */
export interface NativePlan<Name extends TaskName, Result> {
  /** Addon function name; its Promise form is `${fn}Async`. */
  fn: Name;
  args: TaskArgs[Name];
  // A method, not a property: method parameters are bivariant, so a plan of one task is also a
  // plan of a union of task names (fn, args and finish always come from the same plan literal).
  finish(raw: TaskResult[Name]): Result;
  /** Skip the check that every number the native call returned is finite (for results where Infinity means something). */
  allowNonFinite?: boolean;
  /** An array among `args` that the native call fills with a result: checked for finite numbers like the returned value. */
  filled?: Float64Array;
}

/** Each task's sync form, keyed by name so that `tasks[plan.fn]` takes `plan.args`. */
const tasks: { [K in TaskName]: (...args: TaskArgs[K]) => TaskResult[K] } = native;

/** The first non-finite number in a native result (a number, a Float64Array, or an object of those), or undefined. */
function firstNonFinite(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) ? undefined : raw;
  if (raw instanceof Float64Array) {
    if (allFinite(raw)) return undefined;
    for (let i = 0; i < raw.length; i++) if (!Number.isFinite(raw[i])) return raw[i];
    return undefined;
  }
  if (raw !== null && typeof raw === "object" && !ArrayBuffer.isView(raw))
    for (const v of Object.values(raw)) {
      if (typeof v !== "number" && !(v instanceof Float64Array)) continue;
      const bad = firstNonFinite(v);
      if (bad !== undefined) return bad;
    }
  return undefined;
}

/**
 * Refuses a native result holding NaN or Infinity: with finite, validated inputs that only
 * happens when a sum of squares overflows double precision, and must never pass silently.
 */
function requireFiniteResult<Name extends TaskName, Result>(plan: NativePlan<Name, Result>, raw: TaskResult[Name]): TaskResult[Name] {
  if (plan.allowNonFinite) return raw;
  let bad = firstNonFinite(raw);
  if (bad === undefined && plan.filled) bad = firstNonFinite(plan.filled);
  if (bad !== undefined) throw new ConvregError("ERR_NONFINITE", `convreg: ${plan.fn} produced ${bad} (the result overflows double precision); scale the kernel or alpha down`);
  return raw;
}

/** A stale build may lack a function the TypeScript side knows. */
function requireFunction(f: unknown, name: string): void {
  if (typeof f !== "function") throw new ConvregError("ERR_NATIVE", `convreg: the native addon has no function ${name} (rebuild with npm install)`);
}

/** Runs a plan on the calling thread. */
export function runSync<Name extends TaskName, Result>(plan: NativePlan<Name, Result>): Result {
  const f = tasks[plan.fn];
  requireFunction(f, plan.fn);
  let raw: TaskResult[Name];
  try {
    raw = f(...plan.args);
  } catch (e) {
    throw isConvregError(e) ? e : nativeError(e);
  }
  return plan.finish(requireFiniteResult(plan, raw));
}

/** Runs a plan on the libuv thread pool; the event loop keeps running meanwhile. */
export async function runAsync<Name extends TaskName, Result>(plan: NativePlan<Name, Result>): Promise<Result> {
  const f = nativeAsync[plan.fn];
  requireFunction(f, `${plan.fn}Async`);
  let raw: TaskResult[Name];
  try {
    raw = await f(...plan.args);
  } catch (e) {
    throw isConvregError(e) ? e : nativeError(e);
  }
  return plan.finish(requireFiniteResult(plan, raw));
}
