/**
 * Plans for the layer's own M and its spectra (src/layer_matrix, src/layer_sigma): the sparse
 * or dense M of a strided / VALID / dilated / H x W / transposed layer, all its singular values
 * (dgesdd or the smaller Gram's eigenvalues), Lanczos sigma_max on the sparse Gram operator and
 * the certified sigma_min. Every native allocation is estimated and guarded first.
 */
import { ConvregRangeError } from "../core/errors.js";
import type { Kernel } from "../core/kernel.js";
import { formatBytes, requireMemory } from "../core/memory.js";
import type { NativeCancelToken, NativeSparse, RawLanczos, RawSigmaMin } from "../native/raw.js";
import type { LayerBaseArgs } from "../native/functions.js";
import type { NativePlan } from "../native/plan.js";
import { outputSize, type LayerSpec } from "../core/layer-spec.js";

/** Rows, columns and nonzeros of the layer's own M (a transposed layer's M is the forward M^T). */
export interface LayerMatrixSize {
  rows: number;
  cols: number;
  nonzeros: number;
}

/** Output positions along one axis whose tap p lands inside the input, for each p (O(k), not O(n)). */
function tapsInside(input: number, k: number, spec: LayerSpec): number {
  const out = outputSize(input, k, spec);
  const ke = spec.dilation * (k - 1) + 1;
  const before = spec.padding === "valid" ? 0 : Math.floor(Math.max((out - 1) * spec.stride + ke - input, 0) / 2);
  let total = 0;
  for (let p = 0; p < k; p++) {
    const shift = p * spec.dilation - before; // input index = r s + shift
    const first = Math.max(0, Math.ceil(-shift / spec.stride));
    const last = Math.min(out - 1, Math.floor((input - 1 - shift) / spec.stride));
    total += Math.max(0, last - first + 1);
  }
  return total;
}

export function layerMatrixSize(kernel: Kernel, spec: LayerSpec): LayerMatrixSize {
  const [k, , g, h] = kernel.shape;
  const forwardRows = h * outputSize(spec.height, k, spec) * outputSize(spec.width, k, spec);
  const forwardCols = g * spec.height * spec.width;
  const nonzeros = tapsInside(spec.height, k, spec) * tapsInside(spec.width, k, spec) * g * h;
  return spec.transposed ? { rows: forwardCols, cols: forwardRows, nonzeros } : { rows: forwardRows, cols: forwardCols, nonzeros };
}

/** Work rows x cols x min(rows, cols) of the dense SVD of the layer's M. */
export function layerSvdWork(kernel: Kernel, spec: LayerSpec): number {
  const { rows, cols } = layerMatrixSize(kernel, spec);
  return rows * cols * Math.min(rows, cols);
}

export function layerBaseArgs(kernel: Kernel, spec: LayerSpec): LayerBaseArgs {
  const [k, , g, h] = kernel.shape;
  return [kernel.data, k, g, h, spec.height, spec.width, spec.stride, spec.dilation, spec.padding === "valid", spec.transposed];
}

const INT32_MAX = 2 ** 31 - 1;

/** Bytes of the sparse M in the core (64-bit column and entry, value) and, transposed, its transpose. */
function sparseBytes(s: LayerMatrixSize): number {
  return 2 * (24 * s.nonzeros + 8 * (Math.max(s.rows, s.cols) + 1));
}

/** Nonzeros of the smaller Gram matrix, bounded by the couplings of one Gram row (every channel of the side, 2k-1 offsets per axis). */
function gramNonzerosBound(kernel: Kernel, spec: LayerSpec): number {
  const [k, , g, h] = kernel.shape;
  const { rows, cols } = layerMatrixSize(kernel, spec);
  const order = Math.min(rows, cols);
  const reach = 2 * Math.floor(((k - 1) * spec.dilation) / spec.stride) + 1;
  const outH = outputSize(spec.height, k, spec);
  const outW = outputSize(spec.width, k, spec);
  const inputRow = g * Math.min(2 * k - 1, spec.height) * Math.min(2 * k - 1, spec.width);
  const outputRow = h * Math.min(reach, outH) * Math.min(reach, outW);
  return order * Math.min(order, Math.max(inputRow, outputRow));
}

/** The layer's M in CSR form. */
export function layerSparsePlan(kernel: Kernel, spec: LayerSpec, limit?: number): NativePlan<"layerSparseMatrix", NativeSparse> {
  const s = layerMatrixSize(kernel, spec);
  if (s.nonzeros > INT32_MAX || s.rows > INT32_MAX || s.cols > INT32_MAX)
    throw new ConvregRangeError("ERR_RANGE", `the sparse M (${s.rows} x ${s.cols}) has ${s.nonzeros} nonzeros; its int32 indices allow at most ${INT32_MAX}`);
  // The core builds 64-bit arrays and the binding copies them to 32-bit indices.
  requireMemory(sparseBytes(s) + 20 * s.nonzeros + 4 * s.rows, `the sparse M (${s.rows} x ${s.cols}, ${s.nonzeros} nonzeros)`, limit);
  return { fn: "layerSparseMatrix", args: layerBaseArgs(kernel, spec), finish: (raw) => raw };
}

