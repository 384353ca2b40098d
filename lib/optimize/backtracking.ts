/**
 * Backtracking (Armijo) line search for objectives that are not polynomials in the step, such as
 * the power-method estimate of the 2-norm penalty.
 */

/** Result of {@link backtrack}: the accepted step (0 when none), its value and the trials made. */
export interface BacktrackResult {
  t: number;
  value: number;
  trials: number;
}

/** Sufficient-decrease constant c of the Armijo test phi(t) <= phi(0) + c t phi'(0). */
export const ARMIJO_C = 1e-4;

/**
 * Tries t0, t0/2, t0/4, ... (at most `maxTrials`) and returns the first t with
 * phi(t) <= phi0 + c t slope. `slope` = phi'(0) must be negative; otherwise returns t = 0 at once.
 */
export async function backtrack(phi: (t: number) => Promise<number>, phi0: number, slope: number, t0: number, maxTrials = 40): Promise<BacktrackResult> {
  if (!(slope < 0) || !(t0 > 0) || !Number.isFinite(t0)) return { t: 0, value: phi0, trials: 0 };
  let t = t0;
  for (let trial = 1; trial <= maxTrials; trial++, t /= 2) {
    const value = await phi(t);
    if (Number.isFinite(value) && value <= phi0 + ARMIJO_C * t * slope) return { t, value, trials: trial };
  }
  return { t: 0, value: phi0, trials: maxTrials };
}
