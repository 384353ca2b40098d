/**
 * Convolutions of a TF.js graph model: `modelTopology.node` is a GraphDef-like list of
 * `{ name, op, input, attr }`. Conv2D and _FusedConv2D nodes take their filter from a weight
 * (through Identity nodes); strides, padding and dilations are node attributes.
 */
import type { KernelShape } from "../core/kernel.js";
import type { TfjsModel } from "./model.js";
import { firstKnown, inputSpatial, mapSize, UNKNOWN, windowOutput, type SpatialSize } from "./spatial.js";
import { kernelShapeProblem, type ModelConvolutions } from "./conv-layer.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

interface GraphNode {
  name: string;
  op: string;
  input: string[];
  attr: Obj;
}

const CONV_OPS = new Set(["Conv2D", "_FusedConv2D"]);
const SKIP_REASON: Record<string, string> = {
  DepthwiseConv2dNative: "depthwise convolution: one k x k filter per input channel, not a full g x h kernel",
  FusedDepthwiseConv2dNative: "depthwise convolution: one k x k filter per input channel, not a full g x h kernel",
  Conv2DBackpropInput: "transposed convolution: the adjoint of a strided convolution (kernel stored HWOI)",
  Conv3D: "not a 2-D convolution (3-D)",
};
const SAME_SIZE = new Set([
  "Relu",
  "Relu6",
  "Elu",
  "Selu",
  "LeakyRelu",
  "Prelu",
  "Sigmoid",
  "Tanh",
  "Softplus",
  "Swish",
  "BiasAdd",
  "Add",
  "AddV2",
  "AddN",
  "Sub",
  "Mul",
  "RealDiv",
  "Maximum",
  "Minimum",
  "FusedBatchNorm",
  "FusedBatchNormV3",
  "Identity",
  "ConcatV2",
  "Square",
  "Sqrt",
  "Rsqrt",
  "Cast",
  "Neg",
  "Abs",
  "Exp",
  "Log",
  "Softmax",
]);
const WINDOWED = new Set(["Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative", "MaxPool", "AvgPool"]);

// Attribute values: { list: { i: ["1", "2", "2", "1"] } }, { s: base64 }, { i: "3" }, { shape: { dim: [...] } }.
function intList(attr: unknown): number[] | null {
  const list = isObj(attr) && isObj(attr.list) ? attr.list.i : undefined;
  return Array.isArray(list) ? list.map((v) => Number(v)) : null;
}

function stringAttr(attr: unknown): string | null {
  if (!isObj(attr) || typeof attr.s !== "string") return null;
  return Buffer.from(attr.s, "base64").toString("utf8");
}

function shapeAttr(attr: unknown): (number | null)[] | null {
  const dims = isObj(attr) && isObj(attr.shape) ? attr.shape.dim : undefined;
  if (!Array.isArray(dims)) return null;
  return dims.map((d) => {
    const size = isObj(d) ? Number(d.size) : Number.NaN;
    return Number.isInteger(size) && size > 0 ? size : null;
  });
}

// Spatial [rows, cols] of a 4-element NHWC or NCHW attribute list.
function spatialPair(list: number[] | null, format: string, fallback: number): [number, number] {
  if (list === null || list.length !== 4) return [fallback, fallback];
  return format === "NCHW" ? [list[2], list[3]] : [list[1], list[2]];
}

function parseNodes(topology: unknown): GraphNode[] {
  const nodes = isObj(topology) && Array.isArray(topology.node) ? topology.node : [];
  return nodes.filter(isObj).map((n) => ({
    name: String(n.name),
    op: String(n.op),
    input: Array.isArray(n.input) ? n.input.map(String) : [],
    attr: isObj(n.attr) ? n.attr : {},
  }));
}

const sourceName = (input: string) => input.replace(/^\^/, "").replace(/:\d+$/, "");

