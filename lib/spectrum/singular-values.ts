/** Every singular value of M: the Gram route or LAPACK on the dense M, or per DFT frequency for circular padding. */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { requireChoice, requireInputSize, requireOptions } from "../core/validate.js";
import type { LayerOptions } from "../core/layer-options.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import { ConvregRangeError } from "../core/errors.js";
import { denseSpectrumPlan, matrixSize } from "../engines/dense.js";
import { circularDenseSpectrumPlan, circularSpectrumPlan } from "../engines/circular.js";
import { LAYER_PADDINGS, readLayerSpec, type LayerKindOptions, type LayerPadding } from "../core/layer-spec.js";
import { layerMatrixSize, layerValuesPlan } from "../engines/layer-spectra.js";
import { expandPointwise, kernelValuesPlan, pointwiseCounts, pointwisePixels } from "../engines/pointwise.js";
import { requireMemory } from "../core/memory.js";
import { fftBound } from "./circular.js";
import { kernelBound } from "./pointwise.js";
import { largestOf, largestRelativeBound, requireGramTolerance, routeValues, routeValuesAsync, type RoutedValues, type ValuesMethod, type ValuesRoutes } from "./values-route.js";

import { eachGroup, eachGroupAsync, readGroupCall } from "../core/groups.js";
import { unionWithBounds } from "./groups.js";

/** Options of the singular value computation. */
export interface SingularValueOptions extends LayerOptions, LayerKindOptions {
  /**
   * "auto" (default): the "gram" route when its stated bound gives every value to the relative
   * accuracy `gramTolerance` (default 1e-10), else "svd". The result of
   * {@link singularValuesDetailed} says which ran.
   * "svd": LAPACK dgesdd on M, accurate to rounding relative to sigma_max for every value
   * (4 eps sigma_max sqrt(rows cols)).
   * "gram": square roots of the eigenvalues of the smaller Gram matrix (built from M's nonzeros,
   * then dsyevd; no dense M), 4-6x faster than dgesdd at N = 20; each value errs by at most
   * min(sqrt(d), d / sigma_i) with d = side * eps * sigma_max^2 (MATH.md), so values below about
   * 1e-8 * sigma_max lose their relative accuracy.
   */
  method?: "auto" | "svd" | "gram" | "fft" | "pointwise";
  /**
   * "auto" only: the relative accuracy demanded of every value before the Gram route's values are
   * returned, a number in (0, 1) (default 1e-10); the check is bound_i / sigma_i <= gramTolerance
   * for every i, with the stated bound above.
   */
  gramTolerance?: number;
  /**
   * "zero" (default) or "circular". Circular padding defaults to `method: "fft"`: the exact values
   * from zgesvd of each frequency's g x h block of the kernel's 2-D DFT, at a cost of about
   * N^2 (k g h + min(g,h)^2 max(g,h)). "svd" and "gram" then run on the dense block-circulant M.
   * "valid" (and `stride`, `dilation`, `width`, `transposed`): "auto", "svd" and "gram" run on that
   * layer's own M. A 1 x 1 kernel (k = 1, any layer) defaults to `method: "pointwise"`: K's
   * singular values, each Ho Wo times, then zeros, from one SVD of the g x h matrix K.
   */
  padding?: LayerPadding;
}

/** Every singular value with the method that computed it and the error bound of each. */
export interface SingularValuesResult {
  /** All `min(rows, cols)` singular values, descending. */
  values: Float64Array;
  /**
   * The route that ran: "gram" or "svd" (what "auto" chose, or the one asked for), "fft" (circular
   * padding), "pointwise" (k = 1), or "mixed" when the groups of a grouped layer took different routes.
   */
  method: ValuesMethod | "fft" | "pointwise" | "mixed";
  /** Absolute error bound of each value (same order as `values`): a rounding-model bound, not a proof. */
  errorBounds: Float64Array;
  /** The largest errorBounds[i] / values[i]; null when a value is 0 under a nonzero bound (no relative bound holds). */
  relativeErrorBound: number | null;
  /** The tolerance "auto" held the Gram route to. */
  gramTolerance: number;
  /**
   * The relative bound the Gram route reached when it was tried (its refusal reason when method is
   * "svd"); null when it was not tried or reached none (a value of 0). Grouped layers: the largest of the groups'.
   */
  gramRelativeBound: number | null;
}

type ValuesTask = "denseSingularValues" | "circularSingularValues" | "circularDenseSingularValues" | "layerSingularValues";

/** One native call whose values have one closed-form bound, or the two dense routes of M. */
type ValuesJob =
  | { kind: "single"; method: "fft" | "pointwise"; plan: NativePlan<ValuesTask, Float64Array>; bound: (values: Float64Array) => number }
  | { kind: "routes"; method: ValuesMethod | "auto"; routes: ValuesRoutes<ValuesTask> };

