/**
 * Shapes through a TF.js graph model: the [N, H, W, C] dims of each node's output, propagated
 * from the Placeholder (open dims from --input-size) through convolutions, pooling, padding,
 * resizing, transposes and concatenation, and the small integer tensors that size them (Const
 * weights, Shape, StridedSlice, Mul, Pack, Cast...), folded where they are known. null: unknown.
 */
import type { TfjsModel } from "./model.js";
import { readWeight } from "./model.js";
import { windowOutput, type InputSize } from "./spatial.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

export interface GraphNode {
  name: string;
  op: string;
  input: string[];
  attr: Obj;
}

/** Dims of a tensor (null entries unknown); `fromFlag` when --input-size stood in for an open dim. */
export interface Dims {
  dims: (number | null)[] | null;
  fromFlag: boolean;
}

const NONE: Dims = { dims: null, fromFlag: false };

export const SAME_SHAPE = new Set([
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
  "Square",
  "Sqrt",
  "Rsqrt",
  "Cast",
  "Neg",
  "Abs",
  "Exp",
  "Log",
  "Softmax",
  "SquaredDifference",
  "Floor",
  "Reciprocal",
  "Select",
  "ClipByValue",
]);

// Attribute values: { list: { i: ["1", "2", "2", "1"] } }, { s: base64 }, { i: "3" }, { shape: { dim: [...] } }.
export function intList(attr: unknown): number[] | null {
  const list = isObj(attr) && isObj(attr.list) ? attr.list.i : undefined;
  return Array.isArray(list) ? list.map((v) => Number(v)) : null;
}

export function stringAttr(attr: unknown): string | null {
  if (!isObj(attr) || typeof attr.s !== "string") return null;
  return Buffer.from(attr.s, "base64").toString("utf8");
}

function intAttr(attr: unknown): number | null {
  return isObj(attr) && attr.i !== undefined ? Number(attr.i) : null;
}

function shapeAttr(attr: unknown): (number | null)[] | null {
  const dims = isObj(attr) && isObj(attr.shape) ? attr.shape.dim : undefined;
  if (!Array.isArray(dims)) return null;
  return dims.map((d) => {
    const size = isObj(d) ? Number(d.size) : Number.NaN;
    return Number.isInteger(size) && size > 0 ? size : null;
  });
}

/** Spatial [rows, cols] of a 4-element NHWC or NCHW attribute list. */
export function spatialPair(list: number[] | null, format: string, fallback: number): [number, number] {
  if (list === null || list.length !== 4) return [fallback, fallback];
  return format === "NCHW" ? [list[2], list[3]] : [list[1], list[2]];
}

export function parseNodes(topology: unknown): GraphNode[] {
  const nodes = isObj(topology) && Array.isArray(topology.node) ? topology.node : [];
  return nodes.filter(isObj).map((n) => ({
    name: String(n.name),
    op: String(n.op),
    input: Array.isArray(n.input) ? n.input.map(String) : [],
    attr: isObj(n.attr) ? n.attr : {},
  }));
}

export const sourceName = (input: string) => input.replace(/^\^/, "").replace(/:\d+$/, "");

/** The ops that are convolutions, with the index of their filter and of their data input. */
export const CONV_INPUTS: Record<string, { filter: number; data: number }> = {
  Conv2D: { filter: 1, data: 0 },
  _FusedConv2D: { filter: 1, data: 0 },
  DepthwiseConv2dNative: { filter: 1, data: 0 },
  FusedDepthwiseConv2dNative: { filter: 1, data: 0 },
  Conv2DBackpropInput: { filter: 1, data: 2 },
};

/** Shapes and folded integer values of a graph's nodes, computed on demand. */
export class GraphShapes {
  private readonly byName: Map<string, GraphNode>;
  private readonly shapes = new Map<string, Dims>();
  private readonly values = new Map<string, number[] | null>();
  /** The first Placeholder's shape as the file gives it. */
  inputShape: (number | null)[] | null = null;

