/**
 * The optimization loop: Algorithm 3.1 of the paper (fixed steps), steepest descent with an exact
 * line search, and L-BFGS with the same line search, all minimizing F(K) = ||M^T M - alpha I||_F^2.
 * Every native call is the async form, so the event loop stays free during a run.
 */
import { performance } from "node:perf_hooks";
import { ConvregError, isConvregError } from "../core/errors.js";
import { requireKernel, type Kernel } from "../core/kernel.js";
import { frobeniusBound, type FrobeniusBound } from "./frobenius-bound.js";
import type { HistoryRow } from "./history.js";
import { LbfgsMemory } from "./lbfgs.js";
import { createObjective, type Objective, type PenaltyMethod } from "./objective.js";
import { DENSE_SPECTRUM_EVERY, resolveOptions, spectrumDue, type OptimizeOptions, type OptimizerName, type ResolvedOptions } from "./options.js";
import { checkWithinBand, SpectrumChecker, type SpectrumCheck } from "./spectrum-check.js";

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
  /**
   * How many times each method ran: the dense ones (Gram eigenvalues or dgesvd, see extremes.ts), Lanczos for
   * sigma_max and the sparse certified sigma_min (see SpectrumChecker).
   */
  spectrumMethods: { gram: number; svd: number; lanczos: number; sparse: number };
  /** "dense" or "iterative": `spectrum`'s "auto" rule for this M, and why it left dense (else null). */
  spectrumRegime: { method: "dense" | "iterative"; reason: string | null };
  /** The final iterate's spectrum with its bounds, and a note on whatever could not be computed. */
  finalSpectrum: SpectrumCheck;
  /** The Frobenius bound at the final iterate (method "frobenius"; null for "spectral"). */
  finalFrobeniusBound: FrobeniusBound | null;
  /** What proved the tolerance band when stopReason is "tolerance": the penalty's bound or a spectrum check. */
  toleranceProof: "frobenius" | "spectrum" | null;
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
 * {@link SpectrumChecker}: `spectrum`'s "auto" rule, dense where it fits and is cheap, else Lanczos
 * and the sparse sigma_min, else nothing, with the reason in the row's `note`). A run never refuses
 * because a spectrum does not fit. The tolerance is relative to sqrt(alpha): the run stops once
 * sigma_max <= sqrt(alpha)(1 + tol) and sigma_min >= sqrt(alpha)(1 - tol), proven at every iterate
 * by the Frobenius bound (free, see frobeniusBound) or at a spectrum check by its bounds.
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
  const objective = createObjective(o.method, { n: o.n, alpha: o.alpha, engine: o.engine, memoryLimit: o.memoryLimit, powerSteps: o.powerSteps });
  const stepper = new Stepper(o, objective);
  const checker = new SpectrumChecker(kernel, { n: o.n, alpha: o.alpha, tolerance: o.tolerance, memoryLimit: o.memoryLimit, denseWorkLimit: o.denseWorkLimit, signal: o.signal });
  const due = o.spectrumDue ?? (checker.regime === "dense" ? spectrumDue(DENSE_SPECTRUM_EVERY) : () => false);
  const history: HistoryRow[] = [];
  const notes = new Set<string>();
  let current: Kernel = { shape: kernel.shape, data: Float64Array.from(kernel.data) };
  let previous: { change: Float64Array; gradient: Float64Array } | undefined;
  let previousKernel: Kernel | undefined;
  let evaluations = 0;

  const check = async (k: Kernel, final: boolean): Promise<SpectrumCheck> => {
    checkAbort(o.signal);
    return checker.check(k, final);
  };
  // The final iterate's spectrum: an in-run check is reused unless it left out what a final check computes.
  const finalCheck = async (k: Kernel, inRun: SpectrumCheck | undefined) => (inRun && (inRun.method !== "iterative" || inRun.sigmaMin !== null) ? inRun : check(k, true));
  // A check's note goes on the first row it applies to, not on every row.
  const noteOf = (c: SpectrumCheck | undefined): { note?: string } => {
    if (!c?.note || notes.has(c.note)) return {};
    notes.add(c.note);
    return { note: c.note };
  };
  const bandOf = (penalty: number) => (o.method === "frobenius" ? frobeniusBound(current, o.n, o.alpha, penalty) : null);
  const finish = (stopReason: StopReason, finalSpectrum: SpectrumCheck, bound: FrobeniusBound | null, proof: OptimizeResult["toleranceProof"]): OptimizeResult => ({
    kernel: current,
    history,
    stopReason,
    optimizer: o.optimizer,
    method: o.method,
    gradientEvaluations: evaluations,
    quarticEvaluations: stepper.quarticEvaluations,
    spectrumMethods: { ...checker.counts },
    spectrumRegime: { method: checker.regime, reason: checker.fallbackReason },
    finalSpectrum,
    finalFrobeniusBound: bound,
    toleranceProof: proof,
    elapsedMs: performance.now() - start,
  });

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
      const spectrum = await check(current, true);
      const row: HistoryRow = { ...last, step: null, sigmaMax: spectrum.sigmaMax, sigmaMin: spectrum.sigmaMin, ...noteOf(spectrum) };
      history.push(row); // onIteration has already reported this iterate
      return finish("diverged", spectrum, bandOf(last.penalty), null);
    }
    evaluations++;
    const g = pg.gradient;
    if (previous)
      stepper.observe(
        previous.change,
        g.map((v, j) => v - previous!.gradient[j]),
      );

    // The free proof first (the penalty bounds every singular value), then the scheduled check.
    const bound = bandOf(pg.penalty);
    const tol = o.tolerance;
    let proof: OptimizeResult["toleranceProof"] = null;
    if (tol !== undefined && bound && bound.sigmaMaxUpper <= Math.sqrt(o.alpha) * (1 + tol) && bound.sigmaMinLower >= Math.sqrt(o.alpha) * (1 - tol)) proof = "frobenius";
    let spectrum = !proof && (due(i) || i === o.maxIterations) ? await check(current, i === o.maxIterations) : undefined;
    if (!proof && spectrum && tol !== undefined && checkWithinBand(spectrum, o.alpha, tol)) proof = "spectrum";
    let stopReason: StopReason | undefined = proof ? "tolerance" : i === o.maxIterations ? "maxIterations" : undefined;

    let step: Step | undefined;
    if (!stopReason) {
      step = await stepper.next(i, current, g, pg.penalty);
      if (!step.change) stopReason = "stalled";
      else if (!allFinite(current.data.map((v, j) => v + step!.change![j]))) stopReason = "diverged";
    }
    if (stopReason) spectrum = await finalCheck(current, spectrum);

    const row: HistoryRow = {
      iteration: i,
      step: stopReason ? null : step!.step,
      penalty: pg.penalty,
      gradientNorm: Math.sqrt(dot(g, g)),
      gradientEvaluations: evaluations,
      sigmaMax: spectrum ? spectrum.sigmaMax : null,
      sigmaMin: spectrum ? spectrum.sigmaMin : null,
      elapsedMs: performance.now() - start,
      ...noteOf(spectrum),
    };
    history.push(row);
    o.onIteration?.(row, current);
    if (stopReason) return finish(stopReason, spectrum!, bound, proof);
    const change = step!.change!;
    previousKernel = current;
    current = { shape: current.shape, data: current.data.map((v, j) => v + change[j]) };
    previous = { change, gradient: g };
  }
}
