/**
 * Shapes through a TF.js graph model: the dims of each tensor ([N, H, W, C] for images),
 * propagated from the Placeholder (open H, W from --input-size, an open batch as 1) through
 * convolutions, pooling, padding, resizing (here), the rank-generic ops (shape-ops.ts), and the
 * small tensors that size them, folded by a constant-folding interpreter (fold-ops.ts) where
 * they are known. Loops and conds are followed through their first iteration / a known branch.
 * null: unknown.
 */
import { CycleMemo } from "./cycle-memo.js";
import { canFold, foldOp } from "./fold-ops.js";
import type { TfjsModel } from "./model.js";
import { readWeight } from "./model.js";
import { broadcastDims, genericShape } from "./shape-ops.js";
import { count, MAX_FOLDED_ELEMENTS, type SmallTensor } from "./small-tensor.js";
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
  "SelectV2",
  "ClipByValue",
  "Equal",
  "NotEqual",
  "Less",
  "LessEqual",
  "Greater",
  "GreaterEqual",
  "LogicalAnd",
  "LogicalOr",
  "LogicalNot",
  "FloorDiv",
  "FloorMod",
  "Ceil",
  "Round",
  "Sign",
  "Pow",
  "Sin",
  "Cos",
  "Atan2",
  "DivNoNan",
  "ZerosLike",
  "OnesLike",
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

/** A node's data inputs (control inputs "^name" left out). */
const dataInputs = (node: GraphNode) => node.input.filter((i) => !i.startsWith("^"));

/** The ops that are convolutions, with the index of their filter and of their data input. */
export const CONV_INPUTS: Record<string, { filter: number; data: number }> = {
  Conv2D: { filter: 1, data: 0 },
  _FusedConv2D: { filter: 1, data: 0 },
  DepthwiseConv2dNative: { filter: 1, data: 0 },
  FusedDepthwiseConv2dNative: { filter: 1, data: 0 },
  Conv2DBackpropInput: { filter: 1, data: 2 },
};

/** A folded value and whether the --input-size stand-in went into it. */
interface Folded {
  tensor: SmallTensor | null;
  fromFlag: boolean;
}

const UNFOLDED: Folded = { tensor: null, fromFlag: false };

/** Values of a graph's inputs given by the caller (e.g. a ratio the graph resizes by). */
export type InputValues = Readonly<Record<string, number | readonly number[]>>;

/** Recursion deeper than this gives up (unknown) rather than overflow the stack. */
const MAX_DEPTH = 4000;

/** Splits "name:2" into the node name and output index (control inputs "^name" have none). */
export function outputOf(input: string): { name: string; index: number } {
  const m = /^\^?(.*?)(?::(\d+))?$/.exec(input) as RegExpExecArray;
  return { name: m[1], index: m[2] === undefined ? 0 : Number(m[2]) };
}

/** Shapes and folded small values of a graph's tensors, computed on demand. */
export class GraphShapes {
  private readonly byName: Map<string, GraphNode>;
  private readonly memo = new CycleMemo<Dims | Folded>();
  /** The first Placeholder's shape as the file gives it. */
  inputShape: (number | null)[] | null = null;
  /** Graph inputs whose value was asked for (to fold a size) and not given. */
  readonly valuesNeeded = new Set<string>();

  constructor(
    private readonly model: TfjsModel,
    nodes: GraphNode[],
    private readonly standIn: InputSize | undefined,
    private readonly inputValues: InputValues = {},
  ) {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
  }

  node(name: string): GraphNode | undefined {
    return this.byName.get(name);
  }

  /**
   * Follows pass-through nodes (Identity, and the data input of a Switch: a constant routed
   * into a tf.cond branch) back to the manifest weight that feeds an input, or null.
   */
  weightOf(input: string): string | null {
    let name = sourceName(input);
    for (let hops = 0; hops < 16; hops++) {
      if (this.model.weights.has(name)) return name;
      const node = this.byName.get(name);
      if ((node?.op !== "Identity" && node?.op !== "Switch" && node?.op !== "Enter") || node.input.length === 0) return null;
      name = sourceName(node.input[0]);
    }
    return null;
  }

  /** Whether an input reaches its weight through a Switch (a constant routed into a tf.cond branch). */
  routedThrough(input: string): boolean {
    let name = sourceName(input);
    for (let hops = 0; hops < 16 && !this.model.weights.has(name); hops++) {
      const node = this.byName.get(name);
      if (node === undefined || node.input.length === 0) return false;
      if (node.op === "Switch") return true;
      name = sourceName(node.input[0]);
    }
    return false;
  }