/** The layer's M as a dense row-major matrix. */
export function layerDensePlan(kernel: Kernel, spec: LayerSpec, limit?: number): NativePlan<"layerDenseMatrix", { rows: number; cols: number; data: Float64Array }> {
  const s = layerMatrixSize(kernel, spec);
  requireMemory(sparseBytes(s) + 2 * 8 * s.rows * s.cols, `the dense M (${s.rows} x ${s.cols})`, limit);
  return { fn: "layerDenseMatrix", args: layerBaseArgs(kernel, spec), finish: (raw) => ({ rows: s.rows, cols: s.cols, data: raw }) };
}

/** All min(rows, cols) singular values, descending: dgesdd ("svd") or the smaller Gram's eigenvalues ("gram"). */
export function layerValuesPlan(kernel: Kernel, spec: LayerSpec, method: "svd" | "gram", limit?: number): NativePlan<"layerSingularValues", Float64Array> {
  const s = layerMatrixSize(kernel, spec);
  const side = Math.min(s.rows, s.cols);
  // svd: the dense M and LAPACKE's row-major copy; gram: the sparse Gram and two dense side x side arrays.
  const work = method === "svd" ? 2 * 8 * s.rows * s.cols : 16 * gramNonzerosBound(kernel, spec) + 2 * 8 * side * side;
  requireMemory(sparseBytes(s) + work + 8 * side, `the layer's singular values by ${method} (M is ${s.rows} x ${s.cols})`, limit);
  return { fn: "layerSingularValues", args: [...layerBaseArgs(kernel, spec), method], finish: (raw) => raw };
}

export interface LayerLanczosArgs {
  start: Float64Array | null;
  tolerance: number;
  maxIterations: number;
  basisSize: number;
  limit?: number;
}

/** Bytes of Lanczos on the layer's sparse Gram operator: M and its transpose, the basis, the restart block and work vectors. */
export function layerLanczosBytes(kernel: Kernel, spec: LayerSpec, basisSize: number): number {
  const s = layerMatrixSize(kernel, spec);
  const side = Math.min(s.rows, s.cols);
  const m = Math.min(basisSize, side);
  return sparseBytes(s) + 8 * (m + Math.floor(m / 2) + 8) * side + 8 * Math.max(s.rows, s.cols) + 16 * m * m;
}

/** Lanczos sigma_max on the smaller Gram operator A^T A of the layer's sparse M. */
export function layerLanczosPlan(kernel: Kernel, spec: LayerSpec, a: LayerLanczosArgs, token: NativeCancelToken | undefined): NativePlan<"layerSigmaMaxLanczos", RawLanczos> {
  const side = Math.min(layerMatrixSize(kernel, spec).rows, layerMatrixSize(kernel, spec).cols);
  requireMemory(layerLanczosBytes(kernel, spec, a.basisSize), `Lanczos for the layer's sigma_max (Gram side ${side}, basis of ${a.basisSize} vectors)`, a.limit);
  if (a.start !== null && a.start.length !== side)
    throw new ConvregRangeError("ERR_SHAPE", `options.start has ${a.start.length} entries but the layer's Gram side min(rows, cols) is ${side}`);
  return {
    fn: "layerSigmaMaxLanczos",
    args: [...layerBaseArgs(kernel, spec), a.start, a.tolerance, a.maxIterations, a.basisSize, token],
    finish: (raw) => raw,
  };
}

const LANCZOS_STEPS = 80;

/** The certified sigma_min of the layer's M: shift-invert on a Cholesky of its sparse Gram. */
export function layerSigmaMinPlan(
  kernel: Kernel,
  spec: LayerSpec,
  a: { factorMemoryLimit: number; tolerance: number; worstCase: boolean; limit?: number },
  token: NativeCancelToken | null,
): NativePlan<"layerSigmaMin", RawSigmaMin> {
  const s = layerMatrixSize(kernel, spec);
  const order = Math.min(s.rows, s.cols);
  const other = Math.max(s.rows, s.cols);
  const gram = 16 * (gramNonzerosBound(kernel, spec) / 2 + order) + 24 * order;
  const bytes = 3 * 24 * s.nonzeros + 16 * (order + other) + gram + 8 * (LANCZOS_STEPS + 16) * order + 64 * other;
  requireMemory(bytes, `the layer's sparse Gram matrix for sigmaMin (order ${order}, ${formatBytes(bytes)} with work vectors)`, a.limit);
  return {
    fn: "layerSigmaMin",
    args: [...layerBaseArgs(kernel, spec), a.factorMemoryLimit, a.tolerance, LANCZOS_STEPS, a.worstCase, token],
    finish: (raw) => raw,
  };
}
