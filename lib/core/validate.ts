/** Argument checks shared by the API: each names the argument and the constraint. */
import { ConvregRangeError, ConvregTypeError } from "./errors.js";

/** The largest input size accepted anywhere (keeps every index computation exact in doubles). */
export const MAX_INPUT_SIZE = 1 << 20;

/** Checks an integer in [min, max] and returns it. */
export function requireInteger(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number") throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value)) throw new ConvregRangeError("ERR_RANGE", `${name} must be an integer, got ${value}`);
  if (value < min || value > max) {
    const bound = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new ConvregRangeError("ERR_RANGE", `${name} must be an integer ${bound}, got ${value}`);
  }
  return value;
}

/** Checks the input size n (an integer >= 1). */
export function requireInputSize(value: unknown, name = "n"): number {
  return requireInteger(value, name, 1, MAX_INPUT_SIZE);
}

/** Checks a finite number strictly greater than zero. */
export function requirePositive(value: unknown, name: string): number {
  if (typeof value !== "number") throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be a number, got ${describe(value)}`);
  if (!Number.isFinite(value) || value <= 0) throw new ConvregRangeError("ERR_RANGE", `${name} must be a finite number > 0, got ${value}`);
  return value;
}

/** Checks alpha (finite, > 0), defaulting to 1. */
export function requireAlpha(value: unknown): number {
  return value === undefined ? 1 : requirePositive(value, "alpha");
}

/** Checks that a value is one of the allowed strings. */
export function requireChoice<const T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value))
    throw new ConvregRangeError("ERR_ARGUMENT", `${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${describe(value)}`);
  return value as T;
}

/** Checks an options object (undefined becomes {}). */
export function requireOptions<T extends object>(value: T | undefined, name = "options"): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== "object") throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be an object, got ${describe(value)}`);
  return value;
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
