/**
 * Options of the training regularizers, checked once when a regularizer is made so that a bad
 * option fails at model definition, not in the middle of fit().
 */
import { ConvregRangeError, ConvregTypeError } from "../../index.js";

/** Engines of the Frobenius penalty (see `PenaltyOptions.engine`). */
export type FrobeniusEngine = "auto" | "dense" | "structured";

/** Options of {@link frobeniusRegularizer}: the layer's geometry, as `penaltyAndGradient` takes it. */
export interface FrobeniusRegularizerOptions {
  /** Input height N of the layer (an integer >= 1); for a transposed layer, its output height. */
  n: number;
  /** Input width W (default n); for a transposed layer, its output width. */
  width?: number;
  /** Target of the squared singular values (default 1). */
  alpha?: number;
  /** Factor of the penalty in the loss: the regularizer adds weight * F(K). */
  weight: number;
  /** "zero" (the paper's M; TF.js padding "same"), "valid" (TF.js "valid") or "circular" (default "zero"). */
  padding?: "zero" | "valid" | "circular";
  /** Convolution stride on both axes (default 1). */
  stride?: number;
  /** Dilation rate on both axes (default 1). */
  dilation?: number;
  /** The layer is a Conv2DTranspose whose [k, k, out, in] kernel is read as the forward conv's HWIO kernel (default false). */
  transposed?: boolean;
  /** Engine of the penalty (default "auto" = structured: cost independent of N; "dense" only for the paper's layer). */
  engine?: FrobeniusEngine;
  /**
   * Grouped convolution with G groups (TF's Conv2D kernel [k, k, g/G, h]; G divides h; default 1).
   * M is block diagonal over the groups. Excludes `depthwise`.
   */
  groups?: number;
  /**
   * A depthwise kernel [k, k, C, m] (TF's DepthwiseConv2D and the depthwise half of SeparableConv2D):
   * output channel c m + j reads input channel c only (default false). Excludes `groups`.
   */
  depthwise?: boolean;
}

/** Options of {@link twoNormRegularizer}: the 2-norm penalty takes only the paper's layer (stride 1, "zero", N x N). */
export interface TwoNormRegularizerOptions {
  n: number;
  /** Only n (the 2-norm penalty takes square inputs only). */
  width?: number;
  alpha?: number;
  weight: number;
  /** Only "zero" is supported by the 2-norm penalty. */
  padding?: "zero";
  /** Only 1 (the 2-norm penalty takes stride 1 only). */
  stride?: number;
  engine?: FrobeniusEngine;
  /** Power steps per evaluation, warm-started from the previous call (default 2, as in the paper). */
  powerSteps?: number;
  /**
   * Grouped convolution with G groups (TF's Conv2D kernel [k, k, g/G, h]; G divides h; default 1).
   * M is block diagonal over the groups. Excludes `depthwise`.
   */
  groups?: number;
  /**
   * A depthwise kernel [k, k, C, m] (TF's DepthwiseConv2D and the depthwise half of SeparableConv2D):
   * output channel c m + j reads input channel c only (default false). Excludes `groups`.
   */
  depthwise?: boolean;
}

/** The checked options, every field present. */
export interface ResolvedFrobeniusOptions {
  n: number;
  width: number;
  alpha: number;
  weight: number;
  padding: "zero" | "valid" | "circular";
  stride: number;
  dilation: number;
  transposed: boolean;
  engine: FrobeniusEngine;
  groups: number;
  depthwise: boolean;
}

export interface ResolvedTwoNormOptions {
  n: number;
  width: number;
  alpha: number;
  weight: number;
  padding: "zero";
  stride: number;
  engine: FrobeniusEngine;
  powerSteps: number;
  groups: number;
  depthwise: boolean;
}

