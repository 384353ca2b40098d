/**
 * A smaller input size whose M is a submatrix of the layer's M at its full size, so that the
 * smaller layer's sigma_max is a proven lower value of the full one's (docs/MATH.md §10): the
 * top-left P x Pw input pixels, with P = H (mod s) so that TensorFlow's SAME padding is the same.
 */
import type { LayerPadding } from "../core/layer-spec.js";

/**
 * Along one axis of `length` input pixels: `length` itself when it is at most `target`, else the
 * smallest P >= target with P = length (mod stride) (then P < target + stride <= length).
 * VALID padding needs no residue, but the same P serves it (P >= target >= ke is the caller's part).
 */
export function submatrixLength(length: number, stride: number, target: number): number {
  if (length <= target) return length;
  return length - stride * Math.floor((length - target) / stride);
}

/** The per-axis target: `outputs` output positions and the kernel's reach, so VALID keeps them too. */
export function submatrixTarget(k: number, layer: { stride?: number; dilation?: number; padding?: LayerPadding }, outputs: number): number {
  const stride = layer.stride ?? 1;
  const ke = (layer.dilation ?? 1) * (k - 1) + 1;
  return stride * (outputs - 1) + ke;
}
