/**
 * convreg/tfjs/training on depthwise, separable and grouped kernels, against references built
 * here: the layer's whole M from its blocks (each block M of one channel's, or one group's,
 * kernel by definition, test/reference.ts), checked against tf.depthwiseConv2d; never convreg's engines.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { addPenaltyGradients, frobeniusRegularizer, regularizeModel, twoNormRegularizer, type AttachedLayer } from "../lib/tfjs/training/index.js";
import { bruteForceGradient, bruteForceLayerM, bruteForcePenalty, jacobiEigenpairs, multiply, randomData, transpose, type LayerGeometry, type Rows } from "./reference.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Kernel data rounded to float32, as TF.js holds it. */
function float32Data(length: number, seed: number, scale = 0.4): Float64Array {
  return randomData(1, 1, length, seed).map((v) => Math.fround(v * scale));
}

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0,
    scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

/**
 * A kernel's blocks: block b maps input channels `inputs` to output channels `outputs` through
 * the [k, k, inputs.length, outputs.length] kernel whose entry (p, q, i, o) is data[index(p, q, i, o)].
 */
interface Blocks {
  k: number;
  channelsIn: number;
  channelsOut: number;
  blocks: Array<{ inputs: number[]; outputs: number[]; index: (p: number, q: number, i: number, o: number) => number }>;
}

/** TF's DepthwiseConv2D kernel [k, k, C, m]: output channel c m + j reads input channel c through K[:, :, c, j]. */
function depthwiseBlocks(k: number, c: number, m: number): Blocks {
  return {
    k,
    channelsIn: c,
    channelsOut: c * m,
    blocks: Array.from({ length: c }, (_, ch) => ({
      inputs: [ch],
      outputs: Array.from({ length: m }, (_, j) => ch * m + j),
      index: (p: number, q: number, _i: number, j: number) => ((p * k + q) * c + ch) * m + j,
    })),
  };
}

/** TF's grouped Conv2D kernel [k, k, g/G, h]: output channel o of group o div (h/G) reads that group's g/G input channels. */
function groupedBlocks(k: number, perGroup: number, h: number, groups: number): Blocks {
  const outPer = h / groups;
  return {
    k,
    channelsIn: perGroup * groups,
    channelsOut: h,
    blocks: Array.from({ length: groups }, (_, grp) => ({
      inputs: Array.from({ length: perGroup }, (_, i) => grp * perGroup + i),
      outputs: Array.from({ length: outPer }, (_, o) => grp * outPer + o),
      index: (p: number, q: number, i: number, o: number) => ((p * k + q) * perGroup + i) * h + grp * outPer + o,
    })),
  };
}

/** The layer's M (rows c Ho Wo + r Wo + s, columns likewise) and Omega, placing each block's M by definition. */
function blockM(data: Float64Array, layout: Blocks, geo: LayerGeometry) {
  const { k } = layout;
  let m: Rows = [];
  const omega = new Map<number, Array<[number, number]>>();
  let outH = 0,
    outW = 0;
  for (const block of layout.blocks) {
    const g = block.inputs.length,
      h = block.outputs.length;
    // The block's own HWIO kernel, gathered entry by entry from the layer's.
    const own = new Float64Array(k * k * g * h);
    const toLayer = new Map<number, number>();
    for (let p = 0; p < k; p++)
      for (let q = 0; q < k; q++)
        for (let i = 0; i < g; i++)
          for (let o = 0; o < h; o++) {
            const local = ((p * k + q) * g + i) * h + o;
            own[local] = data[block.index(p, q, i, o)];
            toLayer.set(local, block.index(p, q, i, o));
          }
    const part = bruteForceLayerM(own, k, g, h, geo);
    if (m.length === 0) {
      [outH, outW] = [part.outH, part.outW];
      m = Array.from({ length: layout.channelsOut * outH * outW }, () => new Array<number>(layout.channelsIn * geo.height * geo.width).fill(0));
    }
    const [outPixels, inPixels] = [outH * outW, geo.height * geo.width];
    const row = (r: number) => block.outputs[Math.floor(r / outPixels)] * outPixels + (r % outPixels);
    const col = (c: number) => block.inputs[Math.floor(c / inPixels)] * inPixels + (c % inPixels);
    part.m.forEach((cells, r) => {
      cells.forEach((v, c) => {
        m[row(r)][col(c)] += v;
      });
    });
    for (const [local, positions] of part.omega) {
      const e = toLayer.get(local)!;
      if (!omega.has(e)) omega.set(e, []);
      for (const [r, c] of positions) omega.get(e)!.push([row(r), col(c)]);
    }
  }
  return { m, omega, outH, outW };
}

