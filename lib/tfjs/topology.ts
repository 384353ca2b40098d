/**
 * Finding the 2-D convolution kernels of a TF.js model: every layer (or graph node) whose
 * weight is a square HWIO kernel `[k, k, g, h]`, with stride, padding, dilation and input
 * size where the topology gives them, and every conv-like or weighted layer skipped, with why.
 */
import type { KernelShape } from "../core/kernel.js";
import type { InputValues } from "./graph-shapes.js";
import { findGraphConvs } from "./graph-topology.js";
import { findLayersConvs } from "./layers-topology.js";
import type { TfjsModel } from "./model.js";
import type { InputSize } from "./spatial.js";
import { kernelShapeProblem, type ConvLayer, type ModelConvolutions, type SkippedLayer } from "./conv-layer.js";

export type { ConvLayer, SkippedLayer, ModelConvolutions } from "./conv-layer.js";

/** Options of {@link findConvolutions}. */
export interface FindOptions {
  /**
   * Stands in for the spatial dimensions the model input leaves open (e.g. `[null, null, null, 3]`):
   * N, or [H, W]. It is propagated through the graph to every layer.
   */
  inputSize?: InputSize;
  /**
   * Values of graph inputs that size tensors (e.g. `{ downsample_ratio: 0.5 }` for a model that resizes its
   * input by a ratio it is given), by Placeholder name. Graph models only.
   */
  inputValues?: InputValues;
}

function bareManifestConvs(model: TfjsModel): ModelConvolutions {
  const convs: ConvLayer[] = [];
  const skipped: SkippedLayer[] = [];
  for (const [name, at] of model.weights) {
    const shape = at.entry.shape;
    if (shape.length !== 4) continue;
    const problem = kernelShapeProblem(shape);
    if (problem) skipped.push({ name, op: "weight", reason: problem });
    else if (at.entry.dtype === "int32" && !at.entry.quantization) skipped.push({ name, op: "weight", reason: "int32 weight, not a float kernel" });
    else
      convs.push({
        name,
        weightName: name,
        op: "weight",
        // Bare manifests have no topology: a depthwise kernel is known by its name only.
        kind: /depthwise/i.test(name) ? "depthwise" : "conv",
        groups: 1,
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
    model.kind === "graph"
      ? findGraphConvs(model, options.inputSize, options.inputValues)
      : model.kind === "layers"
        ? findLayersConvs(model, options.inputSize)
        : bareManifestConvs(model);
  // Bare manifests have no topology: a stand-in size applies to every kernel.
  const size = options.inputSize;
  if (model.kind === "weights" && size !== undefined)
    for (const c of found.convs) c.input = { height: typeof size === "number" ? size : size[0], width: typeof size === "number" ? size : size[1], fromFlag: true };
  return found;
}
