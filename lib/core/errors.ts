/**
 * Errors thrown by convreg. Every error carries a stable `code` (as Node's own errors do);
 * argument errors are also `TypeError` or `RangeError` instances so that callers can catch
 * them by class.
 */

/** Stable codes of every error convreg throws. */
export type ConvregErrorCode =
  | "ERR_ARGUMENT"
  | "ERR_SHAPE"
  | "ERR_NONFINITE"
  | "ERR_RANGE"
  | "ERR_MEMORY_LIMIT"
  | "ERR_NPY_HEADER"
  | "ERR_KERNEL_FILE"
  | "ERR_MODEL_FORMAT"
  | "ERR_ABORTED"
  | "ERR_NOT_CONVERGED"
  | "ERR_NATIVE";

/** Fields shared by every convreg error. */
export interface ConvregErrorFields {
  readonly code: ConvregErrorCode;
}

/** A failure that is not about one argument's type or range (files, limits, native calls). */
export class ConvregError extends Error implements ConvregErrorFields {
  readonly code: ConvregErrorCode;
  constructor(code: ConvregErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConvregError";
    this.code = code;
  }
}

/** An argument of the wrong type or structure. */
export class ConvregTypeError extends TypeError implements ConvregErrorFields {
  readonly code: ConvregErrorCode;
  constructor(code: ConvregErrorCode, message: string) {
    super(message);
    this.name = "TypeError";
    this.code = code;
  }
}

/** An argument of the right type outside its allowed range. */
export class ConvregRangeError extends RangeError implements ConvregErrorFields {
  readonly code: ConvregErrorCode;
  constructor(code: ConvregErrorCode, message: string) {
    super(message);
    this.name = "RangeError";
    this.code = code;
  }
}

/** True for any error thrown by convreg (all of them carry a `code` starting with `ERR_`). */
export function isConvregError(e: unknown): e is Error & ConvregErrorFields {
  return e instanceof ConvregError || e instanceof ConvregTypeError || e instanceof ConvregRangeError;
}

const CODES: ReadonlySet<string> = new Set<ConvregErrorCode>([
  "ERR_ARGUMENT", "ERR_SHAPE", "ERR_NONFINITE", "ERR_RANGE", "ERR_MEMORY_LIMIT", "ERR_NPY_HEADER",
  "ERR_KERNEL_FILE", "ERR_MODEL_FORMAT", "ERR_ABORTED", "ERR_NOT_CONVERGED", "ERR_NATIVE",
]);

/**
 * Wraps an exception from the native core. A message of the form "[ERR_X] text" (the core's
 * coded errors) keeps its code; anything else is ERR_NATIVE (validated input should never cause one).
 */
export function nativeError(e: unknown): ConvregError {
  const message = e instanceof Error ? e.message : String(e);
  const coded = /^\[(ERR_[A-Z_]+)\] ([\s\S]*)$/.exec(message);
  if (coded && CODES.has(coded[1])) return new ConvregError(coded[1] as ConvregErrorCode, coded[2], { cause: e });
  return new ConvregError("ERR_NATIVE", message.startsWith("convreg") ? message : `convreg: ${message}`, { cause: e });
}
