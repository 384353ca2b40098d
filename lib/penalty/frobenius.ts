/**
 * The paper's penalty F(K) = ||M^T M - alpha I||_F^2, its gradient (Theorem 3.1) and the exact
 * quartic along a line, routed to the dense, structured or circular engine. Each exists in a
 * synchronous form and an `...Async` form that runs off the main thread.
 */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { requireAlpha, requireChoice, requireInputSize, requireOptions } from "../core/validate.js";
import type { LayerOptions } from "../core/layer-options.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import type { NativeTasks } from "../native/functions.js";
import { requireMemory } from "../core/memory.js";
import { ConvregRangeError } from "../core/errors.js";
import { densePenaltyPlan, denseGradientPlan } from "../engines/dense.js";
import {
  PADDINGS,
  circularDenseGradientPlan,
  circularDensePenaltyPlan,
  circularGradientPlan,
  circularLineQuarticPlan,
  circularPenaltyPlan,
  type Padding,
} from "../engines/circular.js";
import { groupedStructuredGradientPlan, lineQuarticPlan, structuredGradientPlan, structuredPenaltyPlan } from "../engines/structured.js";
import type { PenaltyAndGradientTask } from "../engines/kernel-args.js";

import { layerGradientRoute, layerPenaltyRoute, layerQuarticRoute } from "./layer-route.js";
import type { LayerKindOptions, LayerPadding } from "../core/layer-spec.js";
import { eachGroup, eachGroupAsync, groupKernel, readGroupCall, type GroupCall } from "../core/groups.js";
import { combinePenaltyAndGradient, groupDirections, sumPenalties, sumQuartics } from "./groups.js";
import { requireGradientOut } from "./gradient-out.js";

export type { Padding } from "../engines/circular.js";

/**
 * Engines that compute the penalty and its gradient. "dense" builds M (the paper's reference
 * construction, cost about N^6); "structured" works from the kernel alone, exact to rounding
 * (zero padding: tap Gram matrices, cost independent of N; circular padding: the kernel's 2-D DFT);
 * "auto" picks "structured".
 */
export type Engine = "auto" | "dense" | "structured";

/** The engine a call actually used ("auto" resolved). */
export type ResolvedEngine = Exclude<Engine, "auto">;

const engines = ["auto", "dense", "structured"] as const;

/** Resolves the engine option ("auto" and undefined become "structured"). */
function readEngine(value: unknown): ResolvedEngine {
  const engine = requireChoice(value, "options.engine", engines, "auto");
  return engine === "auto" ? "structured" : engine;
}

/** Options of the penalty and its gradient. */
export interface PenaltyOptions extends LayerOptions, Omit<LayerKindOptions, "padding"> {
  /** Target of the squared singular values: F = ||M^T M - alpha I||_F^2 (default 1). */
  alpha?: number;
  /** "dense" builds M (the paper's reference construction); "structured" and "auto" (default) work from the kernel alone. */
  engine?: Engine;
  /**
   * "zero" (default, the paper's M) or "circular" (the input wraps around; M is block circulant).
   * Circular padding is computed exactly from the kernel's 2-D DFT whatever `engine` says, except
   * that `engine: "dense"` builds the block-circulant M as a reference. The two paddings give
   * different numbers: see the README section "Zero or circular padding". "valid": no padding.
   */
  padding?: LayerPadding;
}

/** Options of penaltyAndGradient and gradient. */
export interface GradientOptions extends PenaltyOptions {
  /**
   * An array to fill with dF/dK (the kernel's k*k*g*h entries, not overlapping kernel.data): the
   * result's `gradient.data` is then this array, so a loop can reuse one array and allocate
   * nothing per call. Default: a fresh array per call. The async forms fill it when they settle.
   */
  out?: Float64Array;
}

/** Penalty and its gradient, computed in one pass. */
export interface PenaltyAndGradient {
  /** F(K) = ||M^T M - alpha I||_F^2. */
  penalty: number;
  /** dF/dK (not halved) with the kernel's shape. */
  gradient: Kernel;
  /** The engine that computed them. */
  engine: ResolvedEngine;
}

interface CommonArgs {
  kernel: Kernel;
  n: number;
  alpha: number;
  memoryLimit?: number;
  padding: Padding;
}

/** The common arguments; `kernel` is the snapshot the layer route already validated (read once). */
function readCommon(kernel: Kernel, options: PenaltyOptions | undefined): CommonArgs {
  const k = kernel;
  const o = requireOptions(options);
  const padding = requireChoice(o.padding, "options.padding", PADDINGS, "zero");
  return { kernel: k, n: requireInputSize(o.n, "options.n"), alpha: requireAlpha(o.alpha), memoryLimit: o.memoryLimit, padding };
}

/** The tasks that compute F alone. */
type PenaltyTask = "densePenalty" | "structuredPenalty" | "circularPenalty" | "circularDensePenalty" | "layerPenalty";

