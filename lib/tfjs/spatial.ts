/**
 * Spatial sizes through a network: the height and width of each tensor, from the model's input
 * shape (or the --input-size stand-in for sizes the model leaves open) and each layer's
 * strides, padding, pooling and upsampling. `null` means unknown.
 */

/** A tensor's spatial size; `fromFlag` is true when the user's --input-size stood in for an open dimension. */
export interface SpatialSize {
  height: number | null;
  width: number | null;
  fromFlag: boolean;
}

/** Unknown size. */
export const UNKNOWN: SpatialSize = { height: null, width: null, fromFlag: false };

/** The --input-size stand-in: height and width of the model input. */
export type InputSize = number | readonly [number, number];

/** Height and width from an input shape `[batch, H, W, C]` (channels last), `stand-in` for open dims. */
export function inputSpatial(shape: unknown, standIn: InputSize | undefined): SpatialSize {
  if (!Array.isArray(shape) || shape.length !== 4) return UNKNOWN;
  let fromFlag = false;
  const dim = (v: unknown, axis: 0 | 1): number | null => {
    if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
    if (standIn === undefined) return null;
    fromFlag = true;
    return typeof standIn === "number" ? standIn : standIn[axis];
  };
  const height = dim(shape[1], 0);
  const width = dim(shape[2], 1);
  return { height, width, fromFlag };
}

/** Output length of a windowed op (convolution or pooling) along one axis, as TensorFlow computes it. */
export function windowOutput(length: number | null, kernel: number, stride: number, dilation: number, padding: string): number | null {
  if (length === null) return null;
  const p = padding.toLowerCase();
  if (p === "same") return Math.ceil(length / stride);
  if (p === "valid") {
    const out = Math.floor((length - dilation * (kernel - 1) - 1) / stride) + 1;
    return out > 0 ? out : null;
  }
  return null;
}

/** Applies a per-axis map to a size. */
export function mapSize(size: SpatialSize, f: (length: number | null, axis: 0 | 1) => number | null): SpatialSize {
  return { height: f(size.height, 0), width: f(size.width, 1), fromFlag: size.fromFlag };
}

/** The first input size that is known (several-input layers such as Add or Concatenate keep the size). */
export function firstKnown(sizes: SpatialSize[]): SpatialSize {
  return sizes.find((s) => s.height !== null || s.width !== null) ?? UNKNOWN;
}

/** A pair [a, b] from a number or a 1- or 2-element array (Keras accepts both). */
export function pair(v: unknown, fallback: number): [number, number] {
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.length >= 1) {
    const a = typeof v[0] === "number" ? v[0] : fallback;
    const b = typeof v[v.length === 1 ? 0 : 1] === "number" ? (v[v.length === 1 ? 0 : 1] as number) : fallback;
    return [a, b];
  }
  return [fallback, fallback];
}
