/**
 * Graph shape propagation through shape arithmetic: small TF.js graph models written here whose
 * convolutions are sized by folded tensors (Shape, StridedSlice, Slice, GatherV2, Pack, Unpack,
 * ConcatV2, Cast, Mul, Add, Sub, FloorDiv, RealDiv, Floor, Ceil, Prod, Reshape, Fill, ExpandDims,
 * Squeeze, Identity, Mean, BroadcastTo, Tile, SplitV, Transpose, Range, Switch/Merge, a while loop
 * over tensor lists). The
 * independent reference is TF.js itself: tf.loadGraphModel from an in-memory IOHandler, executed
 * on an input of the stand-in size, and the shape of the tensor each convolution consumes read off.
 * A non-square kernel is checked against M built by TF.js's own depthwiseConv2d on unit images.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { findConvolutions, readTfjsModel, reportModel } from "../lib/tfjs/index.js";
import { bruteForcePenalty, rng, transpose, type Rows } from "./reference.js";

type Attr = Record<string, unknown>;
const ints = (v: number[]) => ({ list: { i: v.map(String) } });
const str = (s: string) => ({ s: Buffer.from(s).toString("base64") });
const int = (v: number) => ({ i: String(v) });
const type = (t: string) => ({ type: t });

/** Builds a graph model: nodes, Const weights, and the bytes of one shard. */
class Graph {
  readonly nodes: Array<{ name: string; op: string; input: string[]; attr: Attr }> = [];
  readonly weights: Array<{ name: string; shape: number[]; dtype: "float32" | "int32"; values: number[] }> = [];
  private readonly random = rng(7);

  op(name: string, op: string, input: string[], attr: Attr = {}): string {
    this.nodes.push({ name, op, input, attr });
    return name;
  }

  placeholder(name: string, dims: number[], dtype = "DT_FLOAT"): string {
    return this.op(name, "Placeholder", [], { shape: { shape: { dim: dims.map((d) => ({ size: String(d) })) } }, dtype: type(dtype) });
  }

