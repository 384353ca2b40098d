/**
 * Routes the penalty, gradient and quartic calls whose layer options are not the paper's
 * default (stride, padding "valid", dilation, width, transposed) to the layer plans.
 */
import { requireKernel, type Kernel } from "../core/kernel.js";
import type { NativePlan } from "../native/plan.js";
import { ConvregRangeError } from "../core/errors.js";
import { requireAlpha, requireChoice, requireOptions } from "../core/validate.js";
import { readLayerSpec, type LayerKindOptions } from "../core/layer-spec.js";
import {
  layerGradientPlan,
  layerLineQuarticPlan,
  layerPenaltyPlan,
  requireLayerEngine,
  type LayerGradientTask,
  type LayerPenaltyTask,
  type LayerQuarticTask,
} from "../engines/layer.js";
import type { TaskName } from "../native/functions.js";
import { requireGradientOut } from "./gradient-out.js";
import { pointwiseGradientPlan, pointwiseLineQuarticPlan, pointwisePenaltyPlan } from "../engines/pointwise.js";

type Options = LayerKindOptions & { n: number; alpha?: number; engine?: string; memoryLimit?: number };

/**
 * A route: the plan for a non-default layer, or none; either way the kernel snapshot read once
 * (the caller continues with it, so getters cannot change the kernel between two reads).
 */
export interface Route<Name extends TaskName, Result> {
  plan?: NativePlan<Name, Result>;
  kernel: Kernel;
}

function readLayerCall(kernel: unknown, options: Options | undefined) {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const spec = readLayerSpec(k, o);
  if (!spec) return { kernel: k };
  requireLayerEngine(requireChoice(o.engine, "options.engine", ["auto", "dense", "structured"] as const, "auto"), spec);
  return { kernel: k, layer: { spec, alpha: requireAlpha(o.alpha), limit: o.memoryLimit } };
}

/** The penalty plan for a non-default layer. */
export function layerPenaltyRoute(kernel: unknown, options: Options | undefined): Route<LayerPenaltyTask, number> {
  const { kernel: k, layer: c } = readLayerCall(kernel, options);
  if (c && k.shape[0] === 1) return { kernel: k, plan: pointwisePenaltyPlan(k, c.spec, c.alpha, c.limit) };
  return { kernel: k, plan: c && layerPenaltyPlan(k, c.spec, c.alpha, c.limit) };
}

type Gradient = { penalty: number; gradient: Kernel; engine: "structured" };

/** The penalty-and-gradient plan for a non-default layer; `out`: options.out as read once by the caller. */
export function layerGradientRoute(kernel: unknown, options: Options | undefined, out: unknown): Route<LayerGradientTask, Gradient> {
  const { kernel: k, layer: c } = readLayerCall(kernel, options);
  if (!c) return { kernel: k };
  const o = requireGradientOut(out, k);
  // k = 1: the closed form of lib/engines/pointwise.ts.
  const plan = k.shape[0] === 1 ? pointwiseGradientPlan(k, c.spec, c.alpha, c.limit, o) : layerGradientPlan(k, c.spec, c.alpha, c.limit, o);
  return { kernel: k, plan: { ...plan, finish: (penalty: number): Gradient => ({ ...plan.finish(penalty), engine: "structured" }) } };
}

/** The line-quartic plan for a non-default layer. */
export function layerQuarticRoute(kernel: unknown, direction: unknown, options: Options | undefined): Route<LayerQuarticTask, Float64Array> {
  const { kernel: k, layer: c } = readLayerCall(kernel, options);
  if (!c) return { kernel: k };
  const d = requireKernel(direction, "direction");
  if (d.shape.some((v, i) => v !== k.shape[i]))
    throw new ConvregRangeError("ERR_SHAPE", `direction must have the kernel's shape [${k.shape.join(", ")}], got [${d.shape.join(", ")}]`);
  const plan = k.shape[0] === 1 ? pointwiseLineQuarticPlan(k, d, c.spec, c.alpha, c.limit) : layerLineQuarticPlan(k, d, c.spec, c.alpha, c.limit);
  return { kernel: k, plan };
}
