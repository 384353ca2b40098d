/**
 * The optimization loop: Algorithm 3.1 of the paper (fixed steps), steepest descent with an exact
 * line search, and L-BFGS with the same line search, all minimizing F(K) = ||M^T M - alpha I||_F^2.
 * Every native call is the async form, so the event loop stays free during a run.
 */
import { performance } from "node:perf_hooks";
import { ConvregError, isConvregError } from "../errors.js";
import { requireKernel, type Kernel } from "../kernel.js";
import { extremeSingularValues, type ExtremeSingularValues } from "./extremes.js";
import type { HistoryRow } from "./history.js";
import { LbfgsMemory } from "./lbfgs.js";
import { createObjective, type Objective, type PenaltyMethod } from "./objective.js";
import { resolveOptions, type OptimizeOptions, type OptimizerName, type ResolvedOptions } from "./options.js";

/**
 * Why a run stopped: the iteration budget; the tolerance band reached; "stalled" = the exact line
 * search found no t > 0 that lowers F (the gradient is zero to rounding); "diverged" = a fixed step
 * made the kernel non-finite (the last finite kernel is returned).
 */
export type StopReason = "maxIterations" | "tolerance" | "stalled" | "diverged";

/** Result of {@link optimize}. */
export interface OptimizeResult {
  /** The final kernel K_i of the last history row. */
  kernel: Kernel;
  /** One row per iterate K_0, K_1, ..., the final one included. */
  history: HistoryRow[];
  stopReason: StopReason;
  optimizer: OptimizerName;
  method: PenaltyMethod;
  /** Total gradient evaluations (one per iterate). */
  gradientEvaluations: number;
  /**
   * Line-search evaluations: line quartics of the "frobenius" method (one per step of "line-search"
   * and "lbfgs"), backtracking trials (each a penalty estimate) of the "spectral" method.
   */
  quarticEvaluations: number;
  /** Which dense method gave each computed spectrum (see extremeSingularValues). */
  spectrumMethods: { gram: number; svd: number };
  elapsedMs: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

const scaled = (v: Float64Array, c: number): Float64Array => v.map((x) => c * x);
const allFinite = (v: Float64Array): boolean => v.every(Number.isFinite);

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ConvregError("ERR_ABORTED", "convreg: optimization aborted", { cause: signal.reason });
}

interface Step {
  /** The scalar recorded as the row's step. */
  step: number;
  /** K_{i+1} - K_i, or null when no step lowers F ("stalled"). */
  change: Float64Array | null;
}

/** Chooses the step from K with full gradient g; owns the L-BFGS memory between steps. */
class Stepper {
  private readonly memory: LbfgsMemory;

  constructor(
    private readonly o: ResolvedOptions,
    private readonly objective: Objective,
  ) {
    this.memory = new LbfgsMemory(o.memory);
  }

  get quarticEvaluations(): number {
    return this.objective.lineEvaluations;
  }

  /** Records the curvature pair of the last step (L-BFGS only). */
  observe(change: Float64Array, gradientChange: Float64Array): void {
    if (this.o.optimizer === "lbfgs") this.memory.push(change, gradientChange);
  }

  private async exactStep(kernel: Kernel, direction: Float64Array, penalty: number, g: Float64Array): Promise<number> {
    checkAbort(this.o.signal);
    return this.objective.lineStep(kernel, direction, penalty, g);
  }

  async next(iteration: number, kernel: Kernel, g: Float64Array, penalty: number): Promise<Step> {
    // The paper's G = (1/2) dF/dK: steps of "paper" and "line-search" are both lambda in K - lambda G.
    const minusG = scaled(g, -0.5);
    if (this.o.optimizer === "paper") {
      const lambda = this.o.step(iteration);
      return { step: lambda, change: scaled(minusG, lambda) };
    }
    if (this.o.optimizer === "line-search") {
      const t = await this.exactStep(kernel, minusG, penalty, g);
      return { step: t, change: t > 0 ? scaled(minusG, t) : null };
    }
    let d = this.memory.direction(g);
    if (!(dot(d, g) < 0)) {
      this.memory.reset(); // not a descent direction: fall back to steepest descent
      d = minusG;
    }
    let t = await this.exactStep(kernel, d, penalty, g);
    if (t === 0 && this.memory.length > 0) {
      this.memory.reset();
      d = minusG;
      t = await this.exactStep(kernel, d, penalty, g);
    }
    return { step: t, change: t > 0 ? scaled(d, t) : null };
  }
}

