/**
 * A validated native call: the addon function to run, its arguments and how to turn
 * its raw result into the public one. Sync and async entry points share one plan so
 * that validation and conversion are written once.
 */
import { ConvregError, isConvregError, nativeError } from "./errors.js";
import { native } from "./native.js";

export interface NativePlan<Raw, Result> {
  /** Addon function name; its Promise form is `${fn}Async`. */
  fn: string;
  args: unknown[];
  finish: (raw: Raw) => Result;
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
  return plan.finish(raw);
}

/** Runs a plan on the libuv thread pool; the event loop keeps running meanwhile. */
export async function runAsync<Raw, Result>(plan: NativePlan<Raw, Result>): Promise<Result> {
  let raw: Raw;
  try {
    raw = (await addonFunction(`${plan.fn}Async`)(...plan.args)) as Raw;
  } catch (e) {
    throw isConvregError(e) ? e : nativeError(e);
  }
  return plan.finish(raw);
}
