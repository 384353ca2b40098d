/**
 * The exact line search: the global minimizer over t > 0 of a polynomial (the quartic
 * F(K + tD) = c0 + c1 t + ... + c4 t^4), found from all real roots of its derivative.
 */

/** Horner evaluation of sum c[i] t^i. */
export function polynomialValue(c: ArrayLike<number>, t: number): number {
  let v = 0;
  for (let i = c.length - 1; i >= 0; i--) v = v * t + c[i];
  return v;
}

/** p(t) - p(0) evaluated without cancelling against c[0]. */
function changeFromZero(c: ArrayLike<number>, t: number): number {
  let v = 0;
  for (let i = c.length - 1; i >= 1; i--) v = v * t + c[i];
  return v * t;
}

function derivative(c: readonly number[]): number[] {
  return c.slice(1).map((v, i) => (i + 1) * v);
}

function trimmed(c: readonly number[]): number[] {
  let end = c.length;
  while (end > 0 && c[end - 1] === 0) end--;
  return c.slice(0, end);
}

// Bisection of a root bracketed by a sign change of p on [a, b], to the last bit.
function bisect(c: readonly number[], a: number, b: number, fa: number): number {
  for (;;) {
    const mid = a + (b - a) / 2;
    if (mid <= a || mid >= b) return Math.abs(polynomialValue(c, a)) <= Math.abs(polynomialValue(c, b)) ? a : b;
    const fm = polynomialValue(c, mid);
    if (fm === 0) return mid;
    if (Math.sign(fm) === Math.sign(fa)) {
      a = mid;
      fa = fm;
    } else b = mid;
  }
}

/**
 * All real roots of sum c[i] t^i in [lo, hi], ascending: the critical points (roots of the
 * derivative, recursively) split [lo, hi] into monotone pieces, and each piece with a sign change
 * holds exactly one root, found by bisection to full precision.
 */
export function realRoots(coefficients: readonly number[], lo: number, hi: number): number[] {
  const c = trimmed(coefficients);
  if (c.length <= 1) return [];
  if (c.length === 2) {
    const r = -c[0] / c[1];
    return r >= lo && r <= hi ? [r] : [];
  }
  const points = [lo, ...realRoots(derivative(c), lo, hi).filter((x) => x > lo && x < hi), hi];
  const roots: number[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const fa = polynomialValue(c, a);
    const fb = polynomialValue(c, b);
    if (fa === 0) roots.push(a);
    else if (fb !== 0 && Math.sign(fa) !== Math.sign(fb)) roots.push(bisect(c, a, b, fa));
  }
  if (polynomialValue(c, hi) === 0) roots.push(hi);
  return [...new Set(roots)];
}

/** Result of {@link minimizeOnPositiveAxis}. */
export interface LineMinimum {
  /** The global minimizer over t >= 0 (0 when no t > 0 lowers the polynomial). */
  t: number;
  /** p(t) - p(0) (<= 0). */
  change: number;
}

/**
 * The global minimizer over t > 0 of p(t) = sum c[i] t^i (degree <= 4 with c[last] > 0, or any
 * polynomial bounded below on t > 0): every real root of p' in (0, B], B the Cauchy bound of
 * those roots, is a candidate, and the lowest p wins; t = 0 when none is below p(0).
 */
export function minimizeOnPositiveAxis(coefficients: ArrayLike<number>): LineMinimum {
  const c = trimmed(Array.from(coefficients));
  const d = trimmed(derivative(c));
  if (d.length <= 1) return { t: 0, change: 0 };
  const lead = d[d.length - 1];
  let bound = 1;
  for (let i = 0; i < d.length - 1; i++) bound = Math.max(bound, 1 + Math.abs(d[i] / lead));
  let best: LineMinimum = { t: 0, change: 0 };
  for (const t of realRoots(d, 0, bound)) {
    if (t <= 0) continue;
    const change = changeFromZero(c, t);
    if (change < best.change) best = { t, change };
  }
  return best;
}
