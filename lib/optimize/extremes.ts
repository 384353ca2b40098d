/**
 * sigma_max and sigma_min of M for the optimizer's tracking, by the cheapest exact dense method:
 * eigenvalues of the smaller Gram matrix, checked against their error bound, else dgesvd.
 */
import type { Kernel } from "../core/kernel.js";
import { singularValuesAsync } from "../spectrum/singular-values.js";

/** The extreme singular values of M and how they were computed. */
export interface ExtremeSingularValues {
  sigmaMax: number;
  sigmaMin: number;
  method: "gram" | "svd";
}

/** Relative accuracy demanded of sigma_min before the Gram eigenvalues are trusted. */
export const GRAM_RELATIVE_ACCURACY = 1e-6;

/**
 * True when sigma_min from the Gram eigenvalues is accurate to {@link GRAM_RELATIVE_ACCURACY}.
 * A backward-stable symmetric eigensolver returns each eigenvalue of the `side x side` Gram matrix
 * with an absolute error of at most about `side * eps * lambda_max` (a conservative bound), so
 * sigma_min = sqrt(lambda_min) has relative error about `side * eps * sigma_max^2 / (2 sigma_min^2)`.
 */
export function gramIsAccurate(sigmaMax: number, sigmaMin: number, side: number): boolean {
  if (!(sigmaMin > 0)) return false;
  const absoluteError = side * Number.EPSILON * sigmaMax * sigmaMax;
  return absoluteError / (2 * sigmaMin * sigmaMin) <= GRAM_RELATIVE_ACCURACY;
}

/**
 * sigma_max and sigma_min (the smallest of the `min(g N^2, h N^2)` values) of M. Tries the Gram
 * eigenvalues (dsyevd, about 2-4x faster than dgesvd at N = 20) and falls back to dgesvd when
 * {@link gramIsAccurate} fails, i.e. when sigma_max / sigma_min exceeds roughly
 * `sqrt(2e-6 / (side * eps))` (about 4700 for the 400 x 400 Gram matrix of the paper's 3x3x3x1 case, 2700 for the 1200 x 1200
 * one of its 3x3x3x6 case).
 */
export async function extremeSingularValues(kernel: Kernel, n: number, memoryLimit?: number): Promise<ExtremeSingularValues> {
  const [, , g, h] = kernel.shape;
  const side = Math.min(g, h) * n * n;
  const gram = await singularValuesAsync(kernel, { n, method: "gram", memoryLimit });
  const sigmaMax = gram[0];
  const sigmaMin = gram[gram.length - 1];
  if (gramIsAccurate(sigmaMax, sigmaMin, side)) return { sigmaMax, sigmaMin, method: "gram" };
  const svd = await singularValuesAsync(kernel, { n, method: "svd", memoryLimit });
  return { sigmaMax: svd[0], sigmaMin: svd[svd.length - 1], method: "svd" };
}
