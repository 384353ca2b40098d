/**
 * Routes the penalty, gradient and quartic calls whose layer options are not the paper's
 * default (stride, padding "valid", dilation, width, transposed) to the layer plans.
 */
import { requireKernel, type Kernel } from "./kernel.js";
import type { NativePlan } from "./plan.js";
import { ConvregRangeError } from "./errors.js";
import { requireAlpha, requireChoice, requireOptions } from "./validate.js";
import { readLayerSpec, type LayerKindOptions } from "./layer-spec.js";
import { layerGradientPlan, layerLineQuarticPlan, layerPenaltyPlan, requireLayerEngine } from "./layer-plans.js";

type Options = LayerKindOptions & { n: number; alpha?: number; engine?: string; memoryLimit?: number };

function readLayerCall(kernel: unknown, options: Options | undefined) {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const spec = readLayerSpec(k, o);
  if (!spec) return undefined;
  requireLayerEngine(requireChoice(o.engine, "options.engine", ["auto", "dense", "structured"] as const, "auto"), spec);
  return { kernel: k, spec, alpha: requireAlpha(o.alpha), limit: o.memoryLimit };
}

/** The penalty plan for a non-default layer, or undefined. */
export function layerPenaltyRoute(kernel: unknown, options: Options | undefined): NativePlan<unknown, number> | undefined {
  const c = readLayerCall(kernel, options);
  return c && (layerPenaltyPlan(c.kernel, c.spec, c.alpha, c.limit) as NativePlan<unknown, number>);
}

/** The penalty-and-gradient plan for a non-default layer, or undefined. */
export function layerGradientRoute(
  kernel: unknown,
  options: Options | undefined,
): NativePlan<unknown, { penalty: number; gradient: Kernel; engine: "structured" }> | undefined {
  const c = readLayerCall(kernel, options);
  if (!c) return undefined;
  const plan = layerGradientPlan(c.kernel, c.spec, c.alpha, c.limit);
  return { ...plan, finish: (raw) => ({ ...plan.finish(raw as never), engine: "structured" as const }) } as NativePlan<unknown, { penalty: number; gradient: Kernel; engine: "structured" }>;
}

/** The line-quartic plan for a non-default layer, or undefined. */
export function layerQuarticRoute(kernel: unknown, direction: unknown, options: Options | undefined): NativePlan<unknown, Float64Array> | undefined {
  const c = readLayerCall(kernel, options);
  if (!c) return undefined;
  const d = requireKernel(direction, "direction");
  if (d.shape.some((v, i) => v !== c.kernel.shape[i]))
    throw new ConvregRangeError("ERR_SHAPE", `direction must have the kernel's shape [${c.kernel.shape.join(", ")}], got [${d.shape.join(", ")}]`);
  return layerLineQuarticPlan(c.kernel, d, c.spec, c.alpha, c.limit) as NativePlan<unknown, Float64Array>;
}
