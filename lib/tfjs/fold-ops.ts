/**
 * Constant folding of the small tensors that size a graph: each op's value from its inputs'
 * values, as TensorFlow computes it (float32 rounding for DT_FLOAT, truncation for integer
 * casts). An op missing here, or an input that is not known, leaves the value unknown (null).
 */
import {
  concat,
  count,
  elementwise,
  gather,
  MAX_FOLDED_ELEMENTS,
  reduce,
  reshapeTarget,
  scalar,
  sliceData,
  split,
  stack,
  stridedSliceSpec,
  vector,
  type SmallTensor,
} from "./small-tensor.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** What an op's fold sees: its attributes, its inputs' values, and the static dims of its inputs. */
export interface FoldContext {
  op: string;
  attr: Obj;
  /** Values of the data inputs (control inputs left out), null when unknown. */
  inputs: (SmallTensor | null)[];
  /** Fully known dims of input i (for Shape, Size, Rank, ZerosLike), or null. */
  dimsOf: (i: number) => number[] | null;
}

const attrInt = (attr: Obj, key: string, fallback: number) => (isObj(attr[key]) && (attr[key] as Obj).i !== undefined ? Number((attr[key] as Obj).i) : fallback);
const attrBool = (attr: Obj, key: string) => isObj(attr[key]) && (attr[key] as Obj).b === true;
const attrType = (attr: Obj, key: string) => (isObj(attr[key]) ? String((attr[key] as Obj).type ?? "") : "");

/** Rounds a value to the result's dtype: float32 values to float32, integers truncated toward zero. */
function toDtype(type: string): (v: number) => number {
  if (type === "DT_FLOAT" || type === "DT_HALF" || type === "DT_BFLOAT16") return Math.fround;
  if (type.startsWith("DT_INT") || type.startsWith("DT_UINT")) return Math.trunc;
  if (type === "DT_BOOL") return (v) => (v !== 0 ? 1 : 0);
  return (v) => v;
}

const BINARY: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  AddV2: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  RealDiv: (a, b) => a / b,
  Div: (a, b) => a / b,
  DivNoNan: (a, b) => (b === 0 ? 0 : a / b),
  FloorDiv: (a, b) => Math.floor(a / b),
  FloorMod: (a, b) => a - Math.floor(a / b) * b,
  Maximum: Math.max,
  Minimum: Math.min,
  Pow: (a, b) => a ** b,
  SquaredDifference: (a, b) => (a - b) ** 2,
  Equal: (a, b) => Number(a === b),
  NotEqual: (a, b) => Number(a !== b),
  Less: (a, b) => Number(a < b),
  LessEqual: (a, b) => Number(a <= b),
  Greater: (a, b) => Number(a > b),
  GreaterEqual: (a, b) => Number(a >= b),
  LogicalAnd: (a, b) => Number(a !== 0 && b !== 0),
  LogicalOr: (a, b) => Number(a !== 0 || b !== 0),
};

const UNARY: Record<string, (a: number) => number> = {
  Neg: (a) => -a,
  Floor: Math.floor,
  Ceil: Math.ceil,
  // TF rounds half to even.
  Round: (a) => (Math.abs(a % 1) === 0.5 ? 2 * Math.round(a / 2) : Math.round(a)),
  Abs: Math.abs,
  Sqrt: Math.sqrt,
  Rsqrt: (a) => 1 / Math.sqrt(a),
  Reciprocal: (a) => 1 / a,
  Square: (a) => a * a,
  Sign: Math.sign,
  Exp: Math.exp,
  Log: Math.log,
  LogicalNot: (a) => Number(a === 0),
};

const REDUCE: Record<string, { f: (a: number, b: number) => number; mean?: boolean }> = {
  Sum: { f: (a, b) => a + b },
  Prod: { f: (a, b) => a * b },
  Max: { f: Math.max },
  Min: { f: Math.min },
  Mean: { f: (a, b) => a + b, mean: true },
  All: { f: (a, b) => Number(a !== 0 && b !== 0) },
  Any: { f: (a, b) => Number(a !== 0 || b !== 0) },
};

/** Ops whose output 0 (and Switch's both outputs) is their first input. */
const PASS_THROUGH = new Set(["Identity", "Snapshot", "StopGradient", "Enter", "Exit", "Switch", "PreventGradient", "EnsureShape"]);

