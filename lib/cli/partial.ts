/**
 * Partial results: a part of a command's output that could not be computed (memory guard,
 * no convergence, native failure) becomes null with the reason, and the rest is still reported.
 * Argument errors (TypeError/RangeError codes) are not caught: they stop the command.
 */
import { ConvregError, isConvregError } from "../core/errors.js";

/** Why a value is missing: the error's stable code and message. */
export interface Reason {
  code: string;
  message: string;
}

export type Part<T> = { value: T; reason: null } | { value: null; reason: Reason };

/** The reason of a convreg error that is about resources or computation, not about the arguments; else null. */
export function resourceReason(e: unknown): Reason | null {
  return e instanceof ConvregError ? { code: e.code, message: e.message } : null;
}

/** The reason of any convreg error (a report row records every failure of its layer); else null. */
export function anyReason(e: unknown): Reason | null {
  return isConvregError(e) ? { code: e.code, message: e.message } : null;
}

/** Runs `f`; a resource failure becomes `{ value: null, reason }`, anything else is rethrown. */
export async function attempt<T>(f: () => Promise<T> | T): Promise<Part<T>> {
  try {
    return { value: await f(), reason: null };
  } catch (e) {
    const reason = resourceReason(e);
    if (reason === null) throw e;
    return { value: null, reason };
  }
}

/** "not computed: <message> [<code>]" for text output. */
export function reasonText(reason: Reason): string {
  return `not computed: ${reason.message} [${reason.code}]`;
}
