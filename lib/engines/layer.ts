/**
 * Plans for layers with a stride, VALID padding, dilation, an H x W input or a transposed
 * M (src/layer_engine, MATH.md section 8): the penalty, its gradient and the line quartic from
 * tap Gram matrices and per-axis class counts, at a cost independent of H and W. A transposed
 * circular layer reuses the circular engine through F(M^T) = F(M) + alpha^2 (rows - cols).
 */
import { ConvregRangeError } from "../core/errors.js";
import type { Kernel } from "../core/kernel.js";
import { requireMemory } from "../core/memory.js";
import type { NativePlan } from "../native/plan.js";
import type { PenaltyAndGradientTask } from "./kernel-args.js";
import { circularGradientPlan, circularLineQuarticPlan, circularPenaltyPlan } from "./circular.js";
import { outputSize, type LayerSpec } from "../core/layer-spec.js";

type Gradient = { penalty: number; gradient: Kernel };

/** The native tasks each layer plan may run. */
export type LayerPenaltyTask = "layerPenalty" | "circularPenalty";
export type LayerGradientTask = "layerPenaltyAndGradient" | PenaltyAndGradientTask;
export type LayerQuarticTask = "layerLineQuartic" | "circularLineQuartic";

/** The engine option with a layer spec: only the layer engine (or the circular one) applies. */
export function requireLayerEngine(engine: string, spec: LayerSpec): void {
  if (engine === "dense")
    throw new ConvregRangeError(
      "ERR_ARGUMENT",
      `options.engine "dense" supports only the paper's layer (stride 1, padding "zero", dilation 1, a square input, not transposed); ` +
        `got stride ${spec.stride}, padding "${spec.padding}", dilation ${spec.dilation}, ${spec.height} x ${spec.width}, transposed ${spec.transposed}`,
    );
}

/** Rows and columns of the forward M. */
function sizes(kernel: Kernel, spec: LayerSpec): { rows: number; cols: number } {
  const [k, , g, h] = kernel.shape;
  return { rows: h * outputSize(spec.height, k, spec) * outputSize(spec.width, k, spec), cols: g * spec.height * spec.width };
}

/** Doubles of the tap Gram matrices (k^2 side)^2 and of the packed taps, side the smaller Gram's block size. */
function bufferSizes(kernel: Kernel, spec: LayerSpec): { gram: number; taps: number; kernel: number; label: string } {
  const [k, , g, h] = kernel.shape;
  const { rows, cols } = sizes(kernel, spec);
  const side = cols < rows ? g : h;
  const width = k * k * side;
  if (width * width * 8 > 2 ** 62)
    throw new ConvregRangeError("ERR_RANGE", `a ${k}x${k}x${g}x${h} kernel needs a tap Gram matrix of ${width} x ${width}, beyond what can be addressed`);
  return { gram: width * width, taps: width * Math.max(g, h), kernel: k * k * g * h, label: `${width} x ${width}` };
}

function layerArgs(kernel: Kernel, spec: LayerSpec, alpha: number): [Float64Array, number, number, number, number, number, number, number, boolean, boolean, number] {
  const [k, , g, h] = kernel.shape;
  return [kernel.data, k, g, h, spec.height, spec.width, spec.stride, spec.dilation, spec.padding === "valid", spec.transposed, alpha];
}

/** alpha^2 (rows - cols): what F gains from the forward M to its transpose (circular only). */
function transposeShift(kernel: Kernel, spec: LayerSpec, alpha: number): number {
  const { rows, cols } = sizes(kernel, spec);
  return alpha * alpha * (rows - cols);
}

/** F of the layer's own M. */
export function layerPenaltyPlan(kernel: Kernel, spec: LayerSpec, alpha: number, limit?: number): NativePlan<LayerPenaltyTask, number> {
  if (spec.padding === "circular") {
    const plan = circularPenaltyPlan(kernel, spec.height, alpha, limit);
    return { ...plan, finish: (raw: number) => raw + transposeShift(kernel, spec, alpha) };
  }
  const s = bufferSizes(kernel, spec);
  requireMemory(8 * (s.kernel + s.taps + s.gram), `the layer penalty (tap Gram matrix ${s.label})`, limit);
  return { fn: "layerPenalty", args: layerArgs(kernel, spec, alpha), finish: (raw: number) => raw };
}

/** F and dF/dK of the layer's own M. */
export function layerGradientPlan(kernel: Kernel, spec: LayerSpec, alpha: number, limit?: number, out?: Float64Array): NativePlan<LayerGradientTask, Gradient> {
  if (spec.padding === "circular") {
    const plan = circularGradientPlan(kernel, spec.height, alpha, limit, out);
    return { ...plan, finish: (penalty: number) => ({ penalty: penalty + transposeShift(kernel, spec, alpha), gradient: plan.finish(penalty).gradient }) };
  }
  const s = bufferSizes(kernel, spec);
  // Kernel copy, taps, tap Gram, weights and their symmetric sum, gradient of the taps, gradient (native and JS).
  requireMemory(8 * (3 * s.kernel + 2 * s.taps + 3 * s.gram), `the layer gradient (tap Gram matrix ${s.label})`, limit);
  const gradient = out ?? new Float64Array(kernel.data.length); // the caller's, else this call's own; filled by the native call
  return {
    fn: "layerPenaltyAndGradient",
    args: [...layerArgs(kernel, spec, alpha), gradient],
    filled: gradient,
    finish: (penalty: number) => ({ penalty, gradient: { shape: kernel.shape, data: gradient } }),
  };
}

/** The five coefficients of F(K + t D) for the layer's own M. */
export function layerLineQuarticPlan(kernel: Kernel, direction: Kernel, spec: LayerSpec, alpha: number, limit?: number): NativePlan<LayerQuarticTask, Float64Array> {
  if (spec.padding === "circular") {
    const plan = circularLineQuarticPlan(kernel, direction, spec.height, alpha, false, limit);
    return {
      ...plan,
      finish: (raw: Float64Array) => {
        const c = Float64Array.from(plan.finish(raw));
        c[0] += transposeShift(kernel, spec, alpha);
        return c;
      },
    };
  }
  const s = bufferSizes(kernel, spec);
  // Two kernel copies, two tap packings, three tap Gram matrices (KK, DD, KD).
  requireMemory(8 * (2 * s.kernel + 2 * s.taps + 3 * s.gram), `the layer line quartic (tap Gram matrices ${s.label})`, limit);
  return { fn: "layerLineQuartic", args: [...layerArgs(kernel, spec, alpha), direction.data], finish: (raw: Float64Array) => raw };
}
