/**
 * Finding the 2-D convolution kernels of a TF.js model: every layer (or graph node) whose
 * weight is a square HWIO kernel `[k, k, g, h]`, with stride, padding, dilation and input
 * size where the topology gives them, and every conv-like or weighted layer skipped, with why.
 */
import type { KernelShape } from "../core/kernel.js";
import { findGraphConvs } from "./graph-topology.js";
import { findLayersConvs } from "./layers-topology.js";
import type { TfjsModel } from "./model.js";
import type { SpatialSize } from "./spatial.js";

/** A 2-D convolution found in a model. */
export interface ConvLayer {
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
  /** Spatial size of the layer's input (from the model's input shape and strides), where known. */
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

/** Options of {@link findConvolutions}. */
export interface FindOptions {
  /** Stands in for spatial input dimensions the model leaves open (e.g. `[null, null, null, 3]`). */
  inputSize?: number;
}

/** Why a 4-D weight is not a square HWIO kernel, or null when it is one. */
export function kernelShapeProblem(shape: readonly number[]): string | null {
  if (shape.length !== 4) return `weight has ${shape.length} dimensions, not 4 (HWIO)`;
  if (shape.some((d) => d < 1)) return `weight has an empty dimension (shape [${shape.join(", ")}])`;
  if (shape[0] !== shape[1]) return `non-square kernel ${shape[0]}x${shape[1]} (the analysis needs k x k)`;
  return null;
}

function bareManifestConvs(model: TfjsModel): ModelConvolutions {
  const convs: ConvLayer[] = [];
  const skipped: SkippedLayer[] = [];
  for (const [name, at] of model.weights) {
    const shape = at.entry.shape;
    if (shape.length !== 4) continue;
    const problem = kernelShapeProblem(shape);
    if (/depthwise/i.test(name)) skipped.push({ name, op: "weight", reason: "depthwise kernel (by its name): one k x k filter per channel, not a full g x h kernel" });
    else if (problem) skipped.push({ name, op: "weight", reason: problem });
    else if (at.entry.dtype === "int32" && !at.entry.quantization) skipped.push({ name, op: "weight", reason: "int32 weight, not a float kernel" });
    else
      convs.push({
        name,
        weightName: name,
        op: "weight",
        shape: shape as unknown as KernelShape,
        strides: null,
        padding: null,
        dilation: null,
        input: { height: null, width: null, fromFlag: false },
      });
  }
  return { convs, skipped, inputShape: null };
}

/** Every 2-D convolution kernel of a model, plus the layers skipped and why. */
export function findConvolutions(model: TfjsModel, options: FindOptions = {}): ModelConvolutions {
  const found =
    model.kind === "graph" ? findGraphConvs(model, options.inputSize) : model.kind === "layers" ? findLayersConvs(model, options.inputSize) : bareManifestConvs(model);
  // Bare manifests have no topology: a stand-in size applies to every kernel.
  if (model.kind === "weights" && options.inputSize !== undefined)
    for (const c of found.convs) c.input = { height: options.inputSize, width: options.inputSize, fromFlag: true };
  return found;
}
