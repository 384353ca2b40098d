/**
 * Output dims of the rank-generic ops of a TF.js graph (reshapes, reductions, broadcasts,
 * slices, splits, gathers, matmuls, control flow and tensor lists), from their inputs' dims and
 * the folded values of their shape-like inputs. The spatial ops (convolutions, pooling,
 * resizing) are in graph-shapes.ts.
 */
import { broadcastShape, reshapeTarget, stridedSliceSpec, type SmallTensor } from "./small-tensor.js";

export type Dim = number | null;

/** What an op's shape rule sees. */
export interface ShapeContext {
  op: string;
  attr: Record<string, unknown>;
  /** Number of data inputs. */
  arity: number;
  /** Dims of data input i, null when unknown. */
  dims: (i: number) => Dim[] | null;
  /** Folded value of data input i, null when unknown. */
  value: (i: number) => SmallTensor | null;
  /** Which output of the op (Split:1, Switch:1...). */
  output: number;
}

const attrOf = (attr: Record<string, unknown>, key: string) => attr[key] as { i?: string; b?: boolean; list?: { i?: string[] } } | undefined;
const attrInt = (attr: Record<string, unknown>, key: string, fallback: number) => (attrOf(attr, key)?.i !== undefined ? Number(attrOf(attr, key)?.i) : fallback);

/** Length guessed for an unknown axis while slicing: results this large are unknown. */
const UNKNOWN_LENGTH = 1 << 30;
const known = (d: number) => (d >= UNKNOWN_LENGTH / 2 ? null : d);

/** Broadcast of dims with unknown entries: a known size above 1 wins, unknown otherwise unless every entry is 1. */
export function broadcastDims(all: Dim[][]): Dim[] {
  const rank = all.reduce((most, d) => Math.max(most, d.length), 0);
  return Array.from({ length: rank }, (_, i) => {
    const column = all.map((d) => d[d.length - rank + i] ?? 1);
    const big = column.find((v) => v !== null && v !== 1);
    if (big !== undefined) return big;
    return column.every((v) => v === 1) ? 1 : null;
  });
}

const elements = (dims: Dim[]) => (dims.every((d) => d !== null) ? (dims as number[]).reduce((a, b) => a * b, 1) : null);
const axisOf = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** Ops that hand their first input on unchanged (control flow frames, identities). */
const PASS_THROUGH = new Set(["Identity", "Snapshot", "StopGradient", "Enter", "Exit", "NextIteration", "Switch", "LoopCond", "EnsureShape", "PreventGradient"]);

const REDUCTIONS = new Set(["Mean", "Sum", "Prod", "Max", "Min", "All", "Any", "ArgMax", "ArgMin"]);