  const(name: string, values: number[], shape: number[], dtype: "float32" | "int32" = "int32"): string {
    this.weights.push({ name, shape, dtype, values });
    const dt = dtype === "int32" ? "DT_INT32" : "DT_FLOAT";
    return this.op(name, "Const", [], { value: { tensor: { dtype: dt, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: type(dt) });
  }

  /** A Conv2D (or depthwise) with a random kernel [kh, kw, g, h] whose entries are multiples of 1/8. */
  conv(name: string, x: string, shape: number[], o: { stride?: number; padding?: string; depthwise?: boolean } = {}): string {
    const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.round(this.random.normal() * 8) / 8);
    const filter = this.const(`${name}/filter`, values, shape, "float32");
    const s = o.stride ?? 1;
    return this.op(name, o.depthwise ? "DepthwiseConv2dNative" : "Conv2D", [x, filter], {
      T: type("DT_FLOAT"),
      strides: ints([1, s, s, 1]),
      padding: str(o.padding ?? "SAME"),
      data_format: str("NHWC"),
      dilations: ints([1, 1, 1, 1]),
    });
  }

  artifacts(): tf.io.ModelArtifacts {
    const bytes = this.bytes();
    return {
      modelTopology: { node: this.nodes, versions: { producer: 1 } },
      format: "graph-model",
      weightSpecs: this.weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    };
  }

  private bytes(): Uint8Array {
    const parts = this.weights.map((w) => new Uint8Array((w.dtype === "int32" ? new Int32Array(w.values) : new Float32Array(w.values)).buffer));
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Writes model.json + w.bin and returns the model.json path. */
  write(dir: string): string {
    writeFileSync(path.join(dir, "w.bin"), this.bytes());
    const manifest = [{ paths: ["w.bin"], weights: this.weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }];
    const file = path.join(dir, "model.json");
    writeFileSync(file, JSON.stringify({ format: "graph-model", modelTopology: { node: this.nodes }, weightsManifest: manifest }));
    return file;
  }
}

const CONV_OPS = new Set(["Conv2D", "DepthwiseConv2dNative"]);

/** Each conv's input [H, W] as TF.js computes it, running the graph on the given inputs. */
async function tfjsConvInputs(g: Graph, inputs: Record<string, tf.Tensor>): Promise<Map<string, number[]>> {
  const model = await tf.loadGraphModel(tf.io.fromMemory(g.artifacts()));
  const convs = g.nodes.filter((n) => CONV_OPS.has(n.op));
  const names = [...new Set(convs.map((n) => n.input[0]))];
  const out = (await model.executeAsync(inputs, names)) as tf.Tensor | tf.Tensor[];
  const tensors = Array.isArray(out) ? out : [out];
  const sizes = new Map(convs.map((n) => [n.name, tensors[names.indexOf(n.input[0])].shape.slice(1, 3)]));
  tf.dispose(tensors);
  return sizes;
}

/** Each conv's input [H, W] as convreg derives it from the file. */
async function convregConvInputs(g: Graph, inputSize: number | [number, number], inputValues?: Record<string, number>): Promise<Map<string, (number | null)[]>> {
  const file = g.write(mkdtempSync(path.join(tmpdir(), "convreg-fold-")));
  const found = findConvolutions(await readTfjsModel(file), { inputSize, inputValues });
  return new Map(found.convs.map((c) => [c.name, [c.input.height, c.input.width]]));
}

async function expectSameSizes(g: Graph, h: number, w: number, inputValues: Record<string, number> = {}): Promise<Map<string, (number | null)[]>> {
  const image = tf.fill([1, h, w, 3], 0.5);
  const values = Object.fromEntries(Object.entries(inputValues).map(([k, v]) => [k, tf.scalar(v)]));
  const reference = await tfjsConvInputs(g, { x: image, ...values });
  tf.dispose([image, ...Object.values(values)]);
  const ours = await convregConvInputs(g, [h, w], inputValues);
  expect(reference.size).toBeGreaterThan(0);
  for (const [name, size] of reference) expect([name, ours.get(name)]).toEqual([name, size]);
  return ours;
}

/** Resize by 1.5 through Shape -> StridedSlice -> Cast -> Mul -> Ceil -> Cast (centernet, faceboxes). */
function resizeGraph(): Graph {
  const g = new Graph();
  const x = g.placeholder("x", [-1, -1, -1, 3]);
  const c1 = g.conv("c1", x, [3, 3, 3, 4], { stride: 2 });
  const shape = g.op("shape", "Shape", [c1], { out_type: type("DT_INT32") });
  const hw = g.op("hw", "StridedSlice", [shape, g.const("b", [1], [1]), g.const("e", [3], [1]), g.const("s", [1], [1])], {
    Index: type("DT_INT32"),
    T: type("DT_INT32"),
    begin_mask: int(0),
    end_mask: int(0),
    ellipsis_mask: int(0),
    new_axis_mask: int(0),
    shrink_axis_mask: int(0),
  });
  const f = g.op("f", "Cast", [hw], { SrcT: type("DT_INT32"), DstT: type("DT_FLOAT") });
  const scaled = g.op("scaled", "Mul", [f, g.const("scale", [1.5], [], "float32")], { T: type("DT_FLOAT") });
  const up = g.op("up", "Ceil", [scaled], { T: type("DT_FLOAT") });
  const size = g.op("size", "Cast", [up], { SrcT: type("DT_FLOAT"), DstT: type("DT_INT32") });
  const r = g.op("resize", "ResizeBilinear", [c1, size], { T: type("DT_FLOAT"), align_corners: { b: false }, half_pixel_centers: { b: false } });
  g.conv("c2", r, [3, 3, 4, 2]);
  return g;
}

/** Pads to the next multiple of 8 (faceboxes' pad_to_bounding_box): Unpack, RealDiv, Ceil, Sub, Pack, Reshape, Pad. */
function padGraph(): Graph {
  const g = new Graph();
  const x = g.placeholder("x", [-1, -1, -1, 3]);
  const shape = g.op("shape", "Shape", [x], { out_type: type("DT_INT32") });
  const parts = g.op("parts", "Unpack", [shape], { T: type("DT_INT32"), num: int(4), axis: int(0) });
  const padTo = (axis: number) => {
    const f = g.op(`f${axis}`, "Cast", [`${parts}:${axis}`], { SrcT: type("DT_INT32"), DstT: type("DT_FLOAT") });
    const q = g.op(`q${axis}`, "RealDiv", [f, g.const(`eight${axis}`, [8], [], "float32")], { T: type("DT_FLOAT") });
    const c = g.op(`ceil${axis}`, "Ceil", [q], { T: type("DT_FLOAT") });
    const i = g.op(`i${axis}`, "Cast", [c], { SrcT: type("DT_FLOAT"), DstT: type("DT_INT32") });
    const m = g.op(`mul${axis}`, "Mul", [i, g.const(`eighti${axis}`, [8], [])], { T: type("DT_INT32") });
    return g.op(`p${axis}`, "Sub", [m, `${parts}:${axis}`], { T: type("DT_INT32") });
  };
  const zero = g.const("zero", [0], []);
  const stacked = g.op("stacked", "Pack", [zero, zero, zero, padTo(1), zero, padTo(2), zero, zero], { T: type("DT_INT32"), N: int(8), axis: int(0) });
  const paddings = g.op("paddings", "Reshape", [stacked, g.const("pshape", [4, 2], [2])], { T: type("DT_INT32"), Tshape: type("DT_INT32") });
  const padded = g.op("padded", "Pad", [x, paddings], { T: type("DT_FLOAT"), Tpaddings: type("DT_INT32") });
  const c1 = g.conv("c1", padded, [3, 3, 3, 4], { stride: 2 });
  // Halve with FloorDiv of the gathered dims, then Floor(h * 0.75) + 1 through Add.
  const s1 = g.op("s1", "Shape", [c1], { out_type: type("DT_INT32") });
  const gathered = g.op("gathered", "GatherV2", [s1, g.const("idx", [1, 2], [2]), g.const("gaxis", [0], [])], {
    Taxis: type("DT_INT32"),
    Tindices: type("DT_INT32"),
    Tparams: type("DT_INT32"),
    batch_dims: int(0),
  });
  const half = g.op("half", "FloorDiv", [gathered, g.const("two", [2], [])], { T: type("DT_INT32") });
  const f = g.op("hf", "Cast", [half], { SrcT: type("DT_INT32"), DstT: type("DT_FLOAT") });
  const fl = g.op("fl", "Floor", [g.op("m75", "Mul", [f, g.const("q75", [0.75], [], "float32")], { T: type("DT_FLOAT") })], { T: type("DT_FLOAT") });
  const size = g.op("size", "Add", [g.op("flI", "Cast", [fl], { SrcT: type("DT_FLOAT"), DstT: type("DT_INT32") }), g.const("one", [1], [])], { T: type("DT_INT32") });
  const r = g.op("resize", "ResizeNearestNeighbor", [c1, size], { T: type("DT_FLOAT"), align_corners: { b: false }, half_pixel_centers: { b: false } });
  g.conv("c2", r, [3, 3, 4, 2]);
  return g;
}

/** Squeeze-excite (Mean keep_dims, broadcast Mul), Reshape with -1, Slice, ConcatV2, Prod, Fill, BroadcastTo, Tile, SplitV, Transpose, ExpandDims, Squeeze. */
function reshapeGraph(): Graph {
  const g = new Graph();
  const i32 = { T: type("DT_INT32") };
  const x = g.placeholder("x", [-1, -1, -1, 3]);
  const c1 = g.conv("c1", x, [3, 3, 3, 4]);
  const mean = g.op("mean", "Mean", [c1, g.const("axes", [1, 2], [2])], { T: type("DT_FLOAT"), Tidx: type("DT_INT32"), keep_dims: { b: true } });
  const se = g.conv("se", mean, [1, 1, 4, 4]);
  const scaled = g.op("scaled", "Mul", [c1, g.op("sig", "Sigmoid", [se], { T: type("DT_FLOAT") })], { T: type("DT_FLOAT") });
  // Flatten the pixels, then rebuild [1, H, W, C] from Slice / Prod / ConcatV2 of the shape.
  const shape = g.op("shape", "Shape", [scaled], { out_type: type("DT_INT32") });
  const flat = g.op("flat", "Reshape", [scaled, g.const("flatShape", [1, -1, 4], [3])], { T: type("DT_FLOAT"), Tshape: type("DT_INT32") });
  const hw = g.op("hw", "Slice", [shape, g.const("sb", [1], [1]), g.const("ss", [2], [1])], { T: type("DT_INT32"), Index: type("DT_INT32") });
  const pixels = g.op("pixels", "Prod", [hw, g.const("p0", [0], [1])], { ...i32, Tidx: type("DT_INT32"), keep_dims: { b: true } });
  const back = g.op("backShape", "ConcatV2", [g.const("one", [1], [1]), hw, g.const("four", [4], [1]), g.const("cax", [0], [])], { ...i32, N: int(3), Tidx: type("DT_INT32") });
  const restored = g.op("restored", "Reshape", [flat, back], { T: type("DT_FLOAT"), Tshape: type("DT_INT32") });
  // A map of ones the size of the image times the flat pixel count folds to the same H x W: Fill, BroadcastTo.
  const ones = g.op(
    "ones",
    "Fill",
    [
      g.op("fillShape", "ConcatV2", [g.const("one2", [1], [1]), hw, g.const("onec", [1], [1]), g.const("cax2", [0], [])], { ...i32, N: int(3), Tidx: type("DT_INT32") }),
      g.const("onef", [1], [], "float32"),
    ],
    { T: type("DT_FLOAT"), index_type: type("DT_INT32") },
  );
  const wide = g.op("wide", "BroadcastTo", [ones, back], { T: type("DT_FLOAT"), Tidx: type("DT_INT32") });
  const mixed = g.op("mixed", "Mul", [restored, wide], { T: type("DT_FLOAT") });
  const c2 = g.conv("c2", mixed, [3, 3, 4, 4], { stride: 2 });
  // Tile 2 x 1, split the rows back into two unequal parts, transpose H and W, ExpandDims + Squeeze round trip.
  const tiled = g.op("tiled", "Tile", [c2, g.const("mult", [1, 2, 1, 1], [4])], { T: type("DT_FLOAT"), Tmultiples: type("DT_INT32") });
  const pieces = g.op("pieces", "SplitV", [tiled, g.const("sizes", [1, -1], [2]), g.const("sax", [1], [])], { T: type("DT_FLOAT"), Tlen: type("DT_INT32"), num_split: int(2) });
  const tr = g.op("tr", "Transpose", [`${pieces}:1`, g.const("perm", [0, 2, 1, 3], [4])], { T: type("DT_FLOAT"), Tperm: type("DT_INT32") });
  const ex = g.op("ex", "ExpandDims", [tr, g.const("exAxis", [0], [])], { T: type("DT_FLOAT"), Tdim: type("DT_INT32") });
  const sq = g.op("sq", "Squeeze", [ex], { T: type("DT_FLOAT"), squeeze_dims: ints([0]) });
  const id = g.op("id", "Identity", [sq], { T: type("DT_FLOAT") });
  g.conv("c3", id, [3, 3, 4, 2]);
  // A resize to the folded pixel count's square root is not needed: Range's length sizes the last one.
  const range = g.op("range", "Range", [g.const("r0", [0], []), g.op("pix0", "Squeeze", [pixels], { ...i32, squeeze_dims: ints([]) }), g.const("rstep", [4], [])], {
    Tidx: type("DT_INT32"),
  });
  const n = g.op("n", "Size", [range], { T: type("DT_INT32"), out_type: type("DT_INT32") });
  const size = g.op("rsize", "Pack", [n, n], { ...i32, N: int(2), axis: int(0) });
  const r = g.op("resize", "ResizeBilinear", [id, size], { T: type("DT_FLOAT"), align_corners: { b: false }, half_pixel_centers: { b: false } });
  g.conv("c4", r, [3, 3, 4, 2]);
  return g;
}

/** A tf.cond on a scalar input (rvm's downsample_ratio): Equal -> Switch -> resize or identity -> Merge. */
function condGraph(): Graph {
  const g = new Graph();
  const x = g.placeholder("x", [-1, -1, -1, 3]);
  const ratio = g.op("ratio", "Placeholder", [], { shape: { shape: { unknownRank: true } }, dtype: type("DT_FLOAT") });
  const pred = g.op("pred", "Equal", [ratio, g.const("one", [1], [], "float32")], { T: type("DT_FLOAT"), incompatible_shape_error: { b: true } });
  const sw = g.op("switch", "Switch", [x, pred], { T: type("DT_FLOAT") });
  const shape = g.op("shape", "Shape", [`${sw}:0`], { out_type: type("DT_INT32") });
  const hw = g.op("hw", "StridedSlice", [shape, g.const("b", [1], [1]), g.const("e", [3], [1]), g.const("s", [1], [1])], {
    Index: type("DT_INT32"),
    T: type("DT_INT32"),
    begin_mask: int(0),
    end_mask: int(0),
    ellipsis_mask: int(0),
    new_axis_mask: int(0),
    shrink_axis_mask: int(0),
  });
  const f = g.op("f", "Cast", [hw], { SrcT: type("DT_INT32"), DstT: type("DT_FLOAT") });
  const scaled = g.op("scaled", "Mul", [f, ratio], { T: type("DT_FLOAT") });
  const size = g.op("size", "Cast", [scaled], { SrcT: type("DT_FLOAT"), DstT: type("DT_INT32") });
  const small = g.op("small", "ResizeBilinear", [`${sw}:0`, size], { T: type("DT_FLOAT"), align_corners: { b: false }, half_pixel_centers: { b: false } });
  const same = g.op("same", "Identity", [`${sw}:1`], { T: type("DT_FLOAT") });
  const merged = g.op("merged", "Merge", [small, same], { T: type("DT_FLOAT"), N: int(2) });
  g.conv("c1", merged, [3, 3, 3, 2]);
  return g;
}

describe("graph shapes folded through shape arithmetic, against TF.js executing the graph", () => {
  it("resize sized by Shape -> StridedSlice -> Cast -> Mul -> Ceil -> Cast", async () => {
    for (const [h, w] of [
      [9, 7],
      [16, 11],
    ])
      await expectSameSizes(resizeGraph(), h, w);
  });

  it("pad to a multiple of 8 (Unpack, RealDiv, Ceil, Sub, Pack, Reshape, Pad), then GatherV2, FloorDiv, Floor, Add", async () => {
    for (const [h, w] of [
      [13, 21],
      [16, 9],
    ])
      await expectSameSizes(padGraph(), h, w);
  });

  it("Mean keep_dims, broadcast Mul, Reshape -1, Slice, Prod, ConcatV2, Fill, BroadcastTo, Tile, SplitV, Transpose, ExpandDims, Squeeze, Range, Size", async () => {
    await expectSameSizes(reshapeGraph(), 10, 6);
    await expectSameSizes(reshapeGraph(), 7, 12);
  });

  it("tf.cond on a graph input value: the branch its value takes; without it the sizes are unknown and the report says which input", async () => {
    const half = await expectSameSizes(condGraph(), 12, 10, { ratio: 0.5 });
    expect(half.get("c1")).toEqual([6, 5]);
    const one = await expectSameSizes(condGraph(), 12, 10, { ratio: 1 });
    expect(one.get("c1")).toEqual([12, 10]);
    const unknown = await convregConvInputs(condGraph(), [12, 10]);
    expect(unknown.get("c1")).toEqual([null, null]);
    const file = condGraph().write(mkdtempSync(path.join(tmpdir(), "convreg-fold-")));
    const report = await reportModel(file, { inputSize: [12, 10], spectrum: "none" });
    expect(report.layers[0].error?.code).toBe("ERR_ARGUMENT");
    expect(report.layers[0].error?.message).toContain('"ratio"');
  });
});

/** M of a depthwise conv with a [kh, kw, C, 1] kernel on H x W, column by column from TF.js on unit images. */
function tfjsDepthwiseM(kernel: number[], shape: number[], h: number, w: number, padding: "same" | "valid"): Rows {
  const c = shape[2];
  const filter = tf.tensor4d(kernel, shape as [number, number, number, number]);
  const columns: number[][] = [];
  for (let j = 0; j < h * w * c; j++) {
    const unit = new Float32Array(h * w * c);
    unit[j] = 1;
    const y = tf.depthwiseConv2d(tf.tensor4d(unit, [1, h, w, c]), filter, 1, padding);
    columns.push(Array.from(y.dataSync()));
    y.dispose();
  }
  filter.dispose();
  return transpose(columns);
}

describe("non-square kernels", () => {
  it("a 3x1 and a 1x3 SAME depthwise kernel are analysed as their centred square embedding: penalty equals TF.js's own M", async () => {
    for (const shape of [
      [3, 1, 2, 1],
      [1, 3, 2, 1],
    ]) {
      const g = new Graph();
      const x = g.placeholder("x", [1, 6, 5, 2]);
      g.conv("box", x, shape, { depthwise: true });
      const file = g.write(mkdtempSync(path.join(tmpdir(), "convreg-fold-")));
      const report = await reportModel(file, { spectrum: "none", alpha: 0.5 });
      expect(report.skipped).toEqual([]);
      const row = report.layers[0];
      expect(row.error).toBeNull();
      expect(row.notes.join(" ")).toContain("embedding");
      const m = tfjsDepthwiseM(g.weights[0].values, shape, 6, 5, "same");
      const reference = bruteForcePenalty(m, 0.5);
      expect(Math.abs((row.penalty as number) - reference) / reference).toBeLessThan(1e-12);
    }
  });

  it("a VALID non-square kernel keeps its row, failed with ERR_ARGUMENT and the reason (not skipped)", async () => {
    const g = new Graph();
    const x = g.placeholder("x", [1, 6, 5, 2]);
    g.conv("box", x, [3, 1, 2, 1], { depthwise: true, padding: "VALID" });
    const file = g.write(mkdtempSync(path.join(tmpdir(), "convreg-fold-")));
    const report = await reportModel(file, { spectrum: "none" });
    expect(report.skipped).toEqual([]);
    expect(report.layers[0].error?.code).toBe("ERR_ARGUMENT");
    expect(report.layers[0].error?.message).toContain("non-square kernel 3x1 with valid padding");
    expect(report.layers[0].layer.shape).toEqual([3, 1, 2, 1]);
  });
});

describe("convreg report --input-value", () => {
  it("gives a graph input's value (NAME=V, repeatable); a malformed one is ERR_RANGE naming the flag", async () => {
    const { report } = await import("../lib/cli/report.js");
    const file = condGraph().write(mkdtempSync(path.join(tmpdir(), "convreg-fold-")));
    const lines: string[] = [];
    await report([file, "--input-size", "12x10", "--input-value", "ratio=0.5", "--spectrum", "none", "--json"], (s) => lines.push(s));
    const text = lines.join("");
    expect(text).toContain('"n":6');
    expect(text).toContain('"width":5');
    await expect(report([file, "--input-size", "12x10", "--input-value", "ratio"], () => {})).rejects.toMatchObject({
      code: "ERR_RANGE",
      message: expect.stringContaining("--input-value"),
    });
    await expect(report([file, "--input-size", "12x10", "--input-value", "ratio=abc"], () => {})).rejects.toMatchObject({ code: "ERR_RANGE" });
  });
});

/** A while loop mapping a resize over the batch through tensor lists (handtrack's preprocessing). */
function loopGraph(): Graph {
  const g = new Graph();
  const f32 = { T: type("DT_FLOAT") };
  const i32 = { T: type("DT_INT32") };
  const frame = (constant: boolean) => ({ frame_name: str("map/while"), is_constant: { b: constant }, parallel_iterations: int(1) });
  const x = g.placeholder("x", [1, -1, -1, 3]);
  // -1 as a scalar: an element shape of unknown rank.
  const anyShape = g.const("anyShape", [-1], []);
  const list = g.op("list", "TensorListFromTensor", [x, anyShape], { element_dtype: type("DT_FLOAT"), shape_type: type("DT_INT32") });
  const out = g.op("out", "TensorListReserve", [anyShape, g.const("count", [1], [])], { element_dtype: type("DT_FLOAT"), shape_type: type("DT_INT32") });
  const enterI = g.op("enter_i", "Enter", [g.const("zero", [0], [])], { ...i32, ...frame(false) });
  const enterOut = g.op("enter_out", "Enter", [out], { T: type("DT_VARIANT"), ...frame(false) });
  const enterList = g.op("enter_list", "Enter", [list], { T: type("DT_VARIANT"), ...frame(true) });
  const enterLimit = g.op("enter_limit", "Enter", [g.const("limit", [1], [])], { ...i32, ...frame(true) });
  const enterSize = g.op("enter_size", "Enter", [g.const("target", [6, 4], [2])], { ...i32, ...frame(true) });
  const enterOne = g.op("enter_one", "Enter", [g.const("step", [1], [])], { ...i32, ...frame(true) });
  const enterAxis = g.op("enter_axis", "Enter", [g.const("axis0", [0], [])], { ...i32, ...frame(true) });
  const enterShape = g.op("enter_shape", "Enter", [anyShape], { ...i32, ...frame(true) });
  const mergeI = g.op("merge_i", "Merge", [enterI, "next_i"], { ...i32, N: int(2) });
  const mergeOut = g.op("merge_out", "Merge", [enterOut, "next_out"], { T: type("DT_VARIANT"), N: int(2) });
  const cond = g.op("cond", "LoopCond", [g.op("less", "Less", [mergeI, enterLimit], i32)], {});
  const swI = g.op("switch_i", "Switch", [mergeI, cond], i32);
  const swOut = g.op("switch_out", "Switch", [mergeOut, cond], { T: type("DT_VARIANT") });
  const item = g.op("item", "TensorListGetItem", [enterList, `${swI}:1`, enterShape], { element_dtype: type("DT_FLOAT") });
  const batch = g.op("batch", "ExpandDims", [item, enterAxis], { ...f32, Tdim: type("DT_INT32") });
  const resized = g.op("resized", "ResizeBilinear", [batch, enterSize], { ...f32, align_corners: { b: false }, half_pixel_centers: { b: false } });
  const image = g.op("image", "Squeeze", [resized], { ...f32, squeeze_dims: ints([0]) });
  const set = g.op("set", "TensorListSetItem", [`${swOut}:1`, `${swI}:1`, image], { element_dtype: type("DT_FLOAT") });
  g.op("next_i", "NextIteration", [g.op("add_i", "AddV2", [`${swI}:1`, enterOne], i32)], i32);
  g.op("next_out", "NextIteration", [set], { T: type("DT_VARIANT") });
  g.op("exit_i", "Exit", [`${swI}:0`], i32);
  const done = g.op("exit_out", "Exit", [`${swOut}:0`], { T: type("DT_VARIANT") });
  const stacked = g.op("stacked", "TensorListStack", [done, anyShape], { element_dtype: type("DT_FLOAT"), num_elements: int(1) });
  g.conv("c1", stacked, [3, 3, 3, 2], { stride: 2 });
  return g;
}

describe("while loops", () => {
  it("a loop mapping a resize over the batch through tensor lists: the conv after it is sized by the loop body", async () => {
    const sizes = await expectSameSizes(loopGraph(), 9, 7);
    expect(sizes.get("c1")).toEqual([6, 4]);
  });
});
