/**
 * A free bound on every singular value from the Frobenius penalty itself: for the smaller Gram
 * matrix S (min(g, h) N^2 square), every eigenvalue lambda = sigma^2 satisfies
 * |lambda - alpha| <= ||S - alpha I||_2 <= ||S - alpha I||_F. The run computes
 * F = ||M^T M - alpha I||_F^2 at every iterate, and when g > h, M^T M holds (g - h) N^2 extra zero
 * eigenvalues, so ||S - alpha I||_F^2 = F - alpha^2 (g - h) N^2 (MATH.md).
 */
import type { Kernel } from "../core/kernel.js";

/** Bounds on sigma_max and sigma_min implied by the penalty (both from one radius r). */
export interface FrobeniusBound {
  /** r >= ||S - alpha I||_2: every sigma^2 lies in [alpha - r, alpha + r]. */
  radius: number;
  /** sqrt(alpha + r) >= sigma_max. */
  sigmaMaxUpper: number;
  /** sqrt(max(0, alpha - r)) <= sigma_min. */
  sigmaMinLower: number;
}

/**
 * Rounding allowance on F, relative to alpha^2 g N^2 (the size of each of the terms
 * ||M^T M||_F^2, 2 alpha ||M||_F^2 and alpha^2 g N^2 near the optimum, which F's formula subtracts):
 * 1000 eps, far above the accumulated error of sums of that length in practice.
 */
const ROUNDING = 1000 * Number.EPSILON;

/** The bound from F at `kernel` (null when F is not finite). */
export function frobeniusBound(kernel: Kernel, n: number, alpha: number, penalty: number): FrobeniusBound | null {
  if (!Number.isFinite(penalty)) return null;
  const [, , g, h] = kernel.shape;
  const zeros = Math.max(0, g - h) * n * n;
  const smaller = penalty - alpha * alpha * zeros;
  const allowance = ROUNDING * alpha * alpha * g * n * n;
  const radius = Math.sqrt(Math.max(0, smaller) + allowance);
  return { radius, sigmaMaxUpper: Math.sqrt(alpha + radius), sigmaMinLower: Math.sqrt(Math.max(0, alpha - radius)) };
}