  constructor(
    private readonly model: TfjsModel,
    nodes: GraphNode[],
    private readonly standIn: InputSize | undefined,
  ) {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
  }

  node(name: string): GraphNode | undefined {
    return this.byName.get(name);
  }

  /** Follows Identity nodes back to the manifest weight that feeds an input, or null. */
  weightOf(input: string): string | null {
    let name = sourceName(input);
    for (let hops = 0; hops < 16; hops++) {
      if (this.model.weights.has(name)) return name;
      const node = this.byName.get(name);
      if (node?.op !== "Identity" || node.input.length === 0) return null;
      name = sourceName(node.input[0]);
    }
    return null;
  }

  /** The integer values of a small tensor (a Const weight, or folded from known shapes), or null. */
  value(input: string, depth = 0): number[] | null {
    const name = sourceName(input);
    if (this.values.has(name)) return this.values.get(name)!;
    this.values.set(name, null); // guards against cycles
    const v = depth > 200 ? null : this.fold(name, depth);
    this.values.set(name, v);
    return v;
  }

  private fold(name: string, depth: number): number[] | null {
    const entry = this.model.weights.get(name)?.entry;
    if (entry) {
      if (entry.shape.reduce((a, b) => a * b, 1) > 64) return null;
      return Array.from(readWeight(this.model, name));
    }
    const node = this.byName.get(name);
    if (!node) return null;
    const arg = (i: number) => (node.input[i] === undefined ? null : this.value(node.input[i], depth + 1));
    const elementwise = (f: (a: number, b: number) => number) => {
      const a = arg(0);
      const b = arg(1);
      if (a === null || b === null) return null;
      if (a.length === b.length) return a.map((x, i) => f(x, b[i]));
      if (b.length === 1) return a.map((x) => f(x, b[0]));
      if (a.length === 1) return b.map((y) => f(a[0], y));
      return null;
    };
    switch (node.op) {
      case "Identity":
      case "Cast":
        return arg(0);
      case "Shape": {
        const d = this.shape(node.input[0], depth + 1).dims;
        return d?.every((x) => x !== null) ? (d as number[]) : null;
      }
      case "Mul":
        return elementwise((a, b) => a * b);
      case "Add":
      case "AddV2":
        return elementwise((a, b) => a + b);
      case "Sub":
        return elementwise((a, b) => a - b);
      case "FloorDiv":
        return elementwise((a, b) => Math.floor(a / b));
      case "Pack": {
        const parts = node.input.map((_, i) => arg(i));
        return parts.every((p) => p !== null && p.length === 1) ? parts.map((p) => p![0]) : null;
      }
      case "StridedSlice": {
        const [x, begin, end, strides] = [arg(0), arg(1), arg(2), arg(3)];
        if (x === null || begin?.length !== 1 || end?.length !== 1 || strides?.length !== 1 || strides[0] !== 1) return null;
        const beginMask = intAttr(node.attr.begin_mask) ?? 0;
        const endMask = intAttr(node.attr.end_mask) ?? 0;
        const shrink = intAttr(node.attr.shrink_axis_mask) ?? 0;
        const at = (i: number) => (i < 0 ? x.length + i : i);
        const b = beginMask & 1 ? 0 : at(begin[0]);
        if (shrink & 1) return b >= 0 && b < x.length ? [x[b]] : null;
        const e = endMask & 1 ? x.length : at(end[0]);
        return x.slice(b, e);
      }
      default:
        return null;
    }
  }

  /** The [N, H, W, C] dims of a node's output (NHWC), or unknown. */
  shape(input: string, depth = 0): Dims {
    const name = sourceName(input);
    const known = this.shapes.get(name);
    if (known) return known;
    this.shapes.set(name, NONE); // guards against cycles
    const s = depth > 10_000 ? NONE : this.infer(name, depth);
    this.shapes.set(name, s);
    return s;
  }

