/**
 * Small tensors folded out of a graph (shapes, sizes, indices): a shape and row-major values,
 * with the broadcasting and slicing rules of TensorFlow. Booleans are 0/1.
 */

export interface SmallTensor {
  shape: number[];
  data: number[];
}

/** The largest tensor folded: shape arithmetic is tiny, anything bigger is data. */
export const MAX_FOLDED_ELEMENTS = 4096;

export const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export const scalar = (v: number): SmallTensor => ({ shape: [], data: [v] });
export const vector = (values: number[]): SmallTensor => ({ shape: [values.length], data: values });

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1] * shape[i + 1];
  return out;
}

/** The broadcast shape of two shapes (numpy rules), or null when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Reads `t` at the index of `shape` given by flat position `at` (broadcasting size-1 axes). */
function broadcastRead(t: SmallTensor, shape: readonly number[], at: number): number {
  const own = stridesOf(t.shape);
  const full = stridesOf(shape);
  const offset = shape.length - t.shape.length;
  let index = 0;
  for (let i = 0; i < t.shape.length; i++) {
    const coordinate = Math.floor(at / full[i + offset]) % shape[i + offset];
    index += (t.shape[i] === 1 ? 0 : coordinate) * own[i];
  }
  return t.data[index];
}

/** Elementwise `f` over broadcast operands. */
export function elementwise(tensors: SmallTensor[], f: (...v: number[]) => number): SmallTensor | null {
  let shape: number[] | null = [];
  for (const t of tensors) shape = shape && broadcastShape(shape, t.shape);
  if (shape === null || count(shape) > MAX_FOLDED_ELEMENTS) return null;
  const data = Array.from({ length: count(shape) }, (_, i) => f(...tensors.map((t) => broadcastRead(t, shape as number[], i))));
  return { shape, data };
}

/** Elements of `t` along `axis`, as (outer, length, inner) blocks. */
function axisBlocks(shape: readonly number[], axis: number): { outer: number; length: number; inner: number } {
  return { outer: count(shape.slice(0, axis)), length: shape[axis], inner: count(shape.slice(axis + 1)) };
}

/** Takes `indices` along `axis` (GatherV2 with batch_dims 0). */
export function gather(t: SmallTensor, indices: SmallTensor, axis: number): SmallTensor | null {
  if (axis < 0) axis += t.shape.length;
  if (axis < 0 || axis >= t.shape.length) return null;
  const { outer, length, inner } = axisBlocks(t.shape, axis);
  const data: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const raw of indices.data) {
      const i = raw < 0 ? raw + length : raw;
      if (i < 0 || i >= length) return null;
      for (let j = 0; j < inner; j++) data.push(t.data[(o * length + i) * inner + j]);
    }
  return { shape: [...t.shape.slice(0, axis), ...indices.shape, ...t.shape.slice(axis + 1)], data };
}

/** Joins tensors along `axis` (ConcatV2); their other dims must agree. */
export function concat(parts: SmallTensor[], axis: number): SmallTensor | null {
  if (parts.length === 0) return null;
  const rank = parts[0].shape.length;
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank || parts.some((p) => p.shape.length !== rank || p.shape.some((d, i) => i !== axis && d !== parts[0].shape[i]))) return null;
  const outer = count(parts[0].shape.slice(0, axis));
  const data: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const p of parts) {
      const block = count(p.shape.slice(axis));
      for (let i = o * block; i < (o + 1) * block; i++) data.push(p.data[i]);
    }
  const shape = [...parts[0].shape];
  shape[axis] = parts.reduce((a, p) => a + p.shape[axis], 0);
  return { shape, data };
}

/** Stacks equal-shaped tensors along a new `axis` (Pack). */
export function stack(parts: SmallTensor[], axis: number): SmallTensor | null {
  if (parts.length === 0) return null;
  const rank = parts[0].shape.length;
  if (axis < 0) axis += rank + 1;
  if (parts.some((p) => p.shape.join() !== parts[0].shape.join())) return null;
  const expanded = parts.map((p) => ({ shape: [...p.shape.slice(0, axis), 1, ...p.shape.slice(axis)], data: p.data }));
  return concat(expanded, axis);
}

/** Splits along `axis` into slices of the given sizes (Unpack when all are 1 and the axis is dropped). */
export function split(t: SmallTensor, axis: number, sizes: number[], dropAxis: boolean): SmallTensor[] | null {
  if (axis < 0) axis += t.shape.length;
  if (axis < 0 || axis >= t.shape.length || sizes.reduce((a, b) => a + b, 0) !== t.shape[axis]) return null;
  const { outer, length, inner } = axisBlocks(t.shape, axis);
  let start = 0;
  return sizes.map((size) => {
    const data: number[] = [];
    for (let o = 0; o < outer; o++) for (let i = (o * length + start) * inner; i < (o * length + start + size) * inner; i++) data.push(t.data[i]);
    start += size;
    const shape = [...t.shape];
    if (dropAxis) shape.splice(axis, 1);
    else shape[axis] = size;
    return { shape, data };
  });
}

