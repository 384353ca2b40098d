/**
 * Closed forms for 1 x 1 kernels (k = 1), any stride, padding, dilation, H x W, transposed.
 * With K the g x h matrix K[i][o] and S the Ho Wo x H W selection of the kept pixels (for k = 1
 * no padding is ever added and the tap reads pixel (r s, c s)), the forward M is K^T (x) S, so
 * - M^T M = K K^T (x) S^T S, S^T S diagonal with Ho Wo ones among H W: F = Ho Wo ||K K^T - a I_g||^2
 *   + (H W - Ho Wo) g a^2, and dF/dK = Ho Wo * 4 (K K^T - a I) K;
 * - a transposed layer's F is ||M M^T - a I||^2 = Ho Wo ||K^T K - a I_h||^2
 *   = Ho Wo (||K K^T - a I_g||^2 + a^2 (h - g)), same gradient;
 * - the singular values are those of K, each Ho Wo times, then zeros up to min(rows, cols).
 * Everything reduces to the 1 x 1 circular layer at N = 1 (whose M is K^T): microseconds at any N.
 */
import type { Kernel } from "../core/kernel.js";
import type { LayerSpec } from "../core/layer-spec.js";
import type { NativePlan } from "../native/plan.js";
import type { PenaltyAndGradientPlan } from "./kernel-args.js";
import { circularGradientPlan, circularLineQuarticPlan, circularPenaltyPlan } from "./circular.js";
import { denseSpectrumPlan } from "./dense.js";

/** Kept pixels Ho Wo (each output reads one input pixel) and all pixels H W. */
export function pointwisePixels(spec: Pick<LayerSpec, "height" | "width" | "stride">): { kept: number; all: number } {
  return { kept: Math.ceil(spec.height / spec.stride) * Math.ceil(spec.width / spec.stride), all: spec.height * spec.width };
}

/** F(layer) = scale * F(K^T) + shift, F(K^T) = ||K K^T - a I_g||^2. */
function affine(kernel: Kernel, spec: LayerSpec, alpha: number): { scale: number; shift: number } {
  const [, , g, h] = kernel.shape;
  const { kept, all } = pointwisePixels(spec);
  return spec.transposed ? { scale: kept, shift: kept * alpha * alpha * (h - g) } : { scale: kept, shift: (all - kept) * g * alpha * alpha };
}

export function pointwisePenaltyPlan(kernel: Kernel, spec: LayerSpec, alpha: number, limit?: number): NativePlan<"circularPenalty", number> {
  const plan = circularPenaltyPlan(kernel, 1, alpha, limit);
  const { scale, shift } = affine(kernel, spec, alpha);
  return { ...plan, finish: (raw: number) => scale * raw + shift };
}

export function pointwiseGradientPlan(kernel: Kernel, spec: LayerSpec, alpha: number, limit?: number, out?: Float64Array): PenaltyAndGradientPlan {
  const plan = circularGradientPlan(kernel, 1, alpha, limit, out);
  const { scale, shift } = affine(kernel, spec, alpha);
  return {
    ...plan,
    finish: (penalty: number) => {
      const data = plan.finish(penalty).gradient.data; // the array the call filled: scaled in place
      for (let i = 0; i < data.length; i++) data[i] *= scale;
      return { penalty: scale * penalty + shift, gradient: { shape: kernel.shape, data } };
    },
  };
}

export function pointwiseLineQuarticPlan(kernel: Kernel, direction: Kernel, spec: LayerSpec, alpha: number, limit?: number): NativePlan<"circularLineQuartic", Float64Array> {
  const plan = circularLineQuarticPlan(kernel, direction, 1, alpha, false, limit);
  const { scale, shift } = affine(kernel, spec, alpha);
  return {
    ...plan,
    finish: (raw: Float64Array) => {
      const c = plan.finish(raw).map((v) => scale * v);
      c[0] += shift;
      return c;
    },
  };
}

/** The singular values of K (g x h), descending: dgesdd of the N = 1 M, which is K^T. */
export function kernelValuesPlan(kernel: Kernel, limit?: number): NativePlan<"denseSingularValues", Float64Array> {
  return denseSpectrumPlan(kernel, 1, "svd", limit);
}

/** How many singular values the layer's M has, and how many are K's (the rest are zero). */
export function pointwiseCounts(kernel: Kernel, spec: LayerSpec): { count: number; fromKernel: number } {
  const [, , g, h] = kernel.shape;
  const { kept, all } = pointwisePixels(spec);
  return { count: Math.min(h * kept, g * all), fromKernel: Math.min(g, h) * kept };
}

/** Every singular value of the layer's M from K's: each kept-pixel count times, then zeros. */
export function expandPointwise(kernelValues: Float64Array, kept: number, count: number): Float64Array {
  const out = new Float64Array(count);
  let at = 0;
  for (const v of kernelValues) {
    out.fill(v, at, at + kept);
    at += kept;
  }
  return out;
}