/** F and dF/dK (Theorem 3.1) of the layer's whole M. */
function frobeniusOf(data: Float64Array, layout: Blocks, geo: LayerGeometry, alpha: number) {
  const { m, omega } = blockM(data, layout, geo);
  return { penalty: bruteForcePenalty(m, alpha), gradient: bruteForceGradient(m, omega, data.length, alpha) };
}

const geometry = (height: number, width: number, stride: number, padding: "zero" | "valid", dilation: number): LayerGeometry => ({ height, width, stride, dilation, padding });

type Case = { why: string; shape: [number, number, number, number]; depthwise?: true; groups?: number; geo: LayerGeometry; seed: number };
const cases: Case[] = [
  { why: "depthwise C = 3, m = 1, 6 x 6", shape: [3, 3, 3, 1], depthwise: true, geo: geometry(6, 6, 1, "zero", 1), seed: 21 },
  { why: "depthwise C = 2, m = 2, stride 2, 7 x 6", shape: [3, 3, 2, 2], depthwise: true, geo: geometry(7, 6, 2, "zero", 1), seed: 22 },
  { why: "depthwise C = 2, m = 1, valid, dilation 2, 8 x 7", shape: [3, 3, 2, 1], depthwise: true, geo: geometry(8, 7, 1, "valid", 2), seed: 23 },
  { why: "depthwise 5 x 5 kernel, C = 2, m = 1, stride 3, 7 x 7", shape: [5, 5, 2, 1], depthwise: true, geo: geometry(7, 7, 3, "zero", 1), seed: 24 },
  { why: "grouped G = 2, [3, 3, 2, 4], 5 x 5", shape: [3, 3, 2, 4], groups: 2, geo: geometry(5, 5, 1, "zero", 1), seed: 25 },
  { why: "grouped G = 3, [2, 2, 1, 6], stride 2, valid, 7 x 6", shape: [2, 2, 1, 6], groups: 3, geo: geometry(7, 6, 2, "valid", 1), seed: 26 },
];
const layoutOf = ({ shape: [k, , g, h], depthwise, groups }: Case) => (depthwise ? depthwiseBlocks(k, g, h) : groupedBlocks(k, g, h, groups!));

