/**
 * Reductions over arrays of any length. Spreading an array into Math.max and friends passes every element as a
 * call argument and overflow the call stack past ~100,000 elements; these loops do not.
 */

/** Largest element, or `empty` for an empty array (NaN elements make the result NaN, as Math.max does). */
export function maxOf(values: ArrayLike<number>, empty = Number.NEGATIVE_INFINITY): number {
  if (values.length === 0) return empty;
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) return Number.NaN;
    if (v > m) m = v;
  }
  return m;
}

/** Smallest element, or `empty` for an empty array (NaN elements make the result NaN, as Math.min does). */
export function minOf(values: ArrayLike<number>, empty = Number.POSITIVE_INFINITY): number {
  if (values.length === 0) return empty;
  let m = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) return Number.NaN;
    if (v < m) m = v;
  }
  return m;
}

/** sqrt(sum x_i^2) without overflow or underflow (scaled by the largest |x_i|, as Math.hypot is). */
export function euclideanNorm(values: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a === Number.POSITIVE_INFINITY) return a;
    if (Number.isNaN(a)) return Number.NaN;
    if (a > scale) scale = a;
  }
  if (scale === 0) return 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const r = values[i] / scale;
    sum += r * r;
  }
  return scale * Math.sqrt(sum);
}

/**
 * Whether every entry is finite: x * 0 is (±)0 for a finite x and NaN for ±Infinity or NaN, so the
 * sum is 0 exactly when all are. One multiply-add per entry and no branch (the small calls check
 * their kernel and their gradient this way on every call); two sums shorten the dependency chain.
 */
export function allFinite(values: Float64Array): boolean {
  let even = 0;
  let odd = 0;
  const n = values.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    even += values[i] * 0;
    odd += values[i + 1] * 0;
  }
  if (i < n) even += values[i] * 0;
  return even + odd === 0;
}
