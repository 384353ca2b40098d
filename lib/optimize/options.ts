/** Options of {@link optimize} and their validation (before any native work starts). */
import { ConvregRangeError, ConvregTypeError } from "../core/errors.js";
import type { Engine } from "../penalty/frobenius.js";
import type { Kernel } from "../core/kernel.js";
import { describe, requireAlpha, requireChoice, requireInputSize, requireInteger, requireOptions, requirePositive } from "../core/validate.js";
import type { HistoryRow } from "./history.js";
import { scheduleFunction, type Schedule } from "./schedule.js";
import { PENALTY_METHODS, type PenaltyMethod } from "./objective.js";

/** The optimizers: the paper's fixed steps, steepest descent with exact line search, L-BFGS with it. */
export type OptimizerName = "paper" | "line-search" | "lbfgs";

/** The optimizer names, in the order the CLI lists them. */
export const OPTIMIZERS: readonly OptimizerName[] = ["paper", "line-search", "lbfgs"];

/**
 * When to compute sigma_max and sigma_min (the expensive part at N = 20): `{ first, every }` =
 * iterations 0..first-1 and every `every`-th after; a number k = every k-th iteration (0 = never);
 * or a predicate of the iteration. The final iterate always gets its spectrum. Default: `{ first: 30,
 * every: 10 }` where the spectrum is dense, 0 (the final iterate only) where it is iterative.
 */
export type SpectrumEvery = number | { first: number; every: number } | ((iteration: number) => boolean);

/** Options of {@link optimize}. */
export interface OptimizeOptions {
  /** Spatial size N of the N x N input. */
  n: number;
  /** Target of the squared singular values (default 1); the target of sigma is sqrt(alpha). */
  alpha?: number;
  /** "paper" (default, Algorithm 3.1), "line-search" or "lbfgs". */
  optimizer?: OptimizerName;
  /**
   * The penalty: "frobenius" (default, the paper's ||M^T M - alpha I||_F^2) or "spectral" (the 2-norm
   * ||B||_2 of its reference [7] by warm-started power steps; see spectralPenaltyAndGradient). With
   * "spectral", "line-search" and "lbfgs" use Armijo backtracking instead of the exact quartic.
   */
  method?: PenaltyMethod;
  /** Power steps per penalty evaluation of the "spectral" method (default 2, as in the paper). */
  powerSteps?: number;
  /** Steps of the "paper" optimizer (default: the paper's 1e-5 / 1e-4 / 1e-3); ignored by the others. */
  schedule?: Schedule;
  /** Number of steps at most (default 1000). */
  maxIterations?: number;
  /**
   * Stop once both extreme singular values are within the band sqrt(alpha) (1 +- tolerance), i.e.
   * sigma_max <= sqrt(alpha) (1 + tolerance) and sigma_min >= sqrt(alpha) (1 - tolerance) (together
   * these put each of them within the band, since sigma_min <= sigma_max). Proven either by the
   * Frobenius penalty itself, at every iterate (method "frobenius"; see frobeniusBound), or by a
   * spectrum check where due, using its bounds (see checkWithinBand). Default: no such stop
   * (the CLI's default is 0.01 for "line-search" and "lbfgs").
   */
  tolerance?: number;
  /**
   * When to compute the spectrum (default `{ first: 30, every: 10 }` when `spectrum`'s "auto" rule
   * picks the dense method, else 0: at large N one Lanczos check costs about as much as a hundred
   * gradient steps, so only the final iterate is checked and the Frobenius bound watches the band).
   */
  spectrumEvery?: SpectrumEvery;
  /**
   * The dense spectrum's work limit for the "auto" rule, in units of rows x cols x min(rows, cols)
   * of M (default AUTO_DENSE_WORK_LIMIT of lib/spectrum/spectrum.ts); past it the checks use Lanczos.
   */
  denseWorkLimit?: number;
  /** L-BFGS memory: number of curvature pairs kept (default 10). */
  memory?: number;
  /** Engine of the penalty, gradient and line quartic (default "auto", see penaltyAndGradient). */
  engine?: Engine;
  /** Rejects the run with ERR_ABORTED when aborted (checked between native calls). */
  signal?: AbortSignal;
  /** Called with each history row as soon as it is recorded, and the iterate K_i it describes (do not modify it). */
  onIteration?: (row: HistoryRow, kernel: Kernel) => void;
  /** Memory limit in bytes for each native call (default: see setMemoryLimit). */
  memoryLimit?: number;
}

