/**
 * The `out` option of penaltyAndGradient and gradient: an array of the caller's that the call
 * fills with dF/dK instead of a fresh one (an optimizer loop then allocates nothing per step).
 */
import { ConvregRangeError, ConvregTypeError } from "../core/errors.js";
import type { Kernel } from "../core/kernel.js";
import { describe } from "../core/validate.js";

/** Checks options.out against the validated kernel: undefined, or a Float64Array of the kernel's length not overlapping its data. */
export function requireGradientOut(out: unknown, kernel: Kernel): Float64Array | undefined {
  if (out === undefined) return undefined;
  if (!(out instanceof Float64Array)) throw new ConvregTypeError("ERR_ARGUMENT", `options.out must be a Float64Array, got ${describe(out)}`);
  const length = kernel.data.length;
  if (out.length !== length) throw new ConvregRangeError("ERR_SHAPE", `options.out must have the kernel's ${length} entries, got ${out.length}`);
  const data = kernel.data;
  if (out.buffer === data.buffer && out.byteOffset < data.byteOffset + data.byteLength && data.byteOffset < out.byteOffset + out.byteLength)
    throw new ConvregRangeError("ERR_ARGUMENT", "options.out must not overlap kernel.data");
  return out;
}
