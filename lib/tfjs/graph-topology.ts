/**
 * Convolutions of a TF.js graph model: `modelTopology.node` is a GraphDef-like list of
 * `{ name, op, input, attr }`. Conv2D, _FusedConv2D, DepthwiseConv2dNative (and its fused form)
 * and Conv2DBackpropInput (transposed) take their filter from a weight (through Identity nodes);
 * strides, padding and dilations are node attributes; input sizes come from {@link GraphShapes}.
 */
import type { KernelShape } from "../core/kernel.js";
import type { TfjsModel } from "./model.js";
import { UNKNOWN, type InputSize, type SpatialSize } from "./spatial.js";
import { kernelShapeProblem, squareEmbeddingProblem, type ConvKind, type ModelConvolutions } from "./conv-layer.js";
import { CONV_INPUTS, GraphShapes, intList, parseNodes, spatialPair, stringAttr, type InputValues } from "./graph-shapes.js";

const KIND: Record<string, ConvKind> = {
  Conv2D: "conv",
  _FusedConv2D: "conv",
  DepthwiseConv2dNative: "depthwise",
  FusedDepthwiseConv2dNative: "depthwise",
  Conv2DBackpropInput: "transposed",
};
const SKIP_REASON: Record<string, string> = {
  Conv3D: "not a 2-D convolution (3-D)",
  Conv3DBackpropInputV2: "not a 2-D convolution (3-D)",
};

const spatial = (d: { dims: (number | null)[] | null; fromFlag: boolean }): SpatialSize =>
  d.dims === null || d.dims.length !== 4 ? UNKNOWN : { height: d.dims[1], width: d.dims[2], fromFlag: d.fromFlag };

/** Why sizes are unknown when graph inputs they depend on have no value. */
function sizeProblem(shapes: GraphShapes): { sizeProblem?: string } {
  const names = [...shapes.valuesNeeded];
  if (names.length === 0) return {};
  const list = names.map((n) => `"${n}"`).join(", ");
  return { sizeProblem: `its input size depends on the value of the graph input ${list}: pass inputValues (the CLI's --input-value NAME=V)` };
}

/** The convolutions of a graph model. */
export function findGraphConvs(model: TfjsModel, standIn: InputSize | undefined, inputValues: InputValues = {}): ModelConvolutions {
  const nodes = parseNodes((model.document as Record<string, unknown>).modelTopology);
  const shapes = new GraphShapes(model, nodes, standIn, inputValues);
  const out: ModelConvolutions = { convs: [], skipped: [], inputShape: null };
  for (const node of nodes) if (node.op === "Placeholder") shapes.shape(node.name);

  for (const node of nodes) {
    if (SKIP_REASON[node.op]) {
      out.skipped.push({ name: node.name, op: node.op, reason: SKIP_REASON[node.op] });
      continue;
    }
    const kind = KIND[node.op];
    if (kind === undefined) continue;
    const io = CONV_INPUTS[node.op];
    const weightName = shapes.weightOf(node.input[io.filter] ?? "");
    if (weightName === null) {
      out.skipped.push({ name: node.name, op: node.op, reason: "its filter is not a weight of the manifest (computed at run time)" });
      continue;
    }
    const stored = model.weights.get(weightName)!.entry.shape;
    const format = stringAttr(node.attr.data_format) ?? "NHWC";
    const strides = spatialPair(intList(node.attr.strides), format, 1);
    const padding = (stringAttr(node.attr.padding) ?? "VALID").toLowerCase();
    const nonSquare = stored.length === 4 && stored[0] !== stored[1] && stored.every((d) => d >= 1);
    const problem = nonSquare ? null : kernelShapeProblem(stored);
    if (problem) {
      out.skipped.push({ name: node.name, op: node.op, reason: problem });
      continue;
    }
    // A non-square kernel is a 2-D convolution: it keeps its row, analysed when its square embedding is exact, failed with why otherwise.
    const unsupported = nonSquare ? squareEmbeddingProblem(stored, strides, padding) : null;
    const k = Math.max(stored[0], stored[1]);
    // A failed non-square row shows the stored shape; an analysed one its square embedding.
    const shape = nonSquare && !unsupported ? [k, k, stored[2], stored[3]] : stored;
    const x = shapes.shape(node.input[io.data] ?? "");
    // A Conv2D whose filter reads fewer channels than its input has is grouped (G = C / filter's in-channels).
    const channels = x.dims?.[3] ?? null;
    const groups = kind === "conv" && channels !== null && channels !== shape[2] && channels % shape[2] === 0 ? channels / shape[2] : 1;
    out.convs.push({
      name: node.name,
      weightName,
      op: node.op,
      kind,
      groups,
      shape: shape as unknown as KernelShape,
      strides,
      padding,
      dilation: spatialPair(intList(node.attr.dilations), format, 1),
      // A transposed layer's M^T acts on its output: the forward convolution's input.
      input: spatial(kind === "transposed" ? shapes.shape(node.name) : x),
      ...(nonSquare ? { storedShape: stored } : {}),
      ...(unsupported ? { unsupported } : {}),
      ...(shapes.routedThrough(node.input[io.filter] ?? "") ? { filterNote: `filter: the constant "${weightName}" routed into a tf.cond branch (Switch)` } : {}),
      ...(x.dims === null || x.dims[1] === null || x.dims[2] === null ? sizeProblem(shapes) : {}),
    });
  }
  out.inputShape = shapes.inputShape;
  return out;
}
