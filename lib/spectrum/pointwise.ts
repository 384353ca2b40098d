/**
 * The spectrum and all singular values of a 1 x 1 layer in closed form (lib/engines/pointwise.ts):
 * K's singular values, each Ho Wo times, then zeros. Cost: one SVD of the g x h matrix K.
 */
import type { Kernel } from "../core/kernel.js";
import type { LayerSpec } from "../core/layer-spec.js";
import { requireMemory } from "../core/memory.js";
import { runSync } from "../native/plan.js";
import { expandPointwise, kernelValuesPlan, pointwiseCounts, pointwisePixels } from "../engines/pointwise.js";
import type { Spectrum } from "./types.js";
import { roundingModelSpectrum } from "./from-values.js";

/** Largest value list the closed-form spectrum carries in `values` (beyond it, values is null). */
const MAX_SPECTRUM_VALUES = 1 << 22;

/** Rounding bound of every value of the closed form: the g x h SVD of K's backward error. */
export function kernelBound(kernel: Kernel, sigmaMax: number): number {
  const [, , g, h] = kernel.shape;
  return 4 * Number.EPSILON * sigmaMax * Math.sqrt(g * h);
}

/** All min(rows, cols) singular values of the 1 x 1 layer, descending. */
export function pointwiseSingularValues(kernel: Kernel, spec: LayerSpec, limit?: number): Float64Array {
  const { count } = pointwiseCounts(kernel, spec);
  requireMemory(8 * count, `the ${count} singular values of the 1 x 1 layer`, limit);
  return expandPointwise(runSync(kernelValuesPlan(kernel, limit)), pointwisePixels(spec).kept, count);
}

/** The spectrum of a 1 x 1 layer (method "pointwise"): exact up to the rounding of K's SVD. */
export function pointwiseSpectrum(kernel: Kernel, spec: LayerSpec, limit?: number): Spectrum {
  const { count, fromKernel } = pointwiseCounts(kernel, spec);
  const small = runSync(kernelValuesPlan(kernel, limit));
  const sigmaMax = small[0];
  // Fewer values from K than M has: the rest are exact zeros (columns or rows no output reads).
  const sigmaMin = fromKernel < count ? 0 : small[small.length - 1];
  const bound = kernelBound(kernel, sigmaMax);
  const values = count <= MAX_SPECTRUM_VALUES ? expandPointwise(small, pointwisePixels(spec).kept, count) : null;
  return roundingModelSpectrum("pointwise", sigmaMax, sigmaMin, bound, values);
}
