/**
 * Spectra of grouped and depthwise layers from their groups': M is block diagonal, so its
 * singular values are the union of the blocks', sigma_max the largest of the groups' and
 * sigma_min the smallest. Bounds combine as the worst of the groups' (|max a - max b| and
 * |min a - min b| are at most max |a_i - b_i|), and a bound is only as strong as the weakest.
 */
/** BoundKind of sigma-min.ts, spelt out here so that this file imports nothing (sigma-min.ts imports it). */
type Bound = "proven" | "probabilistic" | "none";

/** What {@link combineSigmaMin} reads of a group's sigma_min result. */
interface SigmaMinPart {
  sigmaMin: number;
  lower: number;
  upper: number;
  relativeWidth: number;
  bound: Bound;
  certified: boolean;
  vector: Float64Array;
}

/** The groups' singular values merged, descending. */
export function unionDescending(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.sort().reverse();
}

/** The groups' singular values merged, descending, each keeping its own error bound. */
export function unionWithBounds(parts: ReadonlyArray<{ values: Float64Array; bounds: Float64Array }>): { values: Float64Array; bounds: Float64Array } {
  const pairs: Array<[number, number]> = [];
  for (const p of parts) p.values.forEach((v, i) => pairs.push([v, p.bounds[i]]));
  pairs.sort((a, b) => b[0] - a[0]);
  return { values: Float64Array.from(pairs, (p) => p[0]), bounds: Float64Array.from(pairs, (p) => p[1]) };
}

const STRENGTH: Record<Bound, number> = { none: 0, probabilistic: 1, proven: 2 };

/** The weakest of the groups' bound kinds. */
export function weakestBound<B extends Bound>(kinds: readonly B[]): B {
  return kinds.reduce((a, b) => (STRENGTH[b] < STRENGTH[a] ? b : a));
}

/**
 * The layer's sigma_min from its groups': the group with the smallest estimate gives the
 * estimate, certificate and details, its vector placed in that group's block of the layer's
 * rows or columns; the bracket is [min of the lower ends, min of the upper ends], as strong as
 * the weakest group's.
 */
export function combineSigmaMin<R extends SigmaMinPart>(parts: readonly R[]): R {
  let best = 0;
  parts.forEach((p, i) => {
    if (p.sigmaMin < parts[best].sigmaMin) best = i;
  });
  const chosen = parts[best];
  const lower = parts.reduce((m, p) => Math.min(m, p.lower), Infinity);
  const upper = parts.reduce((m, p) => Math.min(m, p.upper), Infinity);
  const bound = weakestBound(parts.map((p) => p.bound));
  const blockLength = chosen.vector.length;
  const vector = new Float64Array(blockLength * parts.length);
  vector.set(chosen.vector, best * blockLength);
  return {
    ...chosen,
    lower,
    upper,
    relativeWidth: upper > 0 ? (upper - lower) / upper : 0,
    bound,
    certified: bound === "proven",
    vector,
  };
}