  private infer(name: string, depth: number): Dims {
    const node = this.byName.get(name);
    if (!node) return NONE;
    const data = (i: number) => (node.input[i] === undefined ? NONE : this.shape(node.input[i], depth + 1));
    if (node.op === "Placeholder") {
      const shape = shapeAttr(node.attr.shape);
      if (shape === null || shape.length !== 4) return NONE;
      if (this.inputShape === null) this.inputShape = shape;
      return this.placeholderDims(shape);
    }
    if (SAME_SHAPE.has(node.op)) {
      // Elementwise ops: the first data input whose shape is known (weights are broadcast operands).
      const inputs = node.input.filter((i) => !i.startsWith("^") && this.weightOf(i) === null).map((i) => this.shape(i, depth + 1));
      const rank = inputs.reduce((most, d) => Math.max(most, d.dims?.length ?? 0), 0);
      return inputs.find((d) => d.dims !== null && d.dims.length === rank) ?? NONE;
    }
    const ranked = this.rankChange(node, data(0));
    if (ranked !== null) return ranked;
    const x = data(CONV_INPUTS[node.op]?.data ?? 0);
    if (x.dims === null || x.dims.length !== 4) return NONE;
    const [b, h, w, c] = x.dims;
    const out = (dims: (number | null)[]): Dims => ({ dims, fromFlag: x.fromFlag });
    const format = stringAttr(node.attr.data_format) ?? "NHWC";
    if (format !== "NHWC") return NONE;
    const padding = stringAttr(node.attr.padding) ?? "VALID";
    const strides = spatialPair(intList(node.attr.strides), format, 1);
    const dil = spatialPair(intList(node.attr.dilations), format, 1);
    const filterShape = () => {
      const f = this.weightOf(node.input[CONV_INPUTS[node.op]?.filter ?? 1] ?? "");
      return f === null ? null : this.model.weights.get(f)!.entry.shape;
    };
    const windowed = (k: [number, number], channels: number | null) =>
      out([b, windowOutput(h, k[0], strides[0], dil[0], padding), windowOutput(w, k[1], strides[1], dil[1], padding), channels]);
    switch (node.op) {
      case "Conv2D":
      case "_FusedConv2D": {
        const f = filterShape();
        return f ? windowed([f[0], f[1]], f[3]) : NONE;
      }
      case "DepthwiseConv2dNative":
      case "FusedDepthwiseConv2dNative": {
        const f = filterShape();
        return f ? windowed([f[0], f[1]], f[2] * f[3]) : NONE;
      }
      case "MaxPool":
      case "AvgPool":
        return windowed(spatialPair(intList(node.attr.ksize), format, 1), c);
      case "Conv2DBackpropInput": {
        const sizes = this.value(node.input[0] ?? "");
        if (sizes !== null && sizes.length === 4) return out(sizes.map((v) => (v > 0 ? v : null)));
        const f = filterShape();
        if (!f) return NONE;
        const up = (len: number | null, a: 0 | 1) => (len === null ? null : padding === "SAME" ? len * strides[a] : (len - 1) * strides[a] + dil[a] * (f[a] - 1) + 1);
        return out([b, up(h, 0), up(w, 1), f[2]]);
      }
      case "Pad":
      case "PadV2":
      case "MirrorPad": {
        const p = this.value(node.input[1] ?? "");
        if (p === null || p.length !== 8) return NONE;
        const add = (v: number | null, i: number) => (v === null ? null : v + p[2 * i] + p[2 * i + 1]);
        return out([add(b, 0), add(h, 1), add(w, 2), add(c, 3)]);
      }
      case "ResizeBilinear":
      case "ResizeNearestNeighbor": {
        const size = this.value(node.input[1] ?? "");
        return out([b, size?.[0] ?? null, size?.[1] ?? null, c]);
      }
      case "DepthToSpace":
      case "SpaceToDepth": {
        const f = intAttr(node.attr.block_size) ?? 1;
        const up = node.op === "DepthToSpace";
        const scale = (v: number | null) => (v === null ? null : up ? v * f : Math.floor(v / f));
        return out([b, scale(h), scale(w), c === null ? null : up ? c / (f * f) : c * f * f]);
      }
      case "SpaceToBatchND":
      case "BatchToSpaceND": {
        const block = this.value(node.input[1] ?? "");
        const pads = this.value(node.input[2] ?? "");
        if (block?.length !== 2 || pads?.length !== 4) return NONE;
        const toBatch = node.op === "SpaceToBatchND";
        const axis = (v: number | null, i: number) => (v === null ? null : toBatch ? (v + pads[2 * i] + pads[2 * i + 1]) / block[i] : v * block[i] - pads[2 * i] - pads[2 * i + 1]);
        const batch = b === null ? null : toBatch ? b * block[0] * block[1] : b / (block[0] * block[1]);
        return out([batch, axis(h, 0), axis(w, 1), c]);
      }
      case "ConcatV2": {
        const axis = this.value(node.input[node.input.length - 1] ?? "")?.[0];
        const parts = node.input.slice(0, -1).map((i) => this.shape(i, depth + 1).dims);
        if (axis !== 3 && axis !== -1) return x;
        const channels = parts.every((p) => p !== null && p[3] !== null) ? parts.reduce((sum, p) => sum + (p![3] as number), 0) : null;
        return out([b, h, w, channels]);
      }
      case "Transpose": {
        const perm = this.value(node.input[1] ?? "");
        return perm?.length === 4 ? out(perm.map((i) => x.dims![i])) : NONE;
      }
      default:
        return NONE;
    }
  }