/** The dims of one output, `undefined` when the op is not one of these. */
export function genericShape(ctx: ShapeContext): Dim[] | null | undefined {
  const { op, attr } = ctx;
  const x = ctx.dims(0);
  if (PASS_THROUGH.has(op)) return x;
  if (REDUCTIONS.has(op)) {
    const axes = ctx.value(1);
    if (x === null || axes === null) return null;
    const drop = new Set(axes.data.map((a) => axisOf(a, x.length)));
    const keep = op.startsWith("Arg") ? false : attrOf(attr, "keep_dims")?.b === true;
    return keep ? x.map((d, i) => (drop.has(i) ? 1 : d)) : x.filter((_, i) => !drop.has(i));
  }
  switch (op) {
    case "Merge": {
      // Loop entries (NextIteration inputs are left out by the caller) or cond branches: the dead branch is
      // unknown, and branches that both stay known must agree, else the size depends on which runs.
      if (ctx.output === 1) return [];
      const all = Array.from({ length: ctx.arity }, (_, i) => ctx.dims(i)).filter((d) => d !== null);
      return all.length > 0 && all.every((d) => d.join() === all[0].join()) ? all[0] : null;
    }
    case "Reshape": {
      const target = ctx.value(1);
      if (target === null) return null;
      return reshapeTarget(target.data, x === null ? null : elements(x));
    }
    case "BroadcastTo": {
      const target = ctx.value(1);
      return target === null
        ? null
        : x === null
          ? target.data
          : (broadcastShape(
              x.map((d) => d ?? 1),
              target.data,
            ) ?? null);
    }
    case "Fill": {
      const target = ctx.value(0);
      return target === null ? null : target.data;
    }
    case "Tile": {
      const multiples = ctx.value(1);
      return x === null || multiples === null || multiples.data.length !== x.length ? null : x.map((d, i) => (d === null ? null : d * multiples.data[i]));
    }
    case "Slice": {
      const begin = ctx.value(1);
      const size = ctx.value(2);
      if (x === null || begin === null || size === null) return null;
      return size.data.map((s, i) => (s !== -1 ? s : x[i] === null ? null : (x[i] as number) - begin.data[i]));
    }
    case "StridedSlice": {
      const [begin, end, strides] = [ctx.value(1), ctx.value(2), ctx.value(3)];
      if (x === null || begin === null || end === null || strides === null) return null;
      const spec = stridedSliceSpec(
        x.map((d) => d ?? UNKNOWN_LENGTH),
        begin.data,
        end.data,
        strides.data,
        {
          begin: attrInt(attr, "begin_mask", 0),
          end: attrInt(attr, "end_mask", 0),
          ellipsis: attrInt(attr, "ellipsis_mask", 0),
          newAxis: attrInt(attr, "new_axis_mask", 0),
          shrink: attrInt(attr, "shrink_axis_mask", 0),
        },
      );
      return spec === null ? null : spec.shape.map(known);
    }
    case "Split": {
      // Split(axis, value): num_split equal parts.
      const axis = ctx.value(0);
      const v = ctx.dims(1);
      if (axis === null || v === null) return null;
      const a = axisOf(axis.data[0], v.length);
      const n = attrInt(attr, "num_split", 1);
      return v.map((d, i) => (i !== a ? d : d === null ? null : d / n));
    }
    case "SplitV": {
      const sizes = ctx.value(1);
      const axis = ctx.value(2);
      if (x === null || sizes === null || axis === null) return null;
      const a = axisOf(axis.data[0], x.length);
      let size: number | null = sizes.data[ctx.output] ?? null;
      if (size === -1) {
        const rest = sizes.data.reduce((sum, s) => sum + (s === -1 ? 0 : s), 0);
        size = x[a] === null ? null : (x[a] as number) - rest;
      }
      return x.map((d, i) => (i === a ? size : d));
    }
    case "Unpack": {
      if (x === null) return null;
      const a = axisOf(attrInt(attr, "axis", 0), x.length);
      return x.filter((_, i) => i !== a);
    }
    case "Pack": {
      if (x === null) return null;
      const a = axisOf(attrInt(attr, "axis", 0), x.length + 1);
      return [...x.slice(0, a), ctx.arity, ...x.slice(a)];
    }
    case "ConcatV2": {
      const axis = ctx.value(ctx.arity - 1);
      const parts = Array.from({ length: ctx.arity - 1 }, (_, i) => ctx.dims(i));
      const first = parts.find((p) => p !== null);
      if (axis === null || first === undefined || first === null) return null;
      const a = axisOf(axis.data[0], first.length);
      const along = parts.every((p) => p !== null && p[a] !== null) ? parts.reduce((sum, p) => sum + (p?.[a] as number), 0) : null;
      // Other axes: any part that knows them (they agree).
      return first.map((_, i) => (i === a ? along : (parts.find((p) => p !== null && p[i] !== null)?.[i] ?? null)));
    }
    case "Transpose": {
      const perm = ctx.value(1);
      return x === null || perm === null || perm.data.length !== x.length ? null : perm.data.map((i) => x[i]);
    }
    case "ExpandDims": {
      const axis = ctx.value(1);
      if (x === null || axis === null) return null;
      const out = [...x];
      out.splice(axisOf(axis.data[0], x.length + 1), 0, 1);
      return out;
    }
    case "Squeeze": {
      if (x === null) return null;
      const listed = (attrOf(attr, "squeeze_dims")?.list?.i ?? []).map(Number);
      const drop = listed.length > 0 ? new Set(listed.map((a) => axisOf(a, x.length))) : new Set(x.flatMap((d, i) => (d === 1 ? [i] : [])));
      return x.filter((_, i) => !drop.has(i));
    }
    case "Pad":
    case "PadV2":
    case "MirrorPad": {
      const p = ctx.value(1);
      if (x === null || p === null || p.data.length !== 2 * x.length) return null;
      return x.map((d, i) => (d === null ? null : d + p.data[2 * i] + p.data[2 * i + 1]));
    }
    case "GatherV2": {
      const indices = ctx.dims(1);
      const axis = ctx.value(2);
      if (x === null || indices === null || axis === null) return null;
      const a = axisOf(axis.data[0], x.length);
      return [...x.slice(0, a), ...indices, ...x.slice(a + 1)];
    }
    case "GatherNd": {
      const indices = ctx.dims(1);
      const depth = indices?.[indices.length - 1];
      if (x === null || indices === null || depth === null || depth === undefined) return null;
      return [...indices.slice(0, -1), ...x.slice(depth)];
    }
    case "MatMul":
    case "BatchMatMulV2":
    case "BatchMatMul": {
      const y = ctx.dims(1);
      if (x === null || y === null || x.length < 2 || y.length < 2) return null;
      const ta = attrOf(attr, "transpose_a")?.b === true || attrOf(attr, "adj_x")?.b === true;
      const tb = attrOf(attr, "transpose_b")?.b === true || attrOf(attr, "adj_y")?.b === true;
      const m = x[x.length - (ta ? 1 : 2)];
      const n = y[y.length - (tb ? 2 : 1)];
      return [...broadcastDims([x.slice(0, -2), y.slice(0, -2)]), m, n];
    }
    // Tensor lists: dims of the list as if stacked, [length, ...element].
    case "TensorListFromTensor":
      return x;
    case "TensorListReserve": {
      const element = ctx.value(0);
      const length = ctx.value(1);
      if (element === null || element.shape.length !== 1 || element.data.some((d) => d < 0)) return null;
      return [length?.data[0] ?? null, ...element.data];
    }
    case "TensorListSetItem": {
      const item = ctx.dims(2);
      return item === null ? x : [x?.[0] ?? null, ...item];
    }
    case "TensorListGetItem":
      return x === null ? null : x.slice(1);
    case "TensorListStack": {
      const n = attrInt(attr, "num_elements", -1);
      return x === null ? null : [x[0] ?? (n >= 0 ? n : null), ...x.slice(1)];
    }
    default:
      return undefined;
  }
}