/** Validated options with defaults filled in. */
export interface ResolvedOptions {
  n: number;
  alpha: number;
  optimizer: OptimizerName;
  method: PenaltyMethod;
  powerSteps: number;
  step: (iteration: number) => number;
  maxIterations: number;
  tolerance: number | undefined;
  /** Undefined: the default, which depends on the spectrum method (see OptimizeOptions.spectrumEvery). */
  spectrumDue: ((iteration: number) => boolean) | undefined;
  denseWorkLimit: number | undefined;
  memory: number;
  engine: Engine | undefined;
  signal: AbortSignal | undefined;
  onIteration: ((row: HistoryRow, kernel: Kernel) => void) | undefined;
  memoryLimit: number | undefined;
}

/** The default schedule where the spectrum is dense. */
export const DENSE_SPECTRUM_EVERY = { first: 30, every: 10 } as const;

/** The predicate of a SpectrumEvery value (validated; names the option on failure). */
export function spectrumDue(value: unknown): (iteration: number) => boolean {
  if (value === undefined) return spectrumDue(DENSE_SPECTRUM_EVERY);
  if (typeof value === "function") {
    const f = value as (iteration: number) => boolean;
    return (i) => Boolean(f(i));
  }
  if (typeof value === "number") {
    const k = requireInteger(value, "options.spectrumEvery", 0);
    return k === 0 ? () => false : (i) => i % k === 0;
  }
  if (value !== null && typeof value === "object") {
    const { first, every } = value as { first?: unknown; every?: unknown };
    const f = requireInteger(first, "options.spectrumEvery.first", 0);
    const e = requireInteger(every, "options.spectrumEvery.every", 1);
    return (i) => i < f || i % e === 0;
  }
  throw new ConvregTypeError("ERR_ARGUMENT", `options.spectrumEvery must be a number, { first, every } or a function, got ${describe(value)}`);
}

/** Checks every option (names the option and the constraint on failure). */
export function resolveOptions(options: OptimizeOptions): ResolvedOptions {
  const o = requireOptions(options);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new ConvregTypeError("ERR_ARGUMENT", `options.signal must be an AbortSignal, got ${describe(o.signal)}`);
  if (o.onIteration !== undefined && typeof o.onIteration !== "function")
    throw new ConvregTypeError("ERR_ARGUMENT", `options.onIteration must be a function, got ${describe(o.onIteration)}`);
  const tolerance = o.tolerance === undefined ? undefined : requirePositive(o.tolerance, "options.tolerance");
  if (tolerance !== undefined && tolerance >= 1) throw new ConvregRangeError("ERR_RANGE", `options.tolerance must be < 1 (a relative band around sqrt(alpha)), got ${tolerance}`);
  return {
    n: requireInputSize(o.n, "options.n"),
    alpha: requireAlpha(o.alpha),
    optimizer: requireChoice(o.optimizer, "options.optimizer", OPTIMIZERS, "paper"),
    method: requireChoice(o.method, "options.method", PENALTY_METHODS, "frobenius"),
    powerSteps: o.powerSteps === undefined ? 2 : requireInteger(o.powerSteps, "options.powerSteps", 1, 1_000_000),
    step: scheduleFunction(o.schedule),
    maxIterations: o.maxIterations === undefined ? 1000 : requireInteger(o.maxIterations, "options.maxIterations", 0),
    tolerance,
    spectrumDue: o.spectrumEvery === undefined ? undefined : spectrumDue(o.spectrumEvery),
    denseWorkLimit: o.denseWorkLimit === undefined ? undefined : requirePositive(o.denseWorkLimit, "options.denseWorkLimit"),
    memory: o.memory === undefined ? 10 : requireInteger(o.memory, "options.memory", 1, 1000),
    engine: o.engine, // validated by the first penaltyAndGradient call, before any native work
    signal: o.signal,
    onIteration: o.onIteration,
    memoryLimit: o.memoryLimit,
  };
}
