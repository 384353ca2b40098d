/**
 * A validated native call: the addon function to run, its arguments and how to turn
 * its raw result into the public one. Sync and async entry points share one plan so
 * that validation and conversion are written once.
 */
import { ConvregError, isConvregError, nativeError } from "../core/errors.js";
import { native } from "./addon.js";

export interface NativePlan<Raw, Result> {
  /** Addon function name; its Promise form is `${fn}Async`. */
  fn: string;
  args: unknown[];
  finish: (raw: Raw) => Result;
  /** Skip the check that every number the native call returned is finite (for results where Infinity means something). */
  allowNonFinite?: boolean;
}

/** The first non-finite number in a native result (a number, a Float64Array, or an object of those), or undefined. */
function firstNonFinite(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) ? undefined : raw;
  if (raw instanceof Float64Array) {
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
function requireFiniteResult<Raw, Result>(plan: NativePlan<Raw, Result>, raw: Raw): Raw {
  if (plan.allowNonFinite) return raw;
  const bad = firstNonFinite(raw);
  if (bad !== undefined)
    throw new ConvregError(
      "ERR_NONFINITE",
      `convreg: ${plan.fn} produced ${bad} (the result overflows double precision); scale the kernel or alpha down`,
    );
  return raw;
}

function addonFunction(name: string): (...args: unknown[]) => unknown {
  const f = native[name];
  if (typeof f !== "function") throw new ConvregError("ERR_NATIVE", `convreg: the native addon has no function ${name} (rebuild with npm install)`);
  return f as (...args: unknown[]) => unknown;
}

/** Runs a plan on the calling thread. */
export function runSync<Raw, Result>(plan: NativePlan<Raw, Result>): Result {
  let raw: Raw;
  try {
    raw = addonFunction(plan.fn)(...plan.args) as Raw;
  } catch (e) {
    throw isConvregError(e) ? e : nativeError(e);
  }
  return plan.finish(requireFiniteResult(plan, raw));
}

/** Runs a plan on the libuv thread pool; the event loop keeps running meanwhile. */
export async function runAsync<Raw, Result>(plan: NativePlan<Raw, Result>): Promise<Result> {
  let raw: Raw;
  try {
    raw = (await addonFunction(`${plan.fn}Async`)(...plan.args)) as Raw;
  } catch (e) {
    throw isConvregError(e) ? e : nativeError(e);
  }
  return plan.finish(requireFiniteResult(plan, raw));
}
