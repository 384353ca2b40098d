/**
 * The penalty the optimizer minimizes: the paper's Frobenius penalty (exact line search along a
 * quartic) or the 2-norm penalty of its reference [7] (warm-started power method; backtracking
 * line search, since its value along a line is not a polynomial).
 */
import type { Kernel } from "../core/kernel.js";
import { lineQuarticAsync, penaltyAndGradientAsync, type Engine } from "../penalty/frobenius.js";
import { spectralPenaltyAndGradientAsync } from "../penalty/two-norm.js";
import { backtrack } from "./backtracking.js";
import { minimizeOnPositiveAxis } from "./quartic.js";

/** The penalties {@link optimize} can minimize. */
export type PenaltyMethod = "frobenius" | "spectral";

/** The method names, in the order the CLI lists them. */
export const PENALTY_METHODS: readonly PenaltyMethod[] = ["frobenius", "spectral"];

/** What the optimizer needs from a penalty. */
export interface Objective {
  /**
   * Penalty and full gradient at an iterate. The gradient array may be refilled by the second
   * evaluate() after this one (the loop keeps only this step's and the last step's), never sooner.
   */
  evaluate(kernel: Kernel): Promise<{ penalty: number; gradient: Float64Array }>;
  /** A step t > 0 along `direction` that lowers the penalty, or 0 when none is found. */
  lineStep(kernel: Kernel, direction: Float64Array, penalty: number, gradient: Float64Array): Promise<number>;
  /** Objective evaluations spent by line searches so far. */
  lineEvaluations: number;
}

interface ObjectiveSettings {
  n: number;
  alpha: number;
  engine: Engine | undefined;
  memoryLimit: number | undefined;
  powerSteps: number;
}

const along = (kernel: Kernel, direction: Float64Array, t: number): Kernel => ({
  shape: kernel.shape,
  data: kernel.data.map((v, j) => v + t * direction[j]),
});

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** F = ||M^T M - alpha I||_F^2; the line search minimizes the exact quartic F(K + tD) over t > 0. */
class FrobeniusObjective implements Objective {
  lineEvaluations = 0;
  constructor(private readonly s: ObjectiveSettings) {}

  /** Two gradient arrays filled in turn (penaltyAndGradient's `out`): the loop holds this step's and the last step's (L-BFGS's y). */
  private readonly gradients: Float64Array[] = [];
  private turn = 0;

  async evaluate(kernel: Kernel): Promise<{ penalty: number; gradient: Float64Array }> {
    this.turn ^= 1;
    if (this.gradients[this.turn]?.length !== kernel.data.length) this.gradients[this.turn] = new Float64Array(kernel.data.length);
    const out = this.gradients[this.turn];
    const pg = await penaltyAndGradientAsync(kernel, { n: this.s.n, alpha: this.s.alpha, engine: this.s.engine, memoryLimit: this.s.memoryLimit, out });
    return { penalty: pg.penalty, gradient: pg.gradient.data };
  }

  async lineStep(kernel: Kernel, direction: Float64Array): Promise<number> {
    const c = await lineQuarticAsync(
      kernel,
      { shape: kernel.shape, data: direction },
      { n: this.s.n, alpha: this.s.alpha, engine: this.s.engine, memoryLimit: this.s.memoryLimit },
    );
    this.lineEvaluations++;
    return minimizeOnPositiveAxis(c).t;
  }
}

/**
 * ||B||_2 with B the smaller Gram matrix minus alpha I, by `powerSteps` power steps per evaluation,
 * each warm-started from the vector of the previous one (across iterates and line-search trials).
 * The line search is Armijo backtracking on that estimate (slope: the gradient's, at the iterate's
 * vector): it starts at twice the last accepted step (the first time at penalty / |slope|, where
 * the linear model reaches zero) and halves. Each trial costs `powerSteps` Gram products.
 * Measured limitation (bench/paper-comparison.js): once the top eigenvalues of B cluster, the
 * 2-norm has a kink the few power steps cannot resolve and the search stops ("stalled"); a
 * non-monotone Armijo variant was tried and ended worse.
 */
class SpectralObjective implements Objective {
  lineEvaluations = 0;
  private vector: Float64Array | undefined;
  private lastStep: number | undefined;
  constructor(private readonly s: ObjectiveSettings) {}

  private estimate(kernel: Kernel) {
    return spectralPenaltyAndGradientAsync(kernel, {
      n: this.s.n,
      alpha: this.s.alpha,
      powerSteps: this.s.powerSteps,
      startVector: this.vector,
      engine: this.s.engine,
      memoryLimit: this.s.memoryLimit,
    });
  }

  async evaluate(kernel: Kernel): Promise<{ penalty: number; gradient: Float64Array }> {
    const r = await this.estimate(kernel);
    this.vector = r.vector;
    return { penalty: r.penalty, gradient: r.gradient.data };
  }

  async lineStep(kernel: Kernel, direction: Float64Array, penalty: number, gradient: Float64Array): Promise<number> {
    const slope = dot(gradient, direction);
    if (!(slope < 0)) return 0;
    const t0 = this.lastStep !== undefined ? 2 * this.lastStep : penalty / Math.abs(slope);
    const start = this.vector;
    // phi(t) = the estimate at K + t D by the same power steps from the same start vector, so that
    // phi is one continuous function of t (phi(0) is computed too: the iterate's own estimate came
    // from an earlier vector, and comparing against it would stall the search).
    let trialVector: Float64Array | undefined;
    const phi = async (t: number): Promise<number> => {
      this.vector = start;
      const r = await this.estimate(t === 0 ? kernel : along(kernel, direction, t));
      this.lineEvaluations++;
      trialVector = r.vector;
      return r.penalty;
    };
    const phi0 = await phi(0);
    const result = await backtrack(phi, phi0, slope, t0);
    // Continue the power method from the accepted trial (a vector for the new iterate).
    this.vector = result.t > 0 ? trialVector : start;
    if (result.t > 0) this.lastStep = result.t;
    return result.t;
  }
}

/** The objective object for a run. */
export function createObjective(method: PenaltyMethod, settings: ObjectiveSettings): Objective {
  return method === "spectral" ? new SpectralObjective(settings) : new FrobeniusObjective(settings);
}