function penaltyPlanFor(kernel: unknown, options: PenaltyOptions | undefined): NativePlan<PenaltyTask, number> {
  const layer = layerPenaltyRoute(kernel, options);
  if (layer.plan) return layer.plan;
  const a = readCommon(layer.kernel, options);
  const engine = readEngine(options?.engine);
  if (a.padding === "circular") return (engine === "dense" ? circularDensePenaltyPlan : circularPenaltyPlan)(a.kernel, a.n, a.alpha, a.memoryLimit);
  const plan = engine === "dense" ? densePenaltyPlan : structuredPenaltyPlan;
  return plan(a.kernel, a.n, a.alpha, a.memoryLimit);
}

function gradientPlanFor(kernel: unknown, options: GradientOptions | undefined): NativePlan<PenaltyAndGradientTask | "layerPenaltyAndGradient", PenaltyAndGradient> {
  const outOption = options?.out; // read once
  const layer = layerGradientRoute(kernel, options, outOption);
  if (layer.plan) return layer.plan;
  const a = readCommon(layer.kernel, options);
  const engine = readEngine(options?.engine);
  const out = requireGradientOut(outOption, a.kernel);
  const plan =
    a.padding === "circular"
      ? (engine === "dense" ? circularDenseGradientPlan : circularGradientPlan)(a.kernel, a.n, a.alpha, a.memoryLimit, out)
      : (engine === "dense" ? denseGradientPlan : structuredGradientPlan)(a.kernel, a.n, a.alpha, a.memoryLimit, out);
  return {
    ...plan,
    finish: (raw) => {
      const r = plan.finish(raw);
      return { penalty: r.penalty, gradient: r.gradient, engine };
    },
  };
}

function quarticPlanFor(
  kernel: unknown,
  direction: unknown,
  options: PenaltyOptions | undefined,
): NativePlan<"lineQuartic" | "circularLineQuartic" | "layerLineQuartic", Float64Array> {
  const layer = layerQuarticRoute(kernel, direction, options);
  if (layer.plan) return layer.plan;
  const a = readCommon(layer.kernel, options);
  const d = requireKernel(direction, "direction");
  if (d.shape.some((v, i) => v !== a.kernel.shape[i]))
    throw new ConvregRangeError("ERR_SHAPE", `direction must have the kernel's shape [${a.kernel.shape.join(", ")}], got [${d.shape.join(", ")}]`);
  if (a.padding === "circular") return circularLineQuarticPlan(a.kernel, d, a.n, a.alpha, readEngine(options?.engine) === "dense", a.memoryLimit);
  return lineQuarticPlan(a.kernel, d, a.n, a.alpha, readEngine(options?.engine), a.memoryLimit);
}

const withGradientOnly = (r: PenaltyAndGradient): Kernel => r.gradient;

/** The paper's penalty F(K) = ||M^T M - alpha I||_F^2. */
export function penalty(kernel: Kernel, options: PenaltyOptions): number {
  const groups = readGroupCall(kernel, options);
  if (groups) return sumPenalties(eachGroup(groups.kernels, (k) => penalty(k, groups.options)));
  return runSync(penaltyPlanFor(kernel, options));
}

/** Async form of {@link penalty}. */
export async function penaltyAsync(kernel: Kernel, options: PenaltyOptions): Promise<number> {
  const groups = readGroupCall(kernel, options);
  if (groups) return sumPenalties(await eachGroupAsync(groups.kernels, (k) => penaltyAsync(k, groups.options)));
  return runAsync(penaltyPlanFor(kernel, options));
}

/** dF/dK by Theorem 3.1 (the full derivative, twice the paper's G). */
export function gradient(kernel: Kernel, options: GradientOptions): Kernel {
  return withGradientOnly(penaltyAndGradient(kernel, options));
}

/** Async form of {@link gradient}. */
export async function gradientAsync(kernel: Kernel, options: GradientOptions): Promise<Kernel> {
  return withGradientOnly(await penaltyAndGradientAsync(kernel, options));
}

/**
 * A grouped layer's result: its groups' combined, the gradient copied into options.out when given
 * (the groups are computed into arrays of their own; `out` is checked before any of them runs).
 */
function combineGroups(groups: GroupCall<GradientOptions>, out: Float64Array | undefined, parts: readonly PenaltyAndGradient[]): PenaltyAndGradient {
  const r = combinePenaltyAndGradient(groups, parts);
  if (!out) return r;
  out.set(r.gradient.data);
  return { penalty: r.penalty, gradient: { shape: r.gradient.shape, data: out }, engine: r.engine };
}

/** The groups' options without `out` (it has the layer kernel's length, not a group's). */
function groupOptions(groups: GroupCall<GradientOptions>): PenaltyOptions {
  const { out: _out, ...rest } = groups.options;
  return rest;
}