describe("frobeniusRegularizer on depthwise and grouped kernels", () => {
  it.each(cases)("$why: apply and tf.grad equal weight * F and weight * dF/dK of the layer's M", (c) => {
    const [alpha, weight] = [0.8, 0.4];
    const data = float32Data(
      c.shape.reduce((a, b) => a * b),
      c.seed,
    );
    const ref = frobeniusOf(data, layoutOf(c), c.geo, alpha);
    const { height: n, width, stride, dilation, padding } = c.geo;
    const regularizer = frobeniusRegularizer({ n, width, stride, dilation, padding, alpha, weight, depthwise: c.depthwise, groups: c.groups });
    const kernel = tf.tensor4d(Float32Array.from(data), c.shape);
    expect(Math.abs(regularizer.apply(kernel).dataSync()[0] - weight * ref.penalty) / (weight * ref.penalty)).toBeLessThan(1e-5);
    const grad = tf.grad((x: tf.Tensor) => regularizer.apply(x))(kernel);
    expect(grad.shape).toEqual(c.shape);
    expect(
      relativeError(
        grad.dataSync(),
        ref.gradient.map((v) => weight * v),
      ),
    ).toBeLessThan(1e-5);
  });

  it.each(cases.filter((c) => c.depthwise))("$why: the reference M is the operator tf.depthwiseConv2d computes", (c) => {
    const data = float32Data(
      c.shape.reduce((a, b) => a * b),
      c.seed,
    );
    const [, , channels, multiplier] = c.shape;
    const { m, outH, outW } = blockM(data, layoutOf(c), c.geo);
    const { height, width } = c.geo;
    const x = Array.from(randomData(1, 1, channels * height * width, c.seed + 1));
    // Channel-major (M's numbering) to NHWC and back.
    const input = tf.tensor4d(
      Float32Array.from({ length: x.length }, (_, t) => x[(t % channels) * height * width + Math.floor(t / channels)]),
      [1, height, width, channels],
    );
    const y = tf.depthwiseConv2d(input, tf.tensor4d(Float32Array.from(data), c.shape), c.geo.stride, c.geo.padding === "zero" ? "same" : "valid", "NHWC", c.geo.dilation);
    const outChannels = channels * multiplier;
    expect(y.shape).toEqual([1, outH, outW, outChannels]);
    const nhwc = y.dataSync();
    const actual = Array.from({ length: nhwc.length }, (_, i) => nhwc[(i % (outH * outW)) * outChannels + Math.floor(i / (outH * outW))]);
    expect(
      relativeError(
        actual,
        multiply(
          m,
          x.map((v) => [v]),
        ).map((r) => r[0]),
      ),
    ).toBeLessThan(1e-5);
  });
});

describe("twoNormRegularizer on depthwise and grouped kernels", () => {
  it.each([
    { why: "depthwise C = 3, m = 2", shape: [3, 3, 3, 2] as Case["shape"], depthwise: true as const, seed: 31 },
    { why: "grouped G = 2, [3, 3, 2, 2]", shape: [3, 3, 2, 2] as Case["shape"], groups: 2, seed: 32 },
  ])("$why: converges over warm-started calls to weight * ||M^T M - alpha I||_2 of the whole M, and its gradient", (c) => {
    const [n, alpha, weight] = [4, 1, 0.5];
    const data = float32Data(
      c.shape.reduce((a, b) => a * b),
      c.seed,
    );
    const { m, omega } = blockM(data, layoutOf({ ...c, why: "", geo: geometry(n, n, 1, "zero", 1) }), geometry(n, n, 1, "zero", 1));
    // Inputs side (each block has at most as many inputs as outputs): B = M^T M - alpha I, by Jacobi.
    const b = multiply(transpose(m), m);
    b.forEach((row, i) => (row[i] -= alpha));
    const top = jacobiEigenpairs(b).reduce((best, e) => (Math.abs(e.value) > Math.abs(best.value) ? e : best));
    const mv = m.map((row) => row.reduce((s, x, j) => s + x * top.vector[j], 0));
    const gradient = new Float64Array(data.length);
    for (const [e, positions] of omega) for (const [i, j] of positions) gradient[e] += 2 * Math.sign(top.value) * mv[i] * top.vector[j];
    const regularizer = twoNormRegularizer({ n, alpha, weight, powerSteps: 100, depthwise: c.depthwise, groups: c.groups });
    const kernel = tf.tensor4d(Float32Array.from(data), c.shape);
    for (let i = 0; i < 10; i++) regularizer.apply(kernel).dispose();
    expect(Math.abs(regularizer.apply(kernel).dataSync()[0] - weight * Math.abs(top.value)) / (weight * Math.abs(top.value))).toBeLessThan(1e-5);
    const grad = tf.grad((x: tf.Tensor) => regularizer.apply(x))(kernel);
    expect(
      relativeError(
        grad.dataSync(),
        gradient.map((v) => weight * v),
      ),
    ).toBeLessThan(1e-4);
  });
});