/** The convolutions of a graph model. */
export function findGraphConvs(model: TfjsModel, standIn: number | undefined): ModelConvolutions {
  const nodes = parseNodes((model.document as Obj).modelTopology);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out: ModelConvolutions = { convs: [], skipped: [], inputShape: null };
  const sizes = new Map<string, SpatialSize>();

  // Follows Identity nodes back to the weight that feeds an input.
  const weightOf = (input: string): string | null => {
    let name = sourceName(input);
    for (let hops = 0; hops < 16; hops++) {
      if (model.weights.has(name)) return name;
      const node = byName.get(name);
      if (node?.op !== "Identity" || node.input.length === 0) return null;
      name = sourceName(node.input[0]);
    }
    return null;
  };

  const sizeOf = (name: string, depth = 0): SpatialSize => {
    const known = sizes.get(name);
    if (known) return known;
    const node = byName.get(name);
    sizes.set(name, UNKNOWN); // guards against cycles
    if (!node || depth > 10_000) return UNKNOWN;
    let size: SpatialSize = UNKNOWN;
    const dataInputs = () => node.input.filter((i) => !i.startsWith("^") && weightOf(i) === null).map((i) => sizeOf(sourceName(i), depth + 1));
    if (node.op === "Placeholder") {
      const shape = shapeAttr(node.attr.shape);
      if (shape && out.inputShape === null) out.inputShape = shape;
      size = inputSpatial(shape, standIn);
    } else if (SAME_SIZE.has(node.op)) size = firstKnown(dataInputs());
    else if (WINDOWED.has(node.op)) {
      const format = stringAttr(node.attr.data_format) ?? "NHWC";
      const padding = stringAttr(node.attr.padding) ?? "VALID";
      const strides = spatialPair(intList(node.attr.strides), format, 1);
      const dil = spatialPair(intList(node.attr.dilations), format, 1);
      const pool = node.op === "MaxPool" || node.op === "AvgPool";
      const filter = pool ? null : weightOf(node.input[1] ?? "");
      const fshape = filter ? model.weights.get(filter)!.entry.shape : null;
      const k: [number, number] = pool ? spatialPair(intList(node.attr.ksize), format, 1) : fshape ? [fshape[0], fshape[1]] : [1, 1];
      const x = node.input.length > 0 ? sizeOf(sourceName(node.input[0]), depth + 1) : UNKNOWN;
      size = pool || fshape ? mapSize(x, (len, a) => windowOutput(len, k[a], strides[a], dil[a], padding)) : UNKNOWN;
    }
    sizes.set(name, size);
    return size;
  };

  for (const node of nodes) {
    if (SKIP_REASON[node.op]) {
      out.skipped.push({ name: node.name, op: node.op, reason: SKIP_REASON[node.op] });
      continue;
    }
    if (!CONV_OPS.has(node.op)) continue;
    const weightName = weightOf(node.input[1] ?? "");
    if (weightName === null) {
      out.skipped.push({ name: node.name, op: node.op, reason: "its filter is not a weight of the manifest (computed at run time)" });
      continue;
    }
    const shape = model.weights.get(weightName)!.entry.shape;
    const problem = kernelShapeProblem(shape);
    if (problem) {
      out.skipped.push({ name: node.name, op: node.op, reason: problem });
      continue;
    }
    const format = stringAttr(node.attr.data_format) ?? "NHWC";
    out.convs.push({
      name: node.name,
      weightName,
      op: node.op,
      shape: shape as unknown as KernelShape,
      strides: spatialPair(intList(node.attr.strides), format, 1),
      padding: (stringAttr(node.attr.padding) ?? "VALID").toLowerCase(),
      dilation: spatialPair(intList(node.attr.dilations), format, 1),
      input: node.input.length > 0 ? sizeOf(sourceName(node.input[0])) : UNKNOWN,
    });
  }
  // Placeholders may come after their consumers in the list: make sure the input shape is recorded.
  for (const node of nodes) if (node.op === "Placeholder") sizeOf(node.name);
  return out;
}
