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