describe("bad depthwise and grouped options", () => {
  const refuse = (make: () => unknown, code: string, pattern: RegExp) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(pattern);
  };

  it("names the option and its constraint, when the regularizer is made or, for a kernel that does not fit, at its first call", () => {
    for (const make of [frobeniusRegularizer, twoNormRegularizer] as Array<(o: object) => unknown>) {
      refuse(() => make({ n: 8, weight: 1, depthwise: "yes" }), "ERR_ARGUMENT", /options\.depthwise must be a boolean, got "yes"/);
      refuse(() => make({ n: 8, weight: 1, groups: 0 }), "ERR_RANGE", /options\.groups must be an integer between 1 and/);
      refuse(() => make({ n: 8, weight: 1, groups: 1.5 }), "ERR_RANGE", /options\.groups must be an integer between 1 and/);
      refuse(() => make({ n: 8, weight: 1, groups: "2" }), "ERR_ARGUMENT", /options\.groups must be a number/);
      refuse(() => make({ n: 8, weight: 1, groups: 2, depthwise: true }), "ERR_ARGUMENT", /options\.groups and options\.depthwise exclude each other/);
    }
    refuse(
      () => frobeniusRegularizer({ n: 6, weight: 1, groups: 3 }).apply(tf.zeros([3, 3, 2, 4])),
      "ERR_ARGUMENT",
      /options\.groups must divide the kernel's output channels \(shape\[3\] = 4\), got 3/,
    );
    refuse(() => twoNormRegularizer({ n: 6, weight: 1, groups: 3 }).apply(tf.zeros([3, 3, 2, 4])), "ERR_ARGUMENT", /options\.groups must divide the kernel's output channels/);
  });
});

/** Checks K_before - K_after = expected step to float32 rounding. */
function expectMovedBy(before: Float64Array, after: ArrayLike<number>, step: Float64Array): void {
  const scale = Math.max(...before.map(Math.abs));
  for (let j = 0; j < before.length; j++) expect(Math.abs(before[j] - after[j] - step[j])).toBeLessThanOrEqual(4 * 2 ** -24 * scale + 1e-6 * Math.abs(step[j]));
}

const geometryOf = ({ layer, className, kernel, n, width, stride, dilation, padding, transposed, depthwise }: AttachedLayer) => ({
  layer,
  className,
  kernel,
  n,
  width,
  stride,
  dilation,
  padding,
  transposed,
  depthwise,
});

/** A DepthwiseConv2D (6 x 6 x 2, multiplier 2) then a SeparableConv2D (stride 2, to 3 x 3 x 3), no biases. */
function depthwiseModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.depthwiseConv2d({ name: "dw", inputShape: [6, 6, 2], kernelSize: 3, depthMultiplier: 2, padding: "same", useBias: false }),
      tf.layers.separableConv2d({ name: "sep", filters: 3, kernelSize: 3, strides: 2, padding: "same", useBias: false }),
    ],
  });
}

