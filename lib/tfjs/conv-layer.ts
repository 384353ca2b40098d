/** What the model readers report about a convolution (graph and layers topologies share it). */
import type { KernelShape } from "../core/kernel.js";
import type { SpatialSize } from "./spatial.js";

/**
 * What kind of convolution a row is. A separable layer gives two rows: its depthwise step and
 * its 1x1 pointwise step. "transposed": the kernel is stored [k, k, out, in] and M is the
 * forward convolution's M^T.
 */
export type ConvKind = "conv" | "depthwise" | "separable-depthwise" | "separable-pointwise" | "transposed";

/** A 2-D convolution found in a model. */
export interface ConvLayer {
  kind: ConvKind;
  /** Groups G of a grouped convolution (kernel [k, k, g/G, h]); 1 otherwise (depthwise included). */
  groups: number;
  /** Layer name (layers models), node name (graph models) or weight name (bare manifests). */
  name: string;
  /** The manifest weight holding the HWIO kernel. */
  weightName: string;
  /** Layer class or graph op, e.g. "Conv2D", "_FusedConv2D"; "weight" for bare manifests. */
  op: string;
  shape: KernelShape;
  /** Strides [rows, columns], padding and dilation [rows, columns]; null when the file does not say. */
  strides: [number, number] | null;
  padding: string | null;
  dilation: [number, number] | null;
  /**
   * Spatial size of the image M's columns act on, where known: the layer's input, or for a
   * transposed layer its output (the input of the forward convolution whose M^T it is).
   */
  input: SpatialSize;
  /**
   * The stored kernel's shape when it is not square ([kh, kw, g, h]): `shape` is then its centred
   * k x k embedding (k = max(kh, kw)), the same operator (see {@link squareEmbeddingProblem}).
   */
  storedShape?: readonly number[];
  /** Why the layer cannot be analysed although it is a 2-D convolution (its row fails with ERR_ARGUMENT and this reason). */
  unsupported?: string;
  /** Why the input size is unknown, when the graph says (e.g. a graph input value it depends on). */
  sizeProblem?: string;
  /** Where the filter comes from when it is not read straight from a weight (e.g. through a tf.cond Switch). */
  filterNote?: string;
}

/** A layer that holds weights or looks like a convolution but is not analysed, and why. */
export interface SkippedLayer {
  name: string;
  op: string;
  reason: string;
}

/** The convolutions of a model and what was skipped. */
export interface ModelConvolutions {
  convs: ConvLayer[];
  skipped: SkippedLayer[];
  /** The model's input shape as the file gives it (null entries are open dimensions), if any. */
  inputShape: (number | null)[] | null;
}

/** Why a 4-D weight is not a square HWIO kernel, or null when it is one. */
export function kernelShapeProblem(shape: readonly number[]): string | null {
  if (shape.length !== 4) return `weight has ${shape.length} dimensions, not 4 (HWIO)`;
  if (shape.some((d) => d < 1)) return `weight has an empty dimension (shape [${shape.join(", ")}])`;
  if (shape[0] !== shape[1]) return `non-square kernel ${shape[0]}x${shape[1]} (the analysis needs k x k)`;
  return null;
}

/**
 * Why a non-square kh x kw kernel is not the same operator as its centred k x k embedding
 * (k = max(kh, kw), zeros around the short axis), or null when it is. Along the short axis the
 * embedding adds (k - ks) / 2 zero taps per side and SAME padding (k - 1) / 2 per side instead of
 * (ks - 1) / 2: the same output at stride 1 (any dilation: both scale by d) when k - ks is even.
 */
export function squareEmbeddingProblem(shape: readonly number[], strides: [number, number], padding: string): string | null {
  const [kh, kw] = shape;
  const short = kh < kw ? 0 : 1;
  const difference = Math.abs(kh - kw);
  if (difference % 2 !== 0) return `non-square kernel ${kh}x${kw} with an odd size difference (no centred square embedding)`;
  if (padding.toLowerCase() !== "same") return `non-square kernel ${kh}x${kw} with ${padding.toLowerCase()} padding (its square embedding changes the output size)`;
  if (strides[short] !== 1) return `non-square kernel ${kh}x${kw} with stride ${strides[short]} on its short axis (its square embedding shifts the taps)`;
  return null;
}

/** The centred k x k embedding of a [kh, kw, g, h] kernel's values (HWIO, row-major). */
export function embedSquare(data: Float64Array, shape: readonly number[]): { data: Float64Array; shape: [number, number, number, number] } {
  const [kh, kw, g, h] = shape;
  const k = Math.max(kh, kw);
  const top = (k - kh) / 2;
  const left = (k - kw) / 2;
  const out = new Float64Array(k * k * g * h);
  for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) out.set(data.subarray((p * kw + q) * g * h, (p * kw + q + 1) * g * h), ((p + top) * k + (q + left)) * g * h);
  return { data: out, shape: [k, k, g, h] };
}
