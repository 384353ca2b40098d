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
