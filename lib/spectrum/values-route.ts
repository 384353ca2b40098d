/**
 * Which dense route computes every singular value of M, and the error bound of each value.
 *
 * - "gram": square roots of the eigenvalues of the smaller Gram matrix (built from M's nonzeros,
 *   then dsyevd). Each value errs by at most min(sqrt(d), d / sigma_i), d = side eps sigma_max^2
 *   (MATH.md, src/dense_engine.h gramSingularValueError), so its relative bound grows as
 *   (sigma_max / sigma_i)^2.
 * - "svd": dgesdd on the dense M; every value within 4 eps sigma_max sqrt(rows cols).
 * - "auto": the Gram route when its stated bound gives every value to the relative tolerance
 *   (default {@link DEFAULT_GRAM_TOLERANCE}), else dgesdd. The check costs the Gram route's time
 *   (a quarter to a sixth of dgesdd's at N = 20) before a fallback.
 */
import { ConvregRangeError } from "../core/errors.js";
import type { NativePlan } from "../native/plan.js";
import type { TaskName } from "../native/functions.js";
import { runAsync, runSync } from "../native/plan.js";
import { requirePositive } from "../core/validate.js";

export type ValuesMethod = "svd" | "gram";

/**
 * Default relative accuracy the "auto" route demands of every Gram value: 1e-10, i.e. at least 10
 * correct significant digits in each singular value, which holds while sigma_max / sigma_min is below
 * about sqrt(1e-10 / (side eps)) (34 for a Gram side of 400, 19 for 1200).
 */
export const DEFAULT_GRAM_TOLERANCE = 1e-10;

/** Reads a `gramTolerance` option: a finite number in (0, 1), defaulting to {@link DEFAULT_GRAM_TOLERANCE}. */
export function requireGramTolerance(value: unknown, name: string): number {
  if (value === undefined) return DEFAULT_GRAM_TOLERANCE;
  const v = requirePositive(value, name);
  if (v >= 1) throw new ConvregRangeError("ERR_RANGE", `${name} is a relative accuracy and must be below 1, got ${v}`);
  return v;
}

/** The stated absolute error bound of each Gram-route value (descending values, Gram side `side`). */
export function gramValueBounds(values: Float64Array, side: number): Float64Array {
  const sigmaMax = values.length > 0 ? values[0] : 0;
  const d = side * Number.EPSILON * sigmaMax * sigmaMax;
  const root = Math.sqrt(d);
  return values.map((s) => (s > 0 ? Math.min(root, d / s) : root));
}

/** dgesdd's rounding bound, the same for every value: 4 eps sigma_max sqrt(rows cols). */
export function svdValueBounds(values: Float64Array, rows: number, cols: number): Float64Array {
  const sigmaMax = values.length > 0 ? values[0] : 0;
  return new Float64Array(values.length).fill(4 * Number.EPSILON * sigmaMax * Math.sqrt(rows * cols));
}

/** The largest bound / value over all values (0 when every bound is 0), or null when a value is 0 under a nonzero bound (no relative bound holds). */
export function largestRelativeBound(values: Float64Array, bounds: Float64Array): number | null {
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    if (bounds[i] === 0) continue;
    if (!(values[i] > 0)) return null;
    worst = Math.max(worst, bounds[i] / values[i]);
  }
  return worst;
}

/** The largest of some relative bounds, ignoring nulls; null when all are null. */
export function largestOf(bounds: ReadonlyArray<number | null>): number | null {
  return bounds.reduce<number | null>((a, b) => (b === null ? a : a === null ? b : Math.max(a, b)), null);
}

/** Every singular value with the route that computed it and its error bounds. */
export interface RoutedValues {
  values: Float64Array;
  method: ValuesMethod;
  /** Absolute error bound of each value (same order as `values`), a rounding-model bound. */
  errorBounds: Float64Array;
  /** The largest errorBounds[i] / values[i]; null when a value is 0 under a nonzero bound. */
  relativeErrorBound: number | null;
  /** The relative bound the Gram attempt reached; null when the Gram route was not tried or a value was 0. */
  gramRelativeBound: number | null;
}

/** The two dense routes of one M: plans are built lazily, so only the route that runs is memory-checked. */
export interface ValuesRoutes<Name extends TaskName> {
  gram(): NativePlan<Name, Float64Array>;
  svd(): NativePlan<Name, Float64Array>;
  rows: number;
  cols: number;
}

function fromGram(values: Float64Array, side: number): RoutedValues {
  const errorBounds = gramValueBounds(values, side);
  const relativeErrorBound = largestRelativeBound(values, errorBounds);
  return { values, method: "gram", errorBounds, relativeErrorBound, gramRelativeBound: relativeErrorBound };
}

function fromSvd(values: Float64Array, rows: number, cols: number, gramRelativeBound: number | null): RoutedValues {
  const errorBounds = svdValueBounds(values, rows, cols);
  return { values, method: "svd", errorBounds, relativeErrorBound: largestRelativeBound(values, errorBounds), gramRelativeBound };
}

/** True when the Gram values have a relative bound within the tolerance. */
const meets = (gram: RoutedValues, tolerance: number) => gram.relativeErrorBound !== null && gram.relativeErrorBound <= tolerance;

/** Runs `method` ("auto" tries the Gram route and keeps it when every value meets `tolerance`). */
export function routeValues<Name extends TaskName>(r: ValuesRoutes<Name>, method: ValuesMethod | "auto", tolerance: number): RoutedValues {
  const side = Math.min(r.rows, r.cols);
  if (method === "svd") return fromSvd(runSync(r.svd()), r.rows, r.cols, null);
  const gram = fromGram(runSync(r.gram()), side);
  if (method === "gram" || meets(gram, tolerance)) return gram;
  return fromSvd(runSync(r.svd()), r.rows, r.cols, gram.relativeErrorBound);
}

/** Async form of {@link routeValues}. */
export async function routeValuesAsync<Name extends TaskName>(r: ValuesRoutes<Name>, method: ValuesMethod | "auto", tolerance: number): Promise<RoutedValues> {
  const side = Math.min(r.rows, r.cols);
  if (method === "svd") return fromSvd(await runAsync(r.svd()), r.rows, r.cols, null);
  const gram = fromGram(await runAsync(r.gram()), side);
  if (method === "gram" || meets(gram, tolerance)) return gram;
  return fromSvd(await runAsync(r.svd()), r.rows, r.cols, gram.relativeErrorBound);
}
