/** The matrix M of a layer, sparse (CSR) or dense, built from the kernel. */
import { requireKernel, type Kernel } from "../core/kernel.js";
import { requireInputSize, requireOptions } from "../core/validate.js";
import type { LayerOptions } from "../core/layer-options.js";
import { runAsync, runSync, type NativePlan } from "../native/plan.js";
import { densePlan, sparsePlan } from "./dense.js";
import { readLayerSpec, type LayerKindOptions } from "../core/layer-spec.js";
import { ConvregRangeError } from "../core/errors.js";
import { layerDensePlan, layerSparsePlan } from "./layer-spectra.js";
import { eachGroup, eachGroupAsync, readGroupCall } from "../core/groups.js";
import { assembleDense, assembleSparse } from "./group-matrix.js";

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

type MatrixOptions = LayerOptions & LayerKindOptions & { dense?: boolean };

type MatrixTask = "denseMatrix" | "sparseMatrix" | "layerDenseMatrix" | "layerSparseMatrix";

function matrixPlanFor(kernel: unknown, options: MatrixOptions | undefined): NativePlan<MatrixTask, SparseMatrix | DenseMatrix> {
  const k = requireKernel(kernel);
  const o = requireOptions(options);
  const n = requireInputSize(o.n, "options.n");
  const spec = readLayerSpec(k, o);
  if (spec?.padding === "circular" || (spec === undefined && o.padding === "circular"))
    throw new ConvregRangeError("ERR_ARGUMENT", `transformMatrix builds the zero-padded ("zero") or "valid" M; options.padding "circular" is not supported`);
  if (spec) return o.dense ? layerDensePlan(k, spec, o.memoryLimit) : layerSparsePlan(k, spec, o.memoryLimit);
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
 * With `stride`, `padding: "valid"`, `dilation` or `width` (an N x W input): `h Ho Wo` rows
 * `c Ho Wo + r Wo + s` and `g N W` columns `d N W + x W + y`; `transposed`: the forward M^T.
 * Sparse CSR by default; `{ dense: true }` materializes it (memory-checked). With `groups` or
 * `depthwise`, M is assembled block diagonal from the groups' M (`entry` indexes the layer kernel).
 */
export function transformMatrix(kernel: Kernel, options: LayerOptions & LayerKindOptions & { dense: true }): DenseMatrix;
export function transformMatrix(kernel: Kernel, options: LayerOptions & LayerKindOptions & { dense?: false }): SparseMatrix;
export function transformMatrix(kernel: Kernel, options: MatrixOptions): SparseMatrix | DenseMatrix {
  const groups = readGroupCall(kernel, options);
  if (groups) {
    const blocks = eachGroup(groups.kernels, (k) => runSync(matrixPlanFor(k, groups.options)));
    return groups.options.dense ? assembleDense(blocks as DenseMatrix[]) : assembleSparse(blocks as SparseMatrix[], groups.layout);
  }
  return runSync(matrixPlanFor(kernel, options));
}

/** Async form of {@link transformMatrix}. */
export function transformMatrixAsync(kernel: Kernel, options: LayerOptions & LayerKindOptions & { dense: true }): Promise<DenseMatrix>;
export function transformMatrixAsync(kernel: Kernel, options: LayerOptions & LayerKindOptions & { dense?: false }): Promise<SparseMatrix>;
export async function transformMatrixAsync(kernel: Kernel, options: MatrixOptions): Promise<SparseMatrix | DenseMatrix> {
  const groups = readGroupCall(kernel, options);
  if (groups) {
    const blocks = await eachGroupAsync(groups.kernels, (k) => runAsync(matrixPlanFor(k, groups.options)));
    return groups.options.dense ? assembleDense(blocks as DenseMatrix[]) : assembleSparse(blocks as SparseMatrix[], groups.layout);
  }
  return runAsync(matrixPlanFor(kernel, options));
}
