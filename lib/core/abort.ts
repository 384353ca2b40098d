/**
 * Cancellation of long native computations: an AbortSignal sets the flag of a native
 * CancelToken, which the C++ loop checks between iterations.
 */
import { ConvregError, ConvregTypeError } from "./errors.js";
import { native } from "../native/addon.js";
import { describe } from "./validate.js";

import type { NativeCancelToken } from "../native/raw.js";

export type { NativeCancelToken } from "../native/raw.js";

/** Checks an optional AbortSignal option. */
export function requireSignal(value: unknown, name = "options.signal"): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be an AbortSignal, got ${describe(value)}`);
  return value;
}

/** The error every aborted computation rejects with (code ERR_ABORTED; the signal's reason as cause). */
export function abortedError(signal: AbortSignal): ConvregError {
  return new ConvregError("ERR_ABORTED", "convreg: the computation was aborted", { cause: signal.reason });
}

/** Throws ERR_ABORTED when the signal is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal);
}

/**
 * Runs `start(token)` with a fresh native token wired to `signal`: aborting sets the flag,
 * and the rejection then becomes ERR_ABORTED whatever the native side reported.
 */
export async function withCancelToken<T>(signal: AbortSignal | undefined, start: (token: NativeCancelToken) => Promise<T>): Promise<T> {
  throwIfAborted(signal);
  const token = new native.CancelToken();
  const onAbort = () => token.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await start(token);
  } catch (e) {
    if (signal?.aborted) throw abortedError(signal);
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
