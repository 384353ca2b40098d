/** The matrix M of a layer, sparse (CSR) or dense, built from the kernel. */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { requireInputSize, requireOptions } from "../core/validate.js";
import type { LayerOptions } from "../core/layer-options.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import { densePlan, sparsePlan } from "./dense.js";

/** M in compressed sparse row form: row i holds `value[z]` at column `column[z]` for z in `rowStart[i]..rowStart[i+1]-1`. */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rowStart: Int32Array;
  readonly column: Int32Array;
  /** Index into `kernel.data` of the entry stored at each nonzero. */
  readonly entry: Int32Array;
  readonly value: Float64Array;
}

/** M as a dense row-major matrix. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

type MatrixOptions = LayerOptions & { dense?: boolean };

function matrixPlanFor(kernel: unknown, options: MatrixOptions | undefined): NativePlan<"denseMatrix" | "sparseMatrix", SparseMatrix | DenseMatrix> {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  if (o.dense) {
    const plan = densePlan(k, n, o.memoryLimit);
    const [, , g, h] = k.shape;
    const dense: NativePlan<"denseMatrix", DenseMatrix> = { ...plan, finish: (raw) => ({ rows: h * n * n, cols: g * n * n, data: raw }) };
    return dense;
  }
  return sparsePlan(k, n, o.memoryLimit);
}

/**
 * The matrix M with `vec(Y) = M vec(X)`: `h N^2` rows, `g N^2` columns. Row `c N^2 + r N + s`
 * is output pixel (r, s) of channel c; column `d N^2 + r N + s` is input pixel (r, s) of channel d.
 * Sparse CSR by default; `{ dense: true }` materializes it (memory-checked).
 */
export function transformMatrix(kernel: Kernel, options: LayerOptions & { dense: true }): DenseMatrix;
export function transformMatrix(kernel: Kernel, options: LayerOptions & { dense?: false }): SparseMatrix;
export function transformMatrix(kernel: Kernel, options: MatrixOptions): SparseMatrix | DenseMatrix {
  return runSync(matrixPlanFor(kernel, options));
}

/** Async form of {@link transformMatrix}. */
export function transformMatrixAsync(kernel: Kernel, options: LayerOptions & { dense: true }): Promise<DenseMatrix>;
export function transformMatrixAsync(kernel: Kernel, options: LayerOptions & { dense?: false }): Promise<SparseMatrix>;
export async function transformMatrixAsync(kernel: Kernel, options: MatrixOptions): Promise<SparseMatrix | DenseMatrix> {
  return runAsync(matrixPlanFor(kernel, options));
}