/**
 * Minimizes the paper's penalty F(K) = ||M^T M - alpha I||_F^2 from `kernel` (not modified).
 *
 * - "paper" (default): Algorithm 3.1, K <- K - lambda_i G with G = (1/2) dF/dK and the schedule
 *   (default the paper's: 1e-5 for iterations 0-9, 1e-4 for 10-19, 1e-3 after).
 * - "line-search": the same direction with the exact optimal lambda: F(K - lambda G) is a quartic in
 *   lambda whose coefficients are computed exactly, and lambda is its global minimizer over lambda > 0.
 * - "lbfgs": L-BFGS directions (memory `memory`, reset to -G whenever not a descent direction)
 *   with the same exact line search.
 *
 * Each iterate K_i costs one penalty-and-gradient evaluation, plus one line quartic per step for
 * the line-search optimizers, plus the spectrum where due (see {@link SpectrumEvery}; computed by
 * {@link extremeSingularValues}). The tolerance is relative to sqrt(alpha): the run stops once
 * sigma_max <= sqrt(alpha)(1 + tol) and sigma_min >= sqrt(alpha)(1 - tol).
 * Rejects with ERR_ABORTED when `signal` aborts.
 *
 * With `method: "spectral"` the penalty is instead the 2-norm ||B||_2 of the paper's reference [7]
 * (B = smaller Gram matrix - alpha I), estimated by `powerSteps` warm-started power steps per
 * evaluation; "paper" steps use G = (1/2) d||B||_2/dK, and "line-search"/"lbfgs" use Armijo
 * backtracking on the estimate (see lib/optimize/objective.ts) since it is not a quartic in the step.
 */
export async function optimize(kernel: Kernel, options: OptimizeOptions): Promise<OptimizeResult> {
  const start = performance.now();
  requireKernel(kernel);
  const o = resolveOptions(options);
  checkAbort(o.signal);
  const target = Math.sqrt(o.alpha);
  const objective = createObjective(o.method, { n: o.n, alpha: o.alpha, engine: o.engine, memoryLimit: o.memoryLimit, powerSteps: o.powerSteps });
  const stepper = new Stepper(o, objective);
  const history: HistoryRow[] = [];
  const methods = { gram: 0, svd: 0 };
  let current: Kernel = { shape: kernel.shape, data: Float64Array.from(kernel.data) };
  let previous: { change: Float64Array; gradient: Float64Array } | undefined;
  let previousKernel: Kernel | undefined;
  let evaluations = 0;

  const spectrum = async (k: Kernel): Promise<ExtremeSingularValues> => {
    checkAbort(o.signal);
    const s = await extremeSingularValues(k, o.n, o.memoryLimit);
    methods[s.method]++;
    return s;
  };

  for (let i = 0; ; i++) {
    checkAbort(o.signal);
    let pg: Awaited<ReturnType<typeof objective.evaluate>>;
    try {
      pg = await objective.evaluate(current);
    } catch (e) {
      // F overflowed at the new iterate (ERR_NONFINITE): the last step diverged. Stop at the previous
      // iterate, whose F was finite, and mark its row as the final one.
      if (i === 0 || !isConvregError(e) || e.code !== "ERR_NONFINITE") throw e;
      current = previousKernel!;
      const last = history.pop()!;
      const sigma = last.sigmaMax === null ? await spectrum(current) : undefined;
      const row: HistoryRow = { ...last, step: null, ...(sigma ? { sigmaMax: sigma.sigmaMax, sigmaMin: sigma.sigmaMin } : {}) };
      history.push(row); // onIteration has already reported this iterate
      return {
        kernel: current, history, stopReason: "diverged", optimizer: o.optimizer, method: o.method, gradientEvaluations: evaluations,
        quarticEvaluations: stepper.quarticEvaluations, spectrumMethods: methods, elapsedMs: performance.now() - start,
      };
    }
    evaluations++;
    const g = pg.gradient;
    if (previous) stepper.observe(previous.change, g.map((v, j) => v - previous!.gradient[j]));

    let sigma = o.spectrumDue(i) || i === o.maxIterations ? await spectrum(current) : undefined;
    let stopReason: StopReason | undefined;
    if (sigma && o.tolerance !== undefined && sigma.sigmaMax <= target * (1 + o.tolerance) && sigma.sigmaMin >= target * (1 - o.tolerance))
      stopReason = "tolerance";
    else if (i === o.maxIterations) stopReason = "maxIterations";

    let step: Step | undefined;
    if (!stopReason) {
      step = await stepper.next(i, current, g, pg.penalty);
      if (!step.change) stopReason = "stalled";
      else if (!allFinite(current.data.map((v, j) => v + step!.change![j]))) stopReason = "diverged";
      if (stopReason && !sigma) sigma = await spectrum(current);
    }

    const row: HistoryRow = {
      iteration: i,
      step: stopReason ? null : step!.step,
      penalty: pg.penalty,
      gradientNorm: Math.sqrt(dot(g, g)),
      gradientEvaluations: evaluations,
      sigmaMax: sigma ? sigma.sigmaMax : null,
      sigmaMin: sigma ? sigma.sigmaMin : null,
      elapsedMs: performance.now() - start,
    };
    history.push(row);
    o.onIteration?.(row, current);
    if (stopReason)
      return {
        kernel: current,
        history,
        stopReason,
        optimizer: o.optimizer,
        method: o.method,
        gradientEvaluations: evaluations,
        quarticEvaluations: stepper.quarticEvaluations,
        spectrumMethods: methods,
        elapsedMs: performance.now() - start,
      };
    const change = step!.change!;
    previousKernel = current;
    current = { shape: current.shape, data: current.data.map((v, j) => v + change[j]) };
    previous = { change, gradient: g };
  }
}