describe("regularizeModel on DepthwiseConv2D and SeparableConv2D", () => {
  const [alpha, weight, lr] = [1, 0.05, 0.05];

  it("attaches each kernel with its own geometry, and one fit step with zero data loss moves each by -lr * weight * dF/dK", async () => {
    const model = depthwiseModel();
    const { attached, skipped } = regularizeModel(model, { alpha, weight });
    expect(skipped).toEqual([]);
    const plain = { transposed: false, dilation: 1 };
    expect(attached.map(geometryOf)).toEqual([
      { layer: "dw", className: "DepthwiseConv2D", kernel: "depthwise_kernel", n: 6, width: 6, stride: 1, padding: "zero", depthwise: true, ...plain },
      { layer: "sep", className: "SeparableConv2D", kernel: "depthwise_kernel", n: 6, width: 6, stride: 2, padding: "zero", depthwise: true, ...plain },
      // The pointwise 1x1 kernel acts on the depthwise half's 3 x 3 output.
      { layer: "sep", className: "SeparableConv2D", kernel: "pointwise_kernel", n: 3, width: 3, stride: 1, padding: "zero", depthwise: false, ...plain },
    ]);
    // Kernels [3, 3, 2, 2], [3, 3, 4, 1] and [1, 1, 4, 3], in this order in the model's weights.
    const shapes = model.getWeights().map((w) => w.shape as [number, number, number, number]);
    expect(shapes).toEqual([
      [3, 3, 2, 2],
      [3, 3, 4, 1],
      [1, 1, 4, 3],
    ]);
    const data = shapes.map((s, i) =>
      float32Data(
        s.reduce((a, b) => a * b),
        1000 + i,
      ),
    );
    model.setWeights(data.map((d, i) => tf.tensor4d(Float32Array.from(d), shapes[i])));
    const layouts = [depthwiseBlocks(3, 2, 2), depthwiseBlocks(3, 4, 1), groupedBlocks(1, 4, 3, 1)];
    const geos = [geometry(6, 6, 1, "zero", 1), geometry(6, 6, 2, "zero", 1), geometry(3, 3, 1, "zero", 1)];
    const steps = data.map((d, i) => frobeniusOf(d, layouts[i], geos[i], alpha).gradient.map((v) => lr * weight * v));
    // The steps are large enough that float32 rounding of K does not hide them.
    for (const step of steps) expect(Math.max(...step.map(Math.abs))).toBeGreaterThan(1e-3);
    model.compile({ optimizer: tf.train.sgd(lr), loss: (_yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mul(tf.sum(yPred), 0) });
    await model.fit(tf.randomNormal([1, 6, 6, 2]), tf.zeros([1, 3, 3, 3]), { epochs: 1, batchSize: 1, verbose: 0 });
    model.getWeights().forEach((w, i) => expectMovedBy(data[i], w.dataSync(), steps[i]));
  });

  it("addPenaltyGradients adds each attached kernel's weight * dF/dK to tf.variableGrads' gradients (custom loops)", () => {
    const model = depthwiseModel();
    const { attached } = regularizeModel(model, { alpha, weight });
    const shapes = model.getWeights().map((w) => w.shape as [number, number, number, number]);
    const data = shapes.map((s, i) =>
      float32Data(
        s.reduce((a, b) => a * b),
        1200 + i,
      ),
    );
    model.setWeights(data.map((d, i) => tf.tensor4d(Float32Array.from(d), shapes[i])));
    const x = tf.randomNormal([1, 6, 6, 2]);
    const { grads } = tf.variableGrads(() => tf.sum(model.apply(x) as tf.Tensor) as tf.Scalar);
    const names = attached.map((a) => (a.variable.read() as tf.Variable).name);
    const dataGradients = names.map((name) => grads[name].dataSync().slice());
    const total = addPenaltyGradients(grads, attached);
    const refs = [
      frobeniusOf(data[0], depthwiseBlocks(3, 2, 2), geometry(6, 6, 1, "zero", 1), alpha),
      frobeniusOf(data[1], depthwiseBlocks(3, 4, 1), geometry(6, 6, 2, "zero", 1), alpha),
      frobeniusOf(data[2], groupedBlocks(1, 4, 3, 1), geometry(3, 3, 1, "zero", 1), alpha),
    ];
    const expectedTotal = weight * refs.reduce((sum, r) => sum + r.penalty, 0);
    expect(Math.abs(total - expectedTotal) / expectedTotal).toBeLessThan(1e-6);
    names.forEach((name, i) =>
      expect(
        relativeError(
          grads[name].dataSync().map((v, j) => v - dataGradients[i][j]),
          refs[i].gradient.map((v) => weight * v),
        ),
      ).toBeLessThan(1e-5),
    );
  });

  it("skips what tfjs-layers itself computes ambiguously, and kernels already regularized, with the reason", () => {
    const model = tf.sequential({
      layers: [
        // tfjs-layers' DepthwiseConv2D.call ignores dilationRate.
        tf.layers.depthwiseConv2d({ name: "dilated", inputShape: [8, 8, 2], kernelSize: 3, dilationRate: 2, padding: "same" }),
        tf.layers.separableConv2d({ name: "sep", filters: 2, kernelSize: 3, padding: "valid", pointwiseRegularizer: tf.regularizers.l2() }),
        tf.layers.separableConv2d({ name: "sep-dilated", filters: 2, kernelSize: 3, dilationRate: 2, padding: "same" }),
      ],
    });
    const { attached, skipped } = regularizeModel(model, { weight: 1 });
    expect(skipped).toEqual([
      { layer: "dilated", className: "DepthwiseConv2D", reason: expect.stringMatching(/dilation 2x2 on a DepthwiseConv2D: tfjs-layers ignores it/) },
      { layer: "sep", className: "SeparableConv2D", reason: "the pointwise kernel: the layer already has a pointwiseRegularizer" },
    ]);
    expect(attached.map((a) => [a.layer, a.kernel, a.n, a.width, a.stride, a.dilation, a.padding, a.depthwise])).toEqual([
      ["sep", "depthwise_kernel", 8, 8, 1, 1, "valid", true],
      ["sep-dilated", "depthwise_kernel", 6, 6, 1, 2, "zero", true],
      ["sep-dilated", "pointwise_kernel", 6, 6, 1, 1, "zero", false],
    ]);
  });

  it('penalty "two-norm" takes stride-1 "same" depthwise and pointwise kernels and skips the strided one', () => {
    const { attached, skipped } = regularizeModel(depthwiseModel(), { weight: 1, penalty: "two-norm" });
    expect(attached.map((a) => [a.layer, a.kernel, a.regularizer.getClassName(), (a.regularizer.getConfig() as { depthwise: boolean }).depthwise])).toEqual([
      ["dw", "depthwise_kernel", "ConvregTwoNorm", true],
      ["sep", "pointwise_kernel", "ConvregTwoNorm", false],
    ]);
    expect(skipped).toEqual([{ layer: "sep", className: "SeparableConv2D", reason: expect.stringMatching(/^the depthwise kernel: the 2-norm penalty supports only stride 1/) }]);
  });
});

describe("serialization of depthwise and separable regularizers", () => {
  it("a model with a depthwiseRegularizer and a regularized SeparableConv2D saves and loads with its regularizers computing", async () => {
    const [alpha, weight] = [0.9, 0.2];
    const model = tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({
          name: "dw",
          inputShape: [5, 5, 2],
          kernelSize: 3,
          padding: "same",
          useBias: false,
          depthwiseRegularizer: frobeniusRegularizer({ n: 5, alpha, weight, depthwise: true }),
        }),
        tf.layers.separableConv2d({ name: "sep", filters: 2, kernelSize: 3, padding: "valid", useBias: false }),
      ],
    });
    regularizeModel(model, { alpha, weight });
    const shapes = model.getWeights().map((w) => w.shape as [number, number, number, number]);
    const data = shapes.map((s, i) =>
      float32Data(
        s.reduce((a, b) => a * b),
        1100 + i,
      ),
    );
    model.setWeights(data.map((d, i) => tf.tensor4d(Float32Array.from(d), shapes[i])));
    const topology = JSON.parse(model.toJSON() as string);
    const [dw, sep] = topology.config.layers.map((l: { config: Record<string, unknown> }) => l.config);
    expect(dw.depthwise_regularizer).toMatchObject({ class_name: "ConvregFrobenius", config: { n: 5, width: 5, depthwise: true, groups: 1, alpha, weight } });
    // TF.js 4.22 writes the regularizer here too (see lib/tfjs/training/depthwise-config.ts).
    expect(dw.depthwise_constraint).toBeNull();
    expect(sep.depthwise_regularizer).toMatchObject({ class_name: "ConvregFrobenius", config: { n: 5, padding: "valid", depthwise: true } });
    expect(sep.pointwise_regularizer).toMatchObject({ class_name: "ConvregFrobenius", config: { n: 3, width: 3, depthwise: false } });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const losses = loaded.layers.flatMap((l) => l.calculateLosses().map((t) => t.dataSync()[0]));
    const expected = [
      frobeniusOf(data[0], depthwiseBlocks(3, 2, 1), geometry(5, 5, 1, "zero", 1), alpha),
      frobeniusOf(data[1], depthwiseBlocks(3, 2, 1), geometry(5, 5, 1, "valid", 1), alpha),
      frobeniusOf(data[2], groupedBlocks(1, 2, 2, 1), geometry(3, 3, 1, "zero", 1), alpha),
    ].map((r) => weight * r.penalty);
    expect(losses).toHaveLength(3);
    losses.forEach((v, i) => expect(Math.abs(v - expected[i]) / expected[i]).toBeLessThan(1e-5));
  });
});
