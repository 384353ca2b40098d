/**
 * Errors thrown by convreg. Every error carries a stable `code` (as Node's own errors do);
 * argument errors are also `TypeError` or `RangeError` instances so that callers can catch
 * them by class.
 */

/**
 * Stable codes of every error convreg throws, in lib/ or in the native core (src/ throws
 * convreg::CodedError with one of these; binding/ sets it as the JS error's `code`).
 * test/error-codes.test.ts checks that every code in src/, binding/ and the README is listed here.
 */
export const ERROR_CODES = [
  "ERR_ARGUMENT",
  "ERR_SHAPE",
  "ERR_NONFINITE",
  "ERR_RANGE",
  "ERR_MEMORY_LIMIT",
  "ERR_NPY_HEADER",
  "ERR_KERNEL_FILE",
  "ERR_MODEL_FORMAT",
  "ERR_ABORTED",
  "ERR_NOT_CONVERGED",
  "ERR_NATIVE",
] as const;

/** Stable codes of every error convreg throws. */
export type ConvregErrorCode = (typeof ERROR_CODES)[number];

/** True when `value` is one of convreg's error codes. */
export function isErrorCode(value: unknown): value is ConvregErrorCode {
  return ERROR_CODES.some((code) => code === value);
}

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

/**
 * Wraps an exception from the native core. An error whose `code` property is one of ERROR_CODES
 * (the core's CodedError, see binding/worker.h) keeps its code and message; anything else is
 * ERR_NATIVE (validated input should never cause one).
 */
export function nativeError(e: unknown): ConvregError {
  const message = e instanceof Error ? e.message : String(e);
  const code = e instanceof Error && "code" in e ? e.code : undefined;
  if (isErrorCode(code)) return new ConvregError(code, message, { cause: e });
  return new ConvregError("ERR_NATIVE", message.startsWith("convreg") ? message : `convreg: ${message}`, { cause: e });
}