function valuesJob(kernel: unknown, options: SingularValueOptions | undefined): ValuesJob {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const padding = requireChoice(o.padding, "options.padding", LAYER_PADDINGS, "zero");
  const spec = readLayerSpec(k, o);
  const limit = o.memoryLimit;
  const [, , g, h] = k.shape;
  const auto = o.method === undefined || o.method === "auto";
  if (k.shape[0] === 1 && (auto || o.method === "pointwise")) {
    // 1 x 1: K's values, each kept-pixel count times (lib/engines/pointwise.ts); circular padding adds nothing for k = 1.
    const layer = spec ?? { height: n, width: n, stride: 1, dilation: 1, padding, transposed: false };
    const { count } = pointwiseCounts(k, layer);
    requireMemory(8 * count, `the ${count} singular values of the 1 x 1 layer`, limit);
    const plan = kernelValuesPlan(k, limit);
    return {
      kind: "single",
      method: "pointwise",
      plan: { ...plan, finish: (raw: Float64Array) => expandPointwise(raw, pointwisePixels(layer).kept, count) },
      bound: (v) => kernelBound(k, v[0] ?? 0),
    };
  }
  if (o.method === "pointwise") throw new ConvregRangeError("ERR_ARGUMENT", `options.method "pointwise" needs a 1 x 1 kernel (k = 1), got k = ${k.shape[0]}`);
  if (padding === "circular") {
    const method = requireChoice(o.method, "options.method", ["auto", "fft", "svd", "gram"], "fft");
    if (method === "fft" || method === "auto") return { kind: "single", method: "fft", plan: circularSpectrumPlan(k, n, limit), bound: (v) => fftBound(k, v[0] ?? 0) };
    const routes = { gram: () => circularDenseSpectrumPlan(k, n, "gram", limit), svd: () => circularDenseSpectrumPlan(k, n, "svd", limit), rows: h * n * n, cols: g * n * n };
    return { kind: "routes", method, routes };
  }
  if (o.method === "fft") throw new ConvregRangeError("ERR_ARGUMENT", `options.method "fft" needs options.padding "circular" (the zero-padded M is not block circulant)`);
  const method = requireChoice(o.method, "options.method", ["auto", "svd", "gram"], "auto");
  if (spec) {
    const { rows, cols } = layerMatrixSize(k, spec);
    return { kind: "routes", method, routes: { gram: () => layerValuesPlan(k, spec, "gram", limit), svd: () => layerValuesPlan(k, spec, "svd", limit), rows, cols } };
  }
  const { rows, cols } = matrixSize(k, n);
  return { kind: "routes", method, routes: { gram: () => denseSpectrumPlan(k, n, "gram", limit), svd: () => denseSpectrumPlan(k, n, "svd", limit), rows, cols } };
}

function fromSingle(job: Extract<ValuesJob, { kind: "single" }>, values: Float64Array, gramTolerance: number): SingularValuesResult {
  const errorBounds = new Float64Array(values.length).fill(job.bound(values));
  return { values, method: job.method, errorBounds, relativeErrorBound: largestRelativeBound(values, errorBounds), gramTolerance, gramRelativeBound: null };
}

const withTolerance = (r: RoutedValues, gramTolerance: number): SingularValuesResult => ({ ...r, gramTolerance });

function detailedSync(kernel: unknown, options: SingularValueOptions | undefined): SingularValuesResult {
  const job = valuesJob(kernel, options);
  const tolerance = requireGramTolerance(options?.gramTolerance, "options.gramTolerance");
  if (job.kind === "single") return fromSingle(job, runSync(job.plan), tolerance);
  return withTolerance(routeValues(job.routes, job.method, tolerance), tolerance);
}

async function detailedAsync(kernel: unknown, options: SingularValueOptions | undefined): Promise<SingularValuesResult> {
  const job = valuesJob(kernel, options);
  const tolerance = requireGramTolerance(options?.gramTolerance, "options.gramTolerance");
  if (job.kind === "single") return fromSingle(job, await runAsync(job.plan), tolerance);
  return withTolerance(await routeValuesAsync(job.routes, job.method, tolerance), tolerance);
}

/** A grouped layer's values from its groups': the union with each value's bound, the route "mixed" when the groups differ. */
function combineGroups(parts: readonly SingularValuesResult[]): SingularValuesResult {
  const { values, bounds } = unionWithBounds(parts.map((p) => ({ values: p.values, bounds: p.errorBounds })));
  return {
    values,
    method: parts.every((p) => p.method === parts[0].method) ? parts[0].method : "mixed",
    errorBounds: bounds,
    relativeErrorBound: largestRelativeBound(values, bounds),
    gramTolerance: parts[0].gramTolerance,
    gramRelativeBound: largestOf(parts.map((p) => p.gramRelativeBound)),
  };
}

/**
 * All `min(h N^2, g N^2)` singular values of M with the route that computed them and each value's
 * error bound (grouped, depthwise: the union of the groups').
 */
export function singularValuesDetailed(kernel: Kernel, options: SingularValueOptions): SingularValuesResult {
  const groups = readGroupCall(kernel, options);
  if (groups) return combineGroups(eachGroup(groups.kernels, (k) => singularValuesDetailed(k, groups.options)));
  return detailedSync(kernel, options);
}

/** Async form of {@link singularValuesDetailed}. */
export async function singularValuesDetailedAsync(kernel: Kernel, options: SingularValueOptions): Promise<SingularValuesResult> {
  const groups = readGroupCall(kernel, options);
  if (groups) return combineGroups(await eachGroupAsync(groups.kernels, (k) => singularValuesDetailedAsync(k, groups.options)));
  return detailedAsync(kernel, options);
}

/** All `min(h N^2, g N^2)` singular values of M, descending (grouped, depthwise: the union of the groups'). */
export function singularValues(kernel: Kernel, options: SingularValueOptions): Float64Array {
  return singularValuesDetailed(kernel, options).values;
}

/** Async form of {@link singularValues}. */
export async function singularValuesAsync(kernel: Kernel, options: SingularValueOptions): Promise<Float64Array> {
  return (await singularValuesDetailedAsync(kernel, options)).values;
}
