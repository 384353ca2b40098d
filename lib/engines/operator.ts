/**
 * The layer as an operator: `M x` (apply the convolution) and `M^T y` (its adjoint) without
 * forming M, by one BLAS gemm per kernel tap over the channel dimension.
 */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { requireMemory } from "../core/memory.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import { ConvregRangeError, ConvregTypeError } from "../core/errors.js";
import { describe, requireInputSize, requireInteger, requireOptions } from "../core/validate.js";
import type { LayerOptions } from "../core/layer-options.js";

/** Options of {@link applyLayer} and {@link applyLayerTranspose}. */
export interface ApplyOptions extends LayerOptions {
  /** How many vectors `x` holds, one after another (default 1); they are processed in one batch. */
  count?: number;
}

/** Bytes of the native work buffers (padded input frame and padded-width output), as in src/conv_operator.cpp. */
export function operatorWorkBytes(kernel: Kernel, n: number, count: number): number {
  const [k, , g, h] = kernel.shape;
  const side = n + k - 1;
  const maxC = Math.max(g, h);
  return 8 * ((count * side * side + k) * maxC + count * side * side * maxC + Math.min(g, h) * n * n);
}

function applyPlan(kernel: unknown, x: unknown, options: ApplyOptions | undefined, transpose: boolean): NativePlan<"applyLayer" | "applyLayerTranspose", Float64Array> {
  const kern = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const count = o.count === undefined ? 1 : requireInteger(o.count, "options.count", 1);
  const [k, , g, h] = kern.shape;
  const inLength = (transpose ? h : g) * n * n;
  const outLength = (transpose ? g : h) * n * n;
  const name = transpose ? "y" : "x";
  if (!(x instanceof Float64Array)) throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be a Float64Array, got ${describe(x)}`);
  if (x.length !== count * inLength)
    throw new ConvregRangeError(
      "ERR_SHAPE",
      `${name} has ${x.length} entries but ${count} vector(s) of ${transpose ? "h" : "g"} N^2 = ${inLength} (N = ${n}) need ${count * inLength}`,
    );
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new ConvregRangeError("ERR_NONFINITE", `${name}[${i}] must be a finite number, got ${x[i]}`);
  requireMemory(operatorWorkBytes(kern, n, count) + 8 * count * (inLength + 2 * outLength), `applying the layer to ${count} vector(s) at N = ${n}`, o.memoryLimit);
  return { fn: transpose ? "applyLayerTranspose" : "applyLayer", args: [kern.data, k, g, h, n, x, count], finish: (raw) => raw };
}

/**
 * `M x`: the convolution of the input `x` (length `g N^2` per vector, entry `d N^2 + r N + s`
 * is pixel (r, s) of input channel d, the column numbering of {@link transformMatrix}) with
 * zero padding. Returns `h N^2` entries per vector (row numbering of M). Batches of
 * `options.count` vectors are stored one after another.
 */
export function applyLayer(kernel: Kernel, x: Float64Array, options: ApplyOptions): Float64Array {
  return runSync(applyPlan(kernel, x, options, false));
}

/** Async form of {@link applyLayer}. */
export async function applyLayerAsync(kernel: Kernel, x: Float64Array, options: ApplyOptions): Promise<Float64Array> {
  return runAsync(applyPlan(kernel, x, options, false));
}

/** `M^T y`: the adjoint of {@link applyLayer}, from `h N^2` entries per vector to `g N^2`. */
export function applyLayerTranspose(kernel: Kernel, y: Float64Array, options: ApplyOptions): Float64Array {
  return runSync(applyPlan(kernel, y, options, true));
}

/** Async form of {@link applyLayerTranspose}. */
export async function applyLayerTransposeAsync(kernel: Kernel, y: Float64Array, options: ApplyOptions): Promise<Float64Array> {
  return runAsync(applyPlan(kernel, y, options, true));
}