  /** The value of a small tensor (a Const weight, a given input, or folded from known shapes), or null. */
  value(input: string): SmallTensor | null {
    return this.folded(input).tensor;
  }

  private folded(input: string): Folded {
    const { name, index } = outputOf(input);
    if (this.memo.depth > MAX_DEPTH) return UNFOLDED;
    return this.memo.get(`v:${name}:${index}`, () => this.fold(name, index), UNFOLDED) as Folded;
  }

  private fold(name: string, index: number): Folded {
    const entry = this.model.weights.get(name)?.entry;
    if (entry) {
      if (count(entry.shape) > MAX_FOLDED_ELEMENTS || entry.dtype === "string") return UNFOLDED;
      return { tensor: { shape: [...entry.shape], data: Array.from(readWeight(this.model, name)) }, fromFlag: false };
    }
    const node = this.byName.get(name);
    if (!node) return UNFOLDED;
    if (node.op === "Placeholder") {
      const given = this.inputValues[name];
      if (given === undefined) {
        // An image input's value is data; a scalar or unranked input may be a size or ratio the graph uses.
        const shape = shapeAttr(node.attr.shape);
        if (shape === null || shape.length === 0) this.valuesNeeded.add(name);
        return UNFOLDED;
      }
      return { tensor: typeof given === "number" ? { shape: [], data: [given] } : { shape: [given.length], data: [...given] }, fromFlag: false };
    }
    if (!canFold(node.op)) return UNFOLDED;
    if (node.op === "Merge") {
      const entries = this.foldWith(node, index, true);
      return entries.tensor !== null ? entries : this.foldWith(node, index, false);
    }
    return this.foldWith(node, index, false);
  }

  private foldWith(node: GraphNode, index: number, entriesOnly: boolean): Folded {
    const data = entriesOnly ? this.loopEntries(node) : dataInputs(node);
    if (this.deadBranch(node, index)) return UNFOLDED;
    const usesDims = node.op === "Shape" || node.op === "Size" || node.op === "Rank" || node.op === "ZerosLike" || node.op === "OnesLike";
    const inputs = usesDims ? [] : data.map((i) => this.folded(i));
    const dims = usesDims ? this.shape(data[0] ?? "") : NONE;
    const outputs = foldOp({
      op: node.op,
      attr: node.attr,
      inputs: inputs.map((f) => f.tensor),
      dimsOf: () => (dims.dims?.every((d) => d !== null) ? (dims.dims as number[]) : null),
    });
    const tensor = outputs?.[index] ?? null;
    return { tensor, fromFlag: tensor !== null && (dims.fromFlag || inputs.some((f) => f.fromFlag)) };
  }

  /** The dims of a tensor (NHWC for images), or unknown. */
  shape(input: string): Dims {
    const { name, index } = outputOf(input);
    if (this.memo.depth > MAX_DEPTH) return NONE;
    return this.memo.get(`s:${name}:${index}`, () => this.infer(name, index), NONE) as Dims;
  }

  private infer(name: string, index: number): Dims {
    const entry = this.model.weights.get(name)?.entry;
    if (entry) return { dims: [...entry.shape], fromFlag: false };
    const node = this.byName.get(name);
    if (!node) return NONE;
    if (node.op === "Placeholder") {
      const given = this.inputValues[name];
      if (given !== undefined) return { dims: typeof given === "number" ? [] : [given.length], fromFlag: false };
      const shape = shapeAttr(node.attr.shape);
      if (shape === null || shape.length !== 4) return NONE;
      if (this.inputShape === null) this.inputShape = shape;
      return this.placeholderDims(shape);
    }
    if (node.op === "Merge") {
      const entries = this.inferWith(node, index, true);
      return entries.dims !== null ? entries : this.inferWith(node, index, false);
    }
    return this.inferWith(node, index, false);
  }

  private inferWith(node: GraphNode, index: number, entriesOnly: boolean): Dims {
    const data = entriesOnly ? this.loopEntries(node) : dataInputs(node);
    if (this.deadBranch(node, index)) return NONE;
    const inputDims = data.map((i) => this.shape(i));
    const fromFlag = inputDims.some((d) => d.fromFlag) || data.some((i) => this.memo.depth < MAX_DEPTH && this.folded(i).fromFlag);
    if (SAME_SHAPE.has(node.op)) {
      // Elementwise ops broadcast their operands; an operand of unknown shape is left out.
      const known = inputDims.filter((d) => d.dims !== null).map((d) => d.dims as (number | null)[]);
      return known.length === 0 ? NONE : { dims: broadcastDims(known), fromFlag };
    }
    const generic = genericShape({
      op: node.op,
      attr: node.attr,
      arity: data.length,
      dims: (i) => inputDims[i]?.dims ?? null,
      value: (i) => (data[i] === undefined ? null : this.value(data[i])),
      output: index,
    });
    if (generic !== undefined) return generic === null ? this.fromValue(node, index) : { dims: generic, fromFlag };
    const spatial = this.spatial(node, data);
    return spatial.dims === null ? this.fromValue(node, index) : spatial;
  }