const filled = (shape: number[], v: number): SmallTensor | null => (count(shape) > MAX_FOLDED_ELEMENTS ? null : { shape, data: new Array<number>(count(shape)).fill(v) });

/** Whether {@link foldOp} knows the op (so its inputs are worth folding). */
export function canFold(op: string): boolean {
  return PASS_THROUGH.has(op) || op in BINARY || op in UNARY || op in REDUCE || FOLDED.has(op);
}

const FOLDED = new Set([
  "Merge",
  "Cast",
  "Shape",
  "Size",
  "Rank",
  "ZerosLike",
  "OnesLike",
  "Select",
  "SelectV2",
  "Pack",
  "Unpack",
  "ConcatV2",
  "Concat",
  "Split",
  "SplitV",
  "StridedSlice",
  "Slice",
  "GatherV2",
  "Gather",
  "Reshape",
  "ExpandDims",
  "Squeeze",
  "Fill",
  "BroadcastTo",
  "Tile",
  "Range",
]);

/** The values of an op's outputs, or null when they cannot be folded. */
export function foldOp(ctx: FoldContext): SmallTensor[] | null {
  const { op, attr, inputs } = ctx;
  const [x, y, z] = inputs;
  const one = (t: SmallTensor | null) => (t === null ? null : [t]);
  const round = toDtype(attrType(attr, "T") || attrType(attr, "dtype"));
  if (PASS_THROUGH.has(op)) return x === null || x === undefined ? null : op === "Switch" ? [x, x] : [x];
  if (op === "Merge") {
    // As for shapes: the branches still known must agree (NextIteration inputs are left out by the caller).
    const known = inputs.filter((t) => t !== null) as SmallTensor[];
    const same = known.length > 0 && known.every((t) => t.shape.join() === known[0].shape.join() && t.data.join() === known[0].data.join());
    return same ? [known[0], scalar(inputs.indexOf(known[0]))] : null;
  }
  if (BINARY[op]) {
    if (!x || !y) return null;
    const f = BINARY[op];
    const comparison = /Equal|Less|Greater|Logical/.test(op);
    return one(elementwise([x, y], (a, b) => (comparison ? f(a, b) : round(f(a, b)))));
  }
  if (UNARY[op]) return x ? one(elementwise([x], (a) => round(UNARY[op](a)))) : null;
  if (REDUCE[op]) {
    if (!x || !y) return null;
    const { f, mean } = REDUCE[op];
    return one(reduce(x, y.data, attrBool(attr, "keep_dims"), f, mean));
  }
  switch (op) {
    case "Cast":
      return x ? [{ shape: x.shape, data: x.data.map(toDtype(attrType(attr, "DstT"))) }] : null;
    case "Shape": {
      const dims = ctx.dimsOf(0);
      return dims ? [vector(dims)] : null;
    }
    case "Size": {
      const dims = ctx.dimsOf(0);
      return dims ? [scalar(count(dims))] : null;
    }
    case "Rank": {
      const dims = ctx.dimsOf(0);
      return dims ? [scalar(dims.length)] : null;
    }
    case "ZerosLike":
    case "OnesLike": {
      const shape = x?.shape ?? ctx.dimsOf(0);
      return shape ? one(filled(shape, op === "ZerosLike" ? 0 : 1)) : null;
    }
    case "Select":
    case "SelectV2":
      return x && y && z ? one(elementwise([x, y, z], (c, a, b) => (c !== 0 ? a : b))) : null;
    case "Pack": {
      if (inputs.some((t) => t === null)) return null;
      return one(stack(inputs as SmallTensor[], attrInt(attr, "axis", 0)));
    }
    case "Unpack": {
      if (!x) return null;
      const axis = attrInt(attr, "axis", 0);
      const length = x.shape[axis < 0 ? axis + x.shape.length : axis];
      return length === undefined ? null : split(x, axis, new Array<number>(length).fill(1), true);
    }
    case "ConcatV2":
    case "Concat": {
      const axisFirst = op === "Concat";
      const axis = axisFirst ? inputs[0] : inputs[inputs.length - 1];
      const parts = axisFirst ? inputs.slice(1) : inputs.slice(0, -1);
      if (!axis || parts.some((t) => t === null)) return null;
      return one(concat(parts as SmallTensor[], axis.data[0]));
    }
    case "Split": {
      // Split(axis, value), num_split equal parts.
      if (!x || !y) return null;
      const n = attrInt(attr, "num_split", 1);
      const axis = x.data[0] < 0 ? x.data[0] + y.shape.length : x.data[0];
      const length = y.shape[axis];
      return length === undefined || length % n !== 0 ? null : split(y, axis, new Array<number>(n).fill(length / n), false);
    }
    case "SplitV": {
      if (!x || !y || !z) return null;
      const axis = z.data[0] < 0 ? z.data[0] + x.shape.length : z.data[0];
      const length = x.shape[axis];
      if (length === undefined) return null;
      const sizes = [...y.data];
      const open = sizes.indexOf(-1);
      if (open >= 0) sizes[open] = length - sizes.reduce((a, b) => a + (b === -1 ? 0 : b), 0);
      return split(x, axis, sizes, false);
    }
    case "StridedSlice": {
      if (!x || !y || !z || !inputs[3]) return null;
      const spec = stridedSliceSpec(x.shape, y.data, z.data, inputs[3].data, {
        begin: attrInt(attr, "begin_mask", 0),
        end: attrInt(attr, "end_mask", 0),
        ellipsis: attrInt(attr, "ellipsis_mask", 0),
        newAxis: attrInt(attr, "new_axis_mask", 0),
        shrink: attrInt(attr, "shrink_axis_mask", 0),
      });
      return spec ? [{ shape: spec.shape, data: sliceData(x, spec) }] : null;
    }
    case "Slice": {
      if (!x || !y || !z || y.data.length !== x.shape.length || z.data.length !== x.shape.length) return null;
      const size = z.data.map((s, i) => (s === -1 ? x.shape[i] - y.data[i] : s));
      if (size.some((s, i) => s < 0 || y.data[i] < 0 || y.data[i] + s > x.shape[i])) return null;
      return [{ shape: size, data: sliceData(x, { begin: y.data, stride: size.map(() => 1), size }) }];
    }
    case "GatherV2":
      return x && y && z ? one(gather(x, y, z.data[0])) : null;
    case "Gather":
      return x && y ? one(gather(x, y, 0)) : null;
    case "Reshape": {
      if (!x || !y) return null;
      const shape = reshapeTarget(y.data, x.data.length);
      return shape ? [{ shape: shape as number[], data: x.data }] : null;
    }
    case "ExpandDims": {
      if (!x || !y) return null;
      const axis = y.data[0] < 0 ? y.data[0] + x.shape.length + 1 : y.data[0];
      return [{ shape: [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)], data: x.data }];
    }
    case "Squeeze": {
      if (!x) return null;
      const listed = isObj(attr.squeeze_dims) && isObj(attr.squeeze_dims.list) && Array.isArray(attr.squeeze_dims.list.i) ? attr.squeeze_dims.list.i.map(Number) : [];
      const drop = new Set(listed.length > 0 ? listed.map((a) => (a < 0 ? a + x.shape.length : a)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
      return [{ shape: x.shape.filter((_, i) => !drop.has(i)), data: x.data }];
    }
    case "Fill":
      return x && y ? one(filled(x.data, y.data[0])) : null;
    case "BroadcastTo": {
      const target = y ? filled(y.data, 0) : null;
      return x && target ? one(elementwise([x, target], (a) => a)) : null;
    }
    case "Tile": {
      if (!x || !y || y.data.length !== x.shape.length) return null;
      const shape = x.shape.map((d, i) => d * y.data[i]);
      if (count(shape) > MAX_FOLDED_ELEMENTS) return null;
      const source = { shape: x.shape.flatMap((d) => [1, d]), data: x.data };
      const tiled = elementwise(
        [
          source,
          filled(
            x.shape.flatMap((d, i) => [y.data[i], d]),
            0,
          )!,
        ],
        (a) => a,
      );
      return tiled ? [{ shape, data: tiled.data }] : null;
    }
    case "Range": {
      if (!x || !y || !z || z.data[0] === 0) return null;
      const [start, limit, delta] = [x.data[0], y.data[0], z.data[0]];
      const n = Math.max(0, Math.ceil((limit - start) / delta));
      return n > MAX_FOLDED_ELEMENTS ? null : [vector(Array.from({ length: n }, (_, i) => round(start + i * delta)))];
    }
    default:
      return null;
  }
}
