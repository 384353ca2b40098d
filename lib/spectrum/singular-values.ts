/** Every singular value of M: LAPACK on the dense M, or per DFT frequency for circular padding. */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { requireChoice, requireInputSize, requireOptions } from "../core/validate.js";
import type { LayerOptions } from "../core/layer-options.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import { ConvregRangeError } from "../core/errors.js";
import { denseSpectrumPlan } from "../engines/dense.js";
import { circularDenseSpectrumPlan, circularSpectrumPlan } from "../engines/circular.js";
import { LAYER_PADDINGS, readLayerSpec, type LayerKindOptions, type LayerPadding } from "../core/layer-spec.js";
import { layerValuesPlan } from "../engines/layer-spectra.js";
import { expandPointwise, kernelValuesPlan, pointwiseCounts, pointwisePixels } from "../engines/pointwise.js";
import { requireMemory } from "../core/memory.js";

import { eachGroup, eachGroupAsync, readGroupCall } from "../core/groups.js";
import { unionDescending } from "./groups.js";

/** Options of the singular value computation. */
export interface SingularValueOptions extends LayerOptions, LayerKindOptions {
  /**
   * "svd" (default): LAPACK dgesdd on M, accurate to rounding relative to sigma_max for every value.
   * "gram": square roots of the eigenvalues of the smaller Gram matrix (built from M's nonzeros,
   * then dsyevd; no dense M), several times faster; each value errs by at most about
   * min(sqrt(d), d / sigma_i) with d = side * eps * sigma_max^2 (MATH.md), so values below about
   * 1e-8 * sigma_max lose their relative accuracy.
   */
  method?: "svd" | "gram" | "fft" | "pointwise";
  /**
   * "zero" (default) or "circular". Circular padding defaults to `method: "fft"`: the exact values
   * from zgesvd of each frequency's g x h block of the kernel's 2-D DFT, at a cost of about
   * N^2 (k g h + min(g,h)^2 max(g,h)). "svd" and "gram" then run on the dense block-circulant M.
   * "valid" (and `stride`, `dilation`, `width`, `transposed`): "svd" and "gram" run on that
   * layer's own M. A 1 x 1 kernel (k = 1, any layer) defaults to `method: "pointwise"`: K's
   * singular values, each Ho Wo times, then zeros, from one SVD of the g x h matrix K.
   */
  padding?: LayerPadding;
}

type ValuesTask = "denseSingularValues" | "circularSingularValues" | "circularDenseSingularValues" | "layerSingularValues";

function spectrumPlanFor(kernel: unknown, options: SingularValueOptions | undefined): NativePlan<ValuesTask, Float64Array> {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const padding = requireChoice(o.padding, "options.padding", LAYER_PADDINGS, "zero");
  const spec = readLayerSpec(k, o);
  if (k.shape[0] === 1 && (o.method === undefined || o.method === "pointwise")) {
    // 1 x 1: K's values, each kept-pixel count times (lib/engines/pointwise.ts); circular padding adds nothing for k = 1.
    const layer = spec ?? { height: n, width: n, stride: 1, dilation: 1, padding, transposed: false };
    const { count } = pointwiseCounts(k, layer);
    requireMemory(8 * count, `the ${count} singular values of the 1 x 1 layer`, o.memoryLimit);
    const plan = kernelValuesPlan(k, o.memoryLimit);
    return { ...plan, finish: (raw: Float64Array) => expandPointwise(raw, pointwisePixels(layer).kept, count) };
  }
  if (o.method === "pointwise") throw new ConvregRangeError("ERR_ARGUMENT", `options.method "pointwise" needs a 1 x 1 kernel (k = 1), got k = ${k.shape[0]}`);
  if (padding === "circular") {
    const method = requireChoice(o.method, "options.method", ["fft", "svd", "gram"], "fft");
    return method === "fft" ? circularSpectrumPlan(k, n, o.memoryLimit) : circularDenseSpectrumPlan(k, n, method, o.memoryLimit);
  }
  if (o.method === "fft") throw new ConvregRangeError("ERR_ARGUMENT", `options.method "fft" needs options.padding "circular" (the zero-padded M is not block circulant)`);
  const method = requireChoice(o.method, "options.method", ["svd", "gram"], "svd");
  if (spec) return layerValuesPlan(k, spec, method, o.memoryLimit);
  return denseSpectrumPlan(k, n, method, o.memoryLimit);
}

/** All `min(h N^2, g N^2)` singular values of M, descending (grouped, depthwise: the union of the groups'). */
export function singularValues(kernel: Kernel, options: SingularValueOptions): Float64Array {
  const groups = readGroupCall(kernel, options);
  if (groups) return unionDescending(eachGroup(groups.kernels, (k) => singularValues(k, groups.options)));
  return runSync(spectrumPlanFor(kernel, options));
}

/** Async form of {@link singularValues}. */
export async function singularValuesAsync(kernel: Kernel, options: SingularValueOptions): Promise<Float64Array> {
  const groups = readGroupCall(kernel, options);
  if (groups) return unionDescending(await eachGroupAsync(groups.kernels, (k) => singularValuesAsync(k, groups.options)));
  return runAsync(spectrumPlanFor(kernel, options));
}