  /**
   * A Merge's inputs without the loop's back edges (NextIteration): the first iteration sizes the
   * body. Only when the entry says nothing (an empty TensorList) is the back edge read.
   */
  private loopEntries(node: GraphNode): string[] {
    return dataInputs(node).filter((i) => this.byName.get(sourceName(i))?.op !== "NextIteration");
  }

  /** A Switch output that its known predicate does not take (output 1 is taken when the predicate is true). */
  private deadBranch(node: GraphNode, index: number): boolean {
    if (node.op !== "Switch") return false;
    const pred = this.value(node.input[1] ?? "");
    return pred !== null && pred.data.length === 1 && (pred.data[0] !== 0) !== (index === 1);
  }

  /** The dims of a tensor whose value folds (shape arithmetic). */
  private fromValue(node: GraphNode, index: number): Dims {
    if (!canFold(node.op)) return NONE;
    const f = this.folded(`${node.name}:${index}`);
    return f.tensor === null ? NONE : { dims: f.tensor.shape, fromFlag: f.fromFlag };
  }

  /** Convolutions, pooling, padding, resizing and the block rearrangements, on NHWC tensors. */
  private spatial(node: GraphNode, inputs: string[]): Dims {
    const x = this.shape(inputs[CONV_INPUTS[node.op]?.data ?? 0] ?? "");
    if (x.dims === null || x.dims.length !== 4) return NONE;
    const [b, h, w, c] = x.dims;
    const format = stringAttr(node.attr.data_format) ?? "NHWC";
    if (format !== "NHWC") return NONE;
    const padding = stringAttr(node.attr.padding) ?? "VALID";
    const strides = spatialPair(intList(node.attr.strides), format, 1);
    const dil = spatialPair(intList(node.attr.dilations), format, 1);
    const filterShape = () => {
      const f = this.weightOf(node.input[CONV_INPUTS[node.op]?.filter ?? 1] ?? "");
      return f === null ? null : this.model.weights.get(f)!.entry.shape;
    };
    let flag = x.fromFlag;
    const sized = (input: string | undefined) => {
      const f = input === undefined ? UNFOLDED : this.folded(input);
      flag ||= f.fromFlag;
      return f.tensor?.data ?? null;
    };
    const out = (dims: (number | null)[]): Dims => ({ dims, fromFlag: flag });
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
        const sizes = sized(inputs[0]);
        if (sizes !== null && sizes.length === 4) return out(sizes.map((v) => (v > 0 ? v : null)));
        const f = filterShape();
        if (!f) return NONE;
        const up = (len: number | null, a: 0 | 1) => (len === null ? null : padding === "SAME" ? len * strides[a] : (len - 1) * strides[a] + dil[a] * (f[a] - 1) + 1);
        return out([b, up(h, 0), up(w, 1), f[2]]);
      }
      case "ResizeBilinear":
      case "ResizeNearestNeighbor": {
        const size = sized(inputs[1]);
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
        const block = sized(inputs[1]);
        const pads = sized(inputs[2]);
        if (block?.length !== 2 || pads?.length !== 4) return NONE;
        const toBatch = node.op === "SpaceToBatchND";
        const axis = (v: number | null, i: number) => (v === null ? null : toBatch ? (v + pads[2 * i] + pads[2 * i + 1]) / block[i] : v * block[i] - pads[2 * i] - pads[2 * i + 1]);
        const batch = b === null ? null : toBatch ? b * block[0] * block[1] : b / (block[0] * block[1]);
        return out([batch, axis(h, 0), axis(w, 1), c]);
      }
      default:
        return NONE;
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
    // An open batch is 1: it sizes nothing the analysis needs, and shape arithmetic can then fold.
    if (dims[0] === null) dims[0] = 1;
    dims[hAxis] = stand(shape[hAxis], 0);
    dims[hAxis + 1] = stand(shape[hAxis + 1], 1);
    return { dims, fromFlag };
  }
}
