/** The optimizer's history rows, their CSV form, and the milestones read from them. */

/** One iterate K_i of an optimization run. */
export interface HistoryRow {
  /** i: the number of steps taken before this iterate (0 = the initial kernel). */
  iteration: number;
  /**
   * The step taken from K_i (null at the final iterate): lambda in K <- K - lambda G with
   * G = (1/2) dF/dK for "paper" and "line-search"; t in K <- K + t d for "lbfgs".
   */
  step: number | null;
  /** The penalty at K_i: F(K_i) = ||M^T M - alpha I||_F^2, or the power-method estimate of ||B||_2 for method "spectral". */
  penalty: number;
  /** ||dF/dK||_F at K_i (the full derivative of the run's penalty, twice the paper's G). */
  gradientNorm: number;
  /** Gradient evaluations so far, including the one at K_i. */
  gradientEvaluations: number;
  /** sigma_max(M) at K_i, or null where the spectrum was not computed. */
  sigmaMax: number | null;
  /** sigma_min(M) at K_i (smallest of the min(gN^2, hN^2) values), or null. */
  sigmaMin: number | null;
  /** Milliseconds since the run started, when this row was recorded. */
  elapsedMs: number;
  /**
   * Why a spectrum value due at this row is missing (memory limit, or sigma_min not due), given on
   * the first row it applies to only; absent otherwise. JSON only (the CSV has no such column).
   */
  note?: string;
}

const columns = ["iteration", "step", "penalty", "gradient_norm", "gradient_evaluations", "sigma_max", "sigma_min", "elapsed_ms"] as const;

// Shortest round-trip decimal: CSV and JSON carry the same doubles.
const cell = (v: number | null): string => (v === null ? "" : String(v));

/** The history as CSV: a header line, then one line per row; empty cells where a value is null. */
export function historyToCsv(history: readonly HistoryRow[]): string {
  const lines = history.map((r) => [r.iteration, r.step, r.penalty, r.gradientNorm, r.gradientEvaluations, r.sigmaMax, r.sigmaMin, r.elapsedMs].map(cell).join(","));
  return [columns.join(","), ...lines].join("\n") + "\n";
}

/** Where the spectrum first came within a band around the target. */
export interface Milestone {
  /** Relative band: |sigma / sqrt(alpha) - 1| <= band for both sigma_max and sigma_min. */
  band: number;
  /** First iteration at which that held (among iterations whose spectrum was computed), or null. */
  iteration: number | null;
  /** Gradient evaluations made up to that iteration, or null. */
  gradientEvaluations: number | null;
}

/** The first computed iterate with both extreme singular values within `band` of sqrt(alpha). */
export function firstWithin(history: readonly HistoryRow[], band: number, alpha = 1): Milestone {
  const target = Math.sqrt(alpha);
  for (const r of history) {
    if (r.sigmaMax === null || r.sigmaMin === null) continue;
    if (Math.abs(r.sigmaMax / target - 1) <= band && Math.abs(r.sigmaMin / target - 1) <= band) return { band, iteration: r.iteration, gradientEvaluations: r.gradientEvaluations };
  }
  return { band, iteration: null, gradientEvaluations: null };
}

/** The rows whose spectrum was computed. */
export function spectrumRows(history: readonly HistoryRow[]): Array<HistoryRow & { sigmaMax: number; sigmaMin: number }> {
  return history.filter((r): r is HistoryRow & { sigmaMax: number; sigmaMin: number } => r.sigmaMax !== null && r.sigmaMin !== null);
}
