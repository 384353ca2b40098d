/**
 * The kernel value: a `k x k x g x h` convolution kernel stored in HWIO order
 * (rows, columns, input channels, output channels), the layout of TensorFlow and of
 * the paper. Constructors convert from PyTorch's OIHW layout and from nested arrays.
 */
import { ConvregRangeError, ConvregTypeError } from "./errors.js";
import { describe, requireChoice } from "./validate.js";
import { allFinite } from "./arrays.js";

/** Kernel shape `[k, k, g, h]`: square spatial size k, g input and h output channels. */
export type KernelShape = readonly [k: number, k2: number, g: number, h: number];

/** Memory layouts convreg reads and writes. */
export type KernelLayout = "hwio" | "oihw";

/** A convolution kernel: `data[((p*k + q)*g + d)*h + c] = K[p, q, d, c]`. */
export interface Kernel {
  readonly shape: KernelShape;
  readonly data: Float64Array;
}

/** The largest spatial kernel size and channel count accepted. */
export const MAX_KERNEL_SIDE = 1024;
export const MAX_CHANNELS = 1 << 16;

const SHAPE_LABELS = ["k", "k", "g", "h"] as const;

/** Checks a shape `[k, k, g, h]` and returns it as a fresh tuple. */
export function requireShape(shape: unknown, name = "shape"): KernelShape {
  if (!Array.isArray(shape) || shape.length !== 4) throw new ConvregTypeError("ERR_SHAPE", `${name} must be an array [k, k, g, h] of 4 integers, got ${describe(shape)}`);
  // A plain loop, not forEach: forEach would skip the holes of a sparse array.
  for (let i = 0; i < 4; i++) {
    const v: unknown = shape[i];
    const max = i < 2 ? MAX_KERNEL_SIDE : MAX_CHANNELS;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max)
      throw new ConvregRangeError("ERR_SHAPE", `${name}[${i}] (${SHAPE_LABELS[i]}) must be an integer between 1 and ${max}, got ${describe(v)}`);
  }
  if (shape[0] !== shape[1]) throw new ConvregRangeError("ERR_SHAPE", `${name} must be square in its first two dimensions (k x k), got ${shape[0]} x ${shape[1]}`);
  return [shape[0], shape[1], shape[2], shape[3]];
}

/** Number of entries of a kernel of this shape. */
export function shapeSize(shape: KernelShape): number {
  return shape[0] * shape[1] * shape[2] * shape[3];
}

function requireFiniteData(data: ArrayLike<number>, name: string): void {
  if (data instanceof Float64Array && allFinite(data)) return; // the common case, without a branch per entry
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ConvregRangeError("ERR_NONFINITE", `${name}[${i}] must be a finite number, got ${describe(v)}`);
  }
}

/** `shape` is the shape as the caller wrote it, for the message only. */
function requireData(data: unknown, length: number, name: string, shape: readonly unknown[]): ArrayLike<number> {
  if (!(ArrayBuffer.isView(data) && !(data instanceof DataView)) && !Array.isArray(data))
    throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be a Float64Array, Float32Array or number array, got ${describe(data)}`);
  const arr = data as ArrayLike<number>;
  if (arr.length !== length) throw new ConvregRangeError("ERR_SHAPE", `${name} has ${arr.length} entries but shape [${shape.join(", ")}] needs ${length}`);
  return arr;
}

/**
 * Checks a kernel value (shape, data length, finite entries) and returns a snapshot
 * `{ shape, data }` read once: getters or later mutation of the caller's object cannot
 * change the shape the native call is given.
 */
export function requireKernel(kernel: unknown, name = "kernel"): Kernel {
  if (kernel === null || typeof kernel !== "object") throw new ConvregTypeError("ERR_ARGUMENT", `${name} must be a kernel object { shape, data }, got ${describe(kernel)}`);
  const { shape, data } = kernel as { shape?: unknown; data?: unknown };
  const s = requireShape(shape, `${name}.shape`);
  if (!(data instanceof Float64Array)) throw new ConvregTypeError("ERR_ARGUMENT", `${name}.data must be a Float64Array, got ${describe(data)} (use createKernel to convert)`);
  requireData(data, shapeSize(s), `${name}.data`, s);
  requireFiniteData(data, `${name}.data`);
  return { shape: s, data };
}

/** A kernel from HWIO data (copied to a new Float64Array) and its shape `[k, k, g, h]`. */
export function createKernel(data: ArrayLike<number>, shape: readonly number[]): Kernel {
  const s = requireShape(shape);
  const arr = requireData(data, shapeSize(s), "data", s);
  requireFiniteData(arr, "data");
  return { shape: s, data: Float64Array.from(arr) };
}

/** A kernel from PyTorch's OIHW data with OIHW shape `[h, g, k, k]`. */
export function kernelFromOIHW(data: ArrayLike<number>, oihwShape: readonly number[]): Kernel {
  if (!Array.isArray(oihwShape) || oihwShape.length !== 4) throw new ConvregTypeError("ERR_SHAPE", `shape must be an OIHW array [h, g, k, k], got ${describe(oihwShape)}`);
  const [h, g, k, k2] = oihwShape;
  const shape = requireShape([k, k2, g, h], "shape (as [k, k, g, h])");
  const arr = requireData(data, shapeSize(shape), "data", oihwShape);
  requireFiniteData(arr, "data");
  const out = new Float64Array(arr.length);
  for (let c = 0; c < h; c++)
    for (let d = 0; d < g; d++) for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) out[((p * k + q) * g + d) * h + c] = arr[((c * g + d) * k + p) * k + q];
  return { shape, data: out };
}

/** The kernel's data in OIHW order (shape `[h, g, k, k]`). */
export function kernelToOIHW(kernel: Kernel): Float64Array {
  kernel = requireKernel(kernel);
  const [k, , g, h] = kernel.shape;
  const out = new Float64Array(kernel.data.length);
  for (let c = 0; c < h; c++)
    for (let d = 0; d < g; d++) for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) out[((c * g + d) * k + p) * k + q] = kernel.data[((p * k + q) * g + d) * h + c];
  return out;
}

/** Nested arrays in the given layout: `K[p][q][d][c]` (hwio) or `W[c][d][p][q]` (oihw). */
export type NestedKernel = number[][][][];

/** A kernel from nested arrays, HWIO (`K[p][q][d][c]`, the default) or OIHW (`W[c][d][p][q]`). */
export function kernelFromNested(nested: NestedKernel, layout: KernelLayout = "hwio"): Kernel {
  requireChoice(layout, "layout", ["hwio", "oihw"], "hwio");
  const dims: number[] = [];
  let level: unknown = nested;
  for (let i = 0; i < 4; i++) {
    if (!Array.isArray(level) || level.length === 0) throw new ConvregTypeError("ERR_SHAPE", `nested kernel must be a non-empty 4-level array, level ${i} is ${describe(level)}`);
    dims.push(level.length);
    level = level[0];
  }
  const flat: number[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (!Array.isArray(node) || node.length !== dims[depth])
      throw new ConvregRangeError("ERR_SHAPE", `nested kernel${path} must be an array of length ${dims[depth]} (ragged arrays are not kernels)`);
    for (let i = 0; i < node.length; i++) {
      if (depth === 3) flat.push(node[i] as number);
      else walk(node[i], depth + 1, `${path}[${i}]`);
    }
  };
  walk(nested, 0, "");
  return layout === "oihw" ? kernelFromOIHW(flat, dims) : createKernel(flat, dims);
}
