/**
 * Options of the training regularizers, checked once when a regularizer is made so that a bad
 * option fails at model definition, not in the middle of fit().
 */
import { ConvregRangeError, ConvregTypeError } from "../../index.js";

/** Engines of the Frobenius penalty (see `PenaltyOptions.engine`). */
export type FrobeniusEngine = "auto" | "dense" | "structured";

/** Options of {@link frobeniusRegularizer}. */
export interface FrobeniusRegularizerOptions {
  /** Spatial size N of the layer's N x N input (an integer >= 1). */
  n: number;
  /** Input width when it differs from N. Non-square inputs are not supported by the engines yet: only width = n is accepted. */
  width?: number;
  /** Target of the squared singular values (default 1). */
  alpha?: number;
  /** Factor of the penalty in the loss: the regularizer adds weight * F(K). */
  weight: number;
  /** "zero" (the paper's M; TF.js padding "same") or "circular" (default "zero"). */
  padding?: "zero" | "circular";
  /** Convolution stride. The training regularizers support stride 1 only (default 1). */
  stride?: number;
  /** Engine of the penalty (default "auto" = structured: cost independent of N). */
  engine?: FrobeniusEngine;
}

/** Options of {@link twoNormRegularizer}. */
export interface TwoNormRegularizerOptions {
  n: number;
  width?: number;
  alpha?: number;
  weight: number;
  /** Only "zero" is supported by the 2-norm penalty. */
  padding?: "zero";
  stride?: number;
  engine?: FrobeniusEngine;
  /** Power steps per evaluation, warm-started from the previous call (default 2, as in the paper). */
  powerSteps?: number;
}

/** The checked options, every field present (width only when given). */
export interface ResolvedFrobeniusOptions {
  n: number;
  width?: number;
  alpha: number;
  weight: number;
  padding: "zero" | "circular";
  stride: number;
  engine: FrobeniusEngine;
}

export interface ResolvedTwoNormOptions extends Omit<ResolvedFrobeniusOptions, "padding"> {
  padding: "zero";
  powerSteps: number;
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

function resolveCommon(options: unknown, kind: string): Omit<ResolvedFrobeniusOptions, "padding"> & { raw: Record<string, unknown> } {
  if (options === null || typeof options !== "object") throw new ConvregTypeError("ERR_ARGUMENT", `${kind} options must be an object { n, weight, ... }, got ${show(options)}`);
  const o = options as Record<string, unknown>;
  const n = integer(o.n, "options.n", 1, MAX_INPUT_SIZE);
  // These regularizers call the square, stride-1 engines; refuse other layers rather than
  // regularize a different operator than the layer's (the layer engine is not wired in yet).
  if (o.width !== undefined && integer(o.width, "options.width", 1, MAX_INPUT_SIZE) !== n)
    throw new ConvregRangeError(
      "ERR_RANGE",
      `options.width (${String(o.width)}) differs from options.n (${n}): non-square inputs are not supported by the training regularizers yet`,
    );
  const stride = o.stride === undefined ? 1 : integer(o.stride, "options.stride", 1, MAX_INPUT_SIZE);
  if (stride !== 1) throw new ConvregRangeError("ERR_RANGE", `options.stride must be 1: strided convolutions are not supported by the training regularizers yet, got ${stride}`);
  const resolved = {
    n,
    alpha: o.alpha === undefined ? 1 : positive(o.alpha, "options.alpha", false),
    weight: positive(o.weight, "options.weight", true),
    stride,
    engine: choice(o.engine, "options.engine", ["auto", "dense", "structured"] as const, "auto"),
    raw: o,
  };
  return o.width === undefined ? resolved : { ...resolved, width: n };
}

export function resolveFrobeniusOptions(options: unknown): ResolvedFrobeniusOptions {
  const { raw, ...common } = resolveCommon(options, "frobeniusRegularizer");
  return { ...common, padding: choice(raw.padding, "options.padding", ["zero", "circular"] as const, "zero") };
}

export function resolveTwoNormOptions(options: unknown): ResolvedTwoNormOptions {
  const { raw, ...common } = resolveCommon(options, "twoNormRegularizer");
  return {
    ...common,
    padding: choice(raw.padding, "options.padding", ["zero"] as const, "zero"),
    powerSteps: raw.powerSteps === undefined ? 2 : integer(raw.powerSteps, "options.powerSteps", 1, 1_000_000),
  };
}
