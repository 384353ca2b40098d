/** The spectrum of a grouped or depthwise layer from its groups' (the rules in groups.ts). */
import type { DenseRoute, Spectrum } from "./types.js";
import { unionDescending, unionWithBounds, weakestBound } from "./groups.js";
import { largestOf, largestRelativeBound } from "./values-route.js";

const minOrNull = (values: ReadonlyArray<number | null>): number | null => (values.some((v) => v === null) ? null : (values as number[]).reduce((a, b) => Math.min(a, b)));
const largest = (values: readonly number[]): number => values.reduce((a, b) => Math.max(a, b));

/** The layer's spectrum from its groups' (all computed with the same options). */
export function combineSpectra(parts: readonly Spectrum[]): Spectrum {
  const top = parts.reduce((a, b) => (b.sigmaMax > a.sigmaMax ? b : a), parts[0]);
  const sigmaMinBound = weakestBound(parts.map((p) => p.bound.sigmaMin));
  return {
    method: parts[0].method,
    sigmaMax: top.sigmaMax,
    sigmaMaxBound: largest(parts.map((p) => p.sigmaMaxBound)),
    sigmaMaxConverged: parts.every((p) => p.sigmaMaxConverged),
    sigmaMin: minOrNull(parts.map((p) => p.sigmaMin)),
    sigmaMinLower: minOrNull(parts.map((p) => p.sigmaMinLower)),
    sigmaMinUpper: minOrNull(parts.map((p) => p.sigmaMinUpper)),
    sigmaMinCertified: sigmaMinBound === "proven",
    bound: { sigmaMax: weakestBound(parts.map((p) => p.bound.sigmaMax)), sigmaMin: sigmaMinBound },
    values: parts.every((p) => p.values !== null) ? unionDescending(parts.map((p) => p.values as Float64Array)) : null,
    iterations: parts.reduce((sum, p) => sum + p.iterations, 0),
    ...combineUpper(parts),
    ...combineRoutes(parts),
  };
}

/** The dense route of a grouped layer: "mixed" when the groups' routes differ; the bounds follow the merged values. */
function combineRoutes(parts: readonly Spectrum[]): Pick<Spectrum, "denseRoute"> {
  const routes = parts.map((p) => p.denseRoute);
  if (routes.some((r) => r === undefined) || parts.some((p) => p.values === null)) return {};
  const all = routes as DenseRoute[];
  const { values, bounds } = unionWithBounds(parts.map((p, i) => ({ values: p.values as Float64Array, bounds: all[i].errorBounds })));
  return {
    denseRoute: {
      method: all.every((r) => r.method === all[0].method) ? all[0].method : "mixed",
      errorBounds: bounds,
      relativeErrorBound: largestRelativeBound(values, bounds),
      gramTolerance: all[0].gramTolerance,
      gramRelativeBound: largestOf(all.map((r) => r.gramRelativeBound)),
    },
  };
}

/** The symbol's upper value of sigma_max: the largest of the groups', null if one is null, absent if all are. */
function combineUpper(parts: readonly Spectrum[]): Pick<Spectrum, "sigmaMaxUpper"> {
  const uppers = parts.map((p) => p.sigmaMaxUpper);
  if (uppers.every((u) => u === undefined)) return {};
  return { sigmaMaxUpper: uppers.some((u) => u === undefined || u === null) ? null : largest(uppers as number[]) };
}