  /** Ops that add or drop a dimension (models that unstack the batch, resize, and stack it back). */
  private rankChange(node: GraphNode, x: Dims): Dims | null {
    if (x.dims === null) return null;
    const dims = x.dims;
    const at = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
    switch (node.op) {
      case "Unpack": {
        const axis = at(Number(node.attr.axis && (node.attr.axis as Obj).i) || 0, dims.length);
        return { dims: dims.filter((_, i) => i !== axis), fromFlag: x.fromFlag };
      }
      case "ExpandDims": {
        const axis = this.value(node.input[1] ?? "")?.[0];
        if (axis === undefined) return NONE;
        const out = [...dims];
        out.splice(at(axis, dims.length + 1), 0, 1);
        return { dims: out, fromFlag: x.fromFlag };
      }
      case "Squeeze": {
        const listed = intList(node.attr.squeeze_dims) ?? [];
        const drop = listed.length > 0 ? new Set(listed.map((a) => at(a, dims.length))) : new Set(dims.flatMap((d, i) => (d === 1 ? [i] : [])));
        return { dims: dims.filter((_, i) => !drop.has(i)), fromFlag: x.fromFlag };
      }
      case "Pack":
        return { dims: [node.input.length, ...dims], fromFlag: x.fromFlag };
      default:
        return null;
    }
  }

  private placeholderDims(shape: (number | null)[]): Dims {
    // NCHW inputs (the channel count 1 or 3 first, then two larger dims) are transposed by the graph; keep them as given.
    const channelsFirst = shape[1] !== null && shape[1] <= 4 && (shape[3] === null || shape[3] > 4);
    const hAxis = channelsFirst ? 2 : 1;
    let fromFlag = false;
    const stand = (v: number | null, axis: 0 | 1) => {
      if (v !== null || this.standIn === undefined) return v;
      fromFlag = true;
      return typeof this.standIn === "number" ? this.standIn : this.standIn[axis];
    };
    const dims = [...shape];
    dims[hAxis] = stand(shape[hAxis], 0);
    dims[hAxis + 1] = stand(shape[hAxis + 1], 1);
    return { dims, fromFlag };
  }
}