/**
 * One native call for all groups when every group would take the structured engine (zero padding,
 * unit stride) or the layer engine (strides, VALID, dilation, H x W, transposed): the first
 * group's plan decides the route (and checks the options and one group's memory exactly as a
 * per-group call would). Otherwise undefined: one call per group.
 */
function groupedPlanFor(
  groups: GroupCall<GradientOptions>,
  o: PenaltyOptions,
  out: Float64Array | undefined,
): NativePlan<"groupedStructuredPenaltyAndGradient" | "groupedLayerPenaltyAndGradient", PenaltyAndGradient> | undefined {
  const first = groupKernel(groups.kernel, groups.layout, 0);
  const plan = gradientPlanFor(first, o);
  const count = groups.layout.count;
  const shape = groups.kernel.shape;
  const finish =
    (gradient: Float64Array) =>
    (penalty: number): PenaltyAndGradient => ({ penalty, gradient: { shape, data: gradient }, engine: "structured" });
  if (plan.fn === "structuredPenaltyAndGradient") {
    const a = readCommon(groups.kernel, o);
    const grouped = groupedStructuredGradientPlan(groups.kernel, first.shape, count, a.n, a.alpha, a.memoryLimit, out);
    return { ...grouped, finish: (penalty) => ({ ...grouped.finish(penalty), engine: "structured" }) };
  }
  if (plan.fn === "layerPenaltyAndGradient") {
    // The group's layer arguments as its own plan has them; the call takes the layer's kernel and the group count.
    const [, k, g, h, height, width, stride, dilation, valid, transposed, alpha] = plan.args as Parameters<NativeTasks["layerPenaltyAndGradient"]>;
    requireMemory(8 * 3 * groups.kernel.data.length, "the grouped layer gradient (layer kernel and gradient)", o.memoryLimit);
    const gradient = out ?? new Float64Array(groups.kernel.data.length);
    return {
      fn: "groupedLayerPenaltyAndGradient",
      args: [groups.kernel.data, k, g, h, height, width, stride, dilation, valid, transposed, alpha, count, gradient],
      filled: gradient,
      finish: finish(gradient),
    };
  }
  return undefined;
}

/** F and dF/dK in one pass (they share the Gram matrix, of M or of the taps). */
export function penaltyAndGradient(kernel: Kernel, options: GradientOptions): PenaltyAndGradient {
  const groups = readGroupCall(kernel, options);
  if (groups) {
    const out = requireGradientOut(groups.options.out, groups.kernel);
    const o = groupOptions(groups);
    const oneCall = groupedPlanFor(groups, o, out);
    if (oneCall) return runSync(oneCall);
    return combineGroups(
      groups,
      out,
      eachGroup(groups.kernels, (k) => penaltyAndGradient(k, o)),
    );
  }
  return runSync(gradientPlanFor(kernel, options));
}

/** Async form of {@link penaltyAndGradient}. */
export async function penaltyAndGradientAsync(kernel: Kernel, options: GradientOptions): Promise<PenaltyAndGradient> {
  const groups = readGroupCall(kernel, options);
  if (groups) {
    const out = requireGradientOut(groups.options.out, groups.kernel);
    const o = groupOptions(groups);
    const oneCall = groupedPlanFor(groups, o, out);
    if (oneCall) return runAsync(oneCall);
    return combineGroups(groups, out, await eachGroupAsync(groups.kernels, (k) => penaltyAndGradientAsync(k, o)));
  }
  return runAsync(gradientPlanFor(kernel, options));
}

/**
 * The exact quartic along a line: `c` (length 5) with `F(K + t D) = c[0] + c[1] t + ... + c[4] t^4`
 * for every real t, computed from the kernel and the direction (no sampling). `c[0] = F(K)`,
 * `c[1] = <dF/dK, D>`, `c[4] = ||M(D)^T M(D)||_F^2`. The structured engine's cost does not depend on N.
 * With `padding: "circular"` the coefficients come from per-frequency Gram polynomials of the
 * kernel's and the direction's 2-D DFTs (`engine: "dense"`: from the block-circulant M).
 */
export function lineQuartic(kernel: Kernel, direction: Kernel, options: PenaltyOptions): Float64Array {
  const groups = readGroupCall(kernel, options);
  if (groups) {
    const directions = groupDirections(groups, direction);
    return sumQuartics(eachGroup(groups.kernels, (k, i) => lineQuartic(k, directions[i], groups.options)));
  }
  return runSync(quarticPlanFor(kernel, direction, options));
}

/** Async form of {@link lineQuartic}. */
export async function lineQuarticAsync(kernel: Kernel, direction: Kernel, options: PenaltyOptions): Promise<Float64Array> {
  const groups = readGroupCall(kernel, options);
  if (groups) {
    const directions = groupDirections(groups, direction);
    return sumQuartics(await eachGroupAsync(groups.kernels, (k, i) => lineQuarticAsync(k, directions[i], groups.options)));
  }
  return runAsync(quarticPlanFor(kernel, direction, options));
}
