/**
 * The quartic F(K + tD) = c0 + c1 t + ... + c4 t^4 of the exact line search.
 * Uses the library's `lineQuarticAsync` when it exists; until then (interim) the coefficients are
 * assembled exactly from the dense M of K and of D with Gram matrices on the smaller side.
 */
import type { Kernel } from "../kernel.js";
import * as operations from "../operations.js";
import { transformMatrixAsync } from "../operations.js";

/** Options of the line quartic. */
export interface LineQuarticArgs {
  n: number;
  alpha: number;
}

type LineQuarticAsync = (kernel: Kernel, direction: Kernel, options: LineQuarticArgs) => Promise<Float64Array>;

// Frobenius inner product of two row-major rows x rows matrices.
function inner(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

// X Y^T (or X^T Y when !outer) for dense row-major rows x cols matrices.
function gram(x: Float64Array, y: Float64Array, rows: number, cols: number, outer: boolean): Float64Array {
  const side = outer ? rows : cols;
  const out = new Float64Array(side * side);
  if (outer) {
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < rows; j++) {
        let s = 0;
        for (let l = 0; l < cols; l++) s += x[i * cols + l] * y[j * cols + l];
        out[i * side + j] = s;
      }
  } else {
    for (let l = 0; l < rows; l++)
      for (let i = 0; i < cols; i++) {
        const v = x[l * cols + i];
        if (v === 0) continue;
        for (let j = 0; j < cols; j++) out[i * side + j] += v * y[l * cols + j];
      }
  }
  return out;
}

async function denseLineQuartic(kernel: Kernel, direction: Kernel, { n, alpha }: LineQuarticArgs): Promise<Float64Array> {
  const m0 = await transformMatrixAsync(kernel, { n, dense: true });
  const m1 = await transformMatrixAsync(direction, { n, dense: true });
  const { rows, cols } = m0;
  const outer = rows <= cols;
  const p = gram(m0.data, m0.data, rows, cols, outer);
  const q = gram(m0.data, m1.data, rows, cols, outer);
  const r = gram(m1.data, m1.data, rows, cols, outer);
  const side = outer ? rows : cols;
  const s = new Float64Array(q.length);
  for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) s[i * side + j] = q[i * side + j] + q[j * side + i];
  const a = alpha;
  return Float64Array.from([
    inner(p, p) - 2 * a * inner(m0.data, m0.data) + a * a * cols,
    2 * inner(p, s) - 4 * a * inner(m0.data, m1.data),
    inner(s, s) + 2 * inner(p, r) - 2 * a * inner(m1.data, m1.data),
    2 * inner(s, r),
    inner(r, r),
  ]);
}

/** Coefficients [c0..c4] with F(K + tD) = sum c_i t^i. */
export function lineQuarticAsync(kernel: Kernel, direction: Kernel, options: LineQuarticArgs): Promise<Float64Array> {
  const library = (operations as unknown as Record<string, unknown>).lineQuarticAsync as LineQuarticAsync | undefined;
  return library ? library(kernel, direction, options) : denseLineQuartic(kernel, direction, options);
}