/** Reduces over `axes` (Sum, Prod, Max, Min, Mean, All, Any). */
export function reduce(t: SmallTensor, axes: number[], keepDims: boolean, f: (a: number, b: number) => number, mean = false): SmallTensor | null {
  const rank = t.shape.length;
  const drop = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  if ([...drop].some((a) => a < 0 || a >= rank)) return null;
  const shape = t.shape.map((d, i) => (drop.has(i) ? 1 : d));
  const out = new Map<number, number[]>();
  const strides = stridesOf(t.shape);
  const outStrides = stridesOf(shape);
  t.data.forEach((v, flat) => {
    let target = 0;
    for (let i = 0; i < rank; i++) if (!drop.has(i)) target += (Math.floor(flat / strides[i]) % t.shape[i]) * outStrides[i];
    const list = out.get(target);
    if (list) list.push(v);
    else out.set(target, [v]);
  });
  const data = Array.from({ length: count(shape) }, (_, i) => {
    const values = out.get(i) ?? [];
    const folded = values.length === 0 ? Number.NaN : values.reduce(f);
    return mean ? folded / values.length : folded;
  });
  return { shape: keepDims ? shape : t.shape.filter((_, i) => !drop.has(i)), data };
}

/** Per-axis begin, size and stride of a strided slice, and the output shape, from the op's masks. */
export interface SliceSpec {
  begin: number[];
  stride: number[];
  size: number[];
  /** Output shape after shrink and new axes. */
  shape: number[];
}

/**
 * Resolves a StridedSlice over a tensor of shape `dims` (TensorFlow's semantics: begin/end/ellipsis/new-axis/
 * shrink masks, negative indices, clamping). Null when the spec is not understood.
 */
export function stridedSliceSpec(
  dims: readonly number[],
  begin: number[],
  end: number[],
  strides: number[],
  masks: { begin: number; end: number; ellipsis: number; newAxis: number; shrink: number },
): SliceSpec | null {
  if (begin.length !== end.length || begin.length !== strides.length || strides.some((s) => s === 0)) return null;
  const out: SliceSpec = { begin: [], stride: [], size: [], shape: [] };
  const sparse = begin.length;
  let ellipsisSeen = false;
  let axis = 0;
  for (let i = 0; i < sparse; i++) {
    const bit = 1 << i;
    if (masks.ellipsis & bit) {
      if (ellipsisSeen) return null;
      ellipsisSeen = true;
      const named = Array.from({ length: sparse - i - 1 }, (_, j) => i + 1 + j).filter((j) => !(masks.newAxis & (1 << j))).length;
      const covered = dims.length - axis - named;
      for (let j = 0; j < covered; j++, axis++) {
        out.begin.push(0);
        out.stride.push(1);
        out.size.push(dims[axis]);
        out.shape.push(dims[axis]);
      }
      continue;
    }
    if (masks.newAxis & bit) {
      out.shape.push(1);
      continue;
    }
    if (axis >= dims.length) return null;
    const length = dims[axis];
    const s = strides[i];
    const at = (v: number) => (v < 0 ? v + length : v);
    if (masks.shrink & bit) {
      const b = at(begin[i]);
      if (b < 0 || b >= length) return null;
      out.begin.push(b);
      out.stride.push(1);
      out.size.push(1);
      axis++;
      continue;
    }
    const clamp = (v: number) => (s > 0 ? Math.min(Math.max(v, 0), length) : Math.min(Math.max(v, -1), length - 1));
    const b = masks.begin & bit ? (s > 0 ? 0 : length - 1) : clamp(at(begin[i]));
    const e = masks.end & bit ? (s > 0 ? length : -1) : clamp(at(end[i]));
    const size = Math.max(0, Math.ceil((e - b) / s));
    out.begin.push(b);
    out.stride.push(s);
    out.size.push(size);
    out.shape.push(size);
    axis++;
  }
  for (; axis < dims.length; axis++) {
    out.begin.push(0);
    out.stride.push(1);
    out.size.push(dims[axis]);
    out.shape.push(dims[axis]);
  }
  return out;
}

/** The elements a slice spec selects, in order. */
export function sliceData(t: SmallTensor, spec: Pick<SliceSpec, "begin" | "stride" | "size">): number[] {
  const strides = stridesOf(t.shape);
  const data: number[] = [];
  const total = count(spec.size);
  const sizeStrides = stridesOf(spec.size);
  for (let flat = 0; flat < total; flat++) {
    let index = 0;
    for (let i = 0; i < spec.size.length; i++) {
      const j = Math.floor(flat / sizeStrides[i]) % spec.size[i];
      index += (spec.begin[i] + j * spec.stride[i]) * strides[i];
    }
    data.push(t.data[index]);
  }
  return data;
}

/** Resolves a Reshape target (at most one -1) against an element count; null when it does not fit. */
export function reshapeTarget(target: readonly number[], elements: number | null): (number | null)[] | null {
  const open = target.filter((d) => d === -1).length;
  if (open > 1 || target.some((d) => d < -1)) return null;
  if (open === 0) return elements === null || count(target) === elements ? [...target] : null;
  const known = count(target.filter((d) => d !== -1));
  if (elements === null) return target.map((d) => (d === -1 ? null : d));
  if (known === 0 || elements % known !== 0) return null;
  return target.map((d) => (d === -1 ? elements / known : d));
}