const MAX_INPUT_SIZE = 1 << 16;

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== "number") throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be a number, got ${show(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConvregRangeError("ERR_RANGE", `${name} must be an integer between ${min} and ${max}, got ${value}`);
  return value;
}

function positive(value: unknown, name: string, allowZero: boolean): number {
  if (typeof value !== "number") throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be a number, got ${show(value)}`);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0))
    throw new ConvregRangeError("ERR_RANGE", `${name} must be a finite number ${allowZero ? ">= 0" : "> 0"}, got ${value}`);
  return value;
}

function choice<const T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value))
    throw new ConvregRangeError("ERR_ARGUMENT", `${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${show(value)}`);
  return value as T;
}

interface CommonOptions {
  n: number;
  width: number;
  alpha: number;
  weight: number;
  stride: number;
  engine: FrobeniusEngine;
  groups: number;
  depthwise: boolean;
  raw: Record<string, unknown>;
}

function resolveCommon(options: unknown, kind: string): CommonOptions {
  if (options === null || typeof options !== "object") throw new ConvregTypeError("ERR_ARGUMENT", `${kind} options must be an object { n, weight, ... }, got ${show(options)}`);
  const o = options as Record<string, unknown>;
  const n = integer(o.n, "options.n", 1, MAX_INPUT_SIZE);
  const resolved: CommonOptions = {
    n,
    width: o.width === undefined ? n : integer(o.width, "options.width", 1, MAX_INPUT_SIZE),
    alpha: o.alpha === undefined ? 1 : positive(o.alpha, "options.alpha", false),
    weight: positive(o.weight, "options.weight", true),
    stride: o.stride === undefined ? 1 : integer(o.stride, "options.stride", 1, MAX_INPUT_SIZE),
    engine: choice(o.engine, "options.engine", ["auto", "dense", "structured"] as const, "auto"),
    ...resolveGroups(o),
    raw: o,
  };
  return resolved;
}

/**
 * `groups` and `depthwise`. Whether G divides the kernel's output channels is checked by the
 * engine at the first call (the kernel is not known before), naming options.groups.
 */
function resolveGroups(o: Record<string, unknown>): { groups: number; depthwise: boolean } {
  if (o.depthwise !== undefined && typeof o.depthwise !== "boolean") throw new ConvregTypeError("ERR_ARGUMENT", `options.depthwise must be a boolean, got ${show(o.depthwise)}`);
  const depthwise = o.depthwise === true;
  const groups = o.groups === undefined ? 1 : integer(o.groups, "options.groups", 1, MAX_INPUT_SIZE);
  if (depthwise && groups !== 1)
    throw new ConvregRangeError(
      "ERR_ARGUMENT",
      `options.groups and options.depthwise exclude each other (a depthwise layer has one group per input channel); got groups ${groups}`,
    );
  return { groups, depthwise };
}

export function resolveFrobeniusOptions(options: unknown): ResolvedFrobeniusOptions {
  const { raw, ...common } = resolveCommon(options, "frobeniusRegularizer");
  const padding = choice(raw.padding, "options.padding", ["zero", "valid", "circular"] as const, "zero");
  const dilation = raw.dilation === undefined ? 1 : integer(raw.dilation, "options.dilation", 1, MAX_INPUT_SIZE);
  if (raw.transposed !== undefined && typeof raw.transposed !== "boolean")
    throw new ConvregTypeError("ERR_ARGUMENT", `options.transposed must be a boolean, got ${show(raw.transposed)}`);
  const resolved = { ...common, padding, dilation, transposed: raw.transposed === true };
  // Checked here, not at the first fit() step, with the messages penaltyAndGradient would give.
  const square = common.width === common.n;
  if (padding === "circular" && (common.stride !== 1 || dilation !== 1 || !square))
    throw new ConvregRangeError(
      "ERR_ARGUMENT",
      `options.padding "circular" supports only stride 1, dilation 1 and width = n (got stride ${common.stride}, dilation ${dilation}, width ${common.width})`,
    );
  const paperLayer = square && common.stride === 1 && dilation === 1 && padding !== "valid" && !resolved.transposed;
  if (common.engine === "dense" && !paperLayer)
    throw new ConvregRangeError(
      "ERR_ARGUMENT",
      'options.engine "dense" supports only the paper\'s layer (stride 1, padding "zero" or "circular", dilation 1, width = n, not transposed); use "auto"',
    );
  return resolved;
}

export function resolveTwoNormOptions(options: unknown): ResolvedTwoNormOptions {
  const { raw, ...common } = resolveCommon(options, "twoNormRegularizer");
  // The 2-norm penalty (lib/penalty/two-norm.ts) builds only the paper's square, stride-1 M;
  // refuse other layers rather than regularize a different operator than the layer's.
  if (common.width !== common.n)
    throw new ConvregRangeError(
      "ERR_RANGE",
      `options.width (${common.width}) differs from options.n (${common.n}): the 2-norm penalty supports square inputs only (frobeniusRegularizer takes width)`,
    );
  if (common.stride !== 1)
    throw new ConvregRangeError("ERR_RANGE", `options.stride must be 1: the 2-norm penalty supports stride 1 only (frobeniusRegularizer takes stride), got ${common.stride}`);
  for (const name of ["dilation", "transposed"] as const)
    if (raw[name] !== undefined && raw[name] !== 1 && raw[name] !== false)
      throw new ConvregRangeError("ERR_ARGUMENT", `options.${name} is not supported by the 2-norm penalty (frobeniusRegularizer takes it), got ${show(raw[name])}`);
  return {
    ...common,
    padding: choice(raw.padding, "options.padding", ["zero"] as const, "zero"),
    powerSteps: raw.powerSteps === undefined ? 2 : integer(raw.powerSteps, "options.powerSteps", 1, 1_000_000),
  };
}
