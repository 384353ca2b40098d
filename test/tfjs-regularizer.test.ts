/**
 * convreg/tfjs: the regularizers inside TF.js training, against references built here from the
 * definition of M (test/reference.ts), never from convreg's engines.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { addPenaltyGradients, frobeniusRegularizer, regularizeModel, twoNormRegularizer, type AttachedLayer } from "../lib/tfjs/training/index.js";
import { bruteForceLayerM, bruteForceM, bruteForcePenalty, jacobiEigenpairs, multiply, randomData, transpose, type LayerGeometry } from "./reference.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Kernel data rounded to float32, as TF.js holds it. */
function float32Kernel(k: number, g: number, h: number, seed: number, scale = 0.4): Float64Array {
  return randomData(k, g, h, seed).map((v) => Math.fround(v * scale));
}

/** F and dF/dK by Theorem 3.1: dF/dK_e = sum over (i, j) in Omega_e of 4 [M (M^T M - alpha I)]_ij. */
function frobeniusReference(data: Float64Array, k: number, g: number, h: number, n: number, alpha: number): { penalty: number; gradient: Float64Array } {
  const { m, omega } = bruteForceM(data, k, g, h, n);
  const gram = multiply(transpose(m), m);
  gram.forEach((row, i) => (row[i] -= alpha));
  const dm = multiply(m, gram);
  const gradient = new Float64Array(data.length);
  for (const [e, positions] of omega) for (const [i, j] of positions) gradient[e] += 4 * dm[i][j];
  return { penalty: bruteForcePenalty(m, alpha), gradient };
}

/** ||M^T M - alpha I||_2 (inputs side, g <= h) and its gradient 2 sign(lambda) sum_Omega (M v v^T)_ij at the top eigenvector. */
function twoNormReference(data: Float64Array, k: number, g: number, h: number, n: number, alpha: number): { penalty: number; gradient: Float64Array } {
  const { m, omega } = bruteForceM(data, k, g, h, n);
  const b = multiply(transpose(m), m);
  b.forEach((row, i) => (row[i] -= alpha));
  const top = jacobiEigenpairs(b).reduce((best, e) => (Math.abs(e.value) > Math.abs(best.value) ? e : best));
  const mv = m.map((row) => row.reduce((s, x, j) => s + x * top.vector[j], 0));
  const gradient = new Float64Array(data.length);
  for (const [e, positions] of omega) for (const [i, j] of positions) gradient[e] += 2 * Math.sign(top.value) * mv[i] * top.vector[j];
  return { penalty: Math.abs(top.value), gradient };
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

const cases = [
  { k: 3, g: 2, h: 3, n: 5, alpha: 1, weight: 0.25, seed: 101 },
  { k: 3, g: 3, h: 2, n: 4, alpha: 0.7, weight: 1.5, seed: 202 },
  { k: 2, g: 2, h: 2, n: 6, alpha: 2, weight: 0.01, seed: 303 },
];

describe("frobeniusRegularizer", () => {
  it.each(cases)("apply and tf.grad equal weight * F and weight * dF/dK ($k x $k x $g x $h, N = $n)", ({ k, g, h, n, alpha, weight, seed }) => {
    const data = float32Kernel(k, g, h, seed);
    const ref = frobeniusReference(data, k, g, h, n, alpha);
    const regularizer = frobeniusRegularizer({ n, alpha, weight });
    const kernel = tf.tensor4d(Float32Array.from(data), [k, k, g, h]);
    const value = regularizer.apply(kernel);
    expect(value.shape).toEqual([]);
    expect(value.dtype).toBe("float32");
    expect(Math.abs(value.dataSync()[0] - weight * ref.penalty) / (weight * ref.penalty)).toBeLessThan(1e-5);
    const grad = tf.grad((x: tf.Tensor) => regularizer.apply(x))(kernel);
    expect(grad.shape).toEqual([k, k, g, h]);
    expect(
      relativeError(
        grad.dataSync(),
        ref.gradient.map((v) => weight * v),
      ),
    ).toBeLessThan(1e-5);
  });

  it("is a tfjs-layers Regularizer whose config round-trips through tf.serialization", () => {
    const regularizer = frobeniusRegularizer({ n: 7, alpha: 0.5, weight: 0.1, padding: "circular" });
    const base = Object.getPrototypeOf(tf.regularizers.l1l2().constructor);
    expect(regularizer).toBeInstanceOf(base);
    expect(regularizer.getClassName()).toBe("ConvregFrobenius");
    expect(regularizer.getConfig()).toEqual({
      n: 7,
      width: 7,
      alpha: 0.5,
      weight: 0.1,
      padding: "circular",
      stride: 1,
      dilation: 1,
      transposed: false,
      engine: "auto",
      groups: 1,
      depthwise: false,
    });
  });

  it("refuses what the engines cannot represent, naming the option", () => {
    const refuse = (options: object, pattern: RegExp) => {
      let error: unknown;
      try {
        frobeniusRegularizer(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_/) });
      expect((error as Error).message).toMatch(pattern);
    };
    refuse({ n: 8, weight: 1, stride: 0 }, /options\.stride must be an integer between 1/);
    refuse({ n: 8, weight: 1, dilation: 1.5 }, /options\.dilation must be an integer between 1/);
    refuse({ n: 8, weight: 1, transposed: "yes" }, /options\.transposed must be a boolean/);
    refuse({ n: 8, weight: -1 }, /options\.weight must be a finite number >= 0/);
    refuse({ n: 0, weight: 1 }, /options\.n must be an integer between 1/);
    refuse({ n: 8, weight: 1, padding: "same" }, /options\.padding must be one of "zero", "valid", "circular"/);
    refuse({ n: 8, weight: 1, padding: "circular", stride: 2 }, /"circular" supports only stride 1, dilation 1 and width = n/);
    refuse({ n: 8, width: 9, weight: 1, padding: "circular" }, /"circular" supports only stride 1, dilation 1 and width = n/);
    refuse({ n: 8, weight: 1, padding: "valid", engine: "dense" }, /options\.engine "dense" supports only the paper's layer/);
    refuse({ weight: 1 }, /options\.n must be a number/);
    // The 2-norm penalty builds only the paper's M: it keeps refusing the other layers.
    expect(() => twoNormRegularizer({ n: 8, weight: 1, padding: "circular" as never })).toThrow(/options\.padding must be one of "zero"/);
    expect(() => twoNormRegularizer({ n: 8, weight: 1, stride: 2 })).toThrow(/options\.stride must be 1: the 2-norm penalty supports stride 1 only/);
    expect(() => twoNormRegularizer({ n: 8, width: 9, weight: 1 })).toThrow(/options\.width \(9\) differs from options\.n \(8\): the 2-norm penalty supports square inputs only/);
    expect(() => twoNormRegularizer({ n: 8, weight: 1, dilation: 2 } as never)).toThrow(/options\.dilation is not supported by the 2-norm penalty/);
    expect(() => frobeniusRegularizer({ n: 8, width: 8, weight: 1 })).not.toThrow();
    // A "valid" layer smaller than its effective kernel is refused by the engine at the first call, naming the option.
    expect(() => frobeniusRegularizer({ n: 4, weight: 1, padding: "valid", dilation: 2 }).apply(tf.zeros([3, 3, 1, 1]))).toThrow(
      /options\.n must be at least the effective kernel size/,
    );
  });

  it("refuses a kernel that is not 4-D with a shape error", () => {
    const regularizer = frobeniusRegularizer({ n: 4, weight: 1 });
    expect(() => regularizer.apply(tf.zeros([3, 3, 2]))).toThrow(expect.objectContaining({ code: "ERR_SHAPE" }));
  });
});

describe("twoNormRegularizer", () => {
  it("converges, over warm-started calls, to weight * ||M^T M - alpha I||_2 and its gradient", () => {
    const [k, g, h, n, alpha, weight] = [3, 2, 3, 4, 1, 0.5];
    const data = float32Kernel(k, g, h, 404);
    const ref = twoNormReference(data, k, g, h, n, alpha);
    const regularizer = twoNormRegularizer({ n, alpha, weight, powerSteps: 100 });
    const kernel = tf.tensor4d(Float32Array.from(data), [k, k, g, h]);
    for (let i = 0; i < 10; i++) regularizer.apply(kernel).dispose();
    expect(Math.abs(regularizer.apply(kernel).dataSync()[0] - weight * ref.penalty) / (weight * ref.penalty)).toBeLessThan(1e-5);
    const grad = tf.grad((x: tf.Tensor) => regularizer.apply(x))(kernel);
    expect(
      relativeError(
        grad.dataSync(),
        ref.gradient.map((v) => weight * v),
      ),
    ).toBeLessThan(1e-4);
  });
});

/** A one-conv model whose data loss is identically zero, so fit() sees only the regularizer. */
function zeroLossModel(options: { n: number; g: number; h: number; kernel: Float64Array; regularizer?: tf.serialization.Serializable; lr: number }): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      name: "conv",
      inputShape: [options.n, options.n, options.g],
      filters: options.h,
      kernelSize: 3,
      padding: "same",
      useBias: false,
      kernelRegularizer: options.regularizer as never,
    }),
  );
  model.compile({ optimizer: tf.train.sgd(options.lr), loss: (_yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mul(tf.sum(yPred), 0) });
  model.layers[0].setWeights([tf.tensor4d(Float32Array.from(options.kernel), [3, 3, options.g, options.h])]);
  return model;
}

/** Runs one fit() step and checks K_before - K_after = lr * weight * dF/dK to float32 rounding. */
async function expectOneSgdStep(model: tf.Sequential, before: Float64Array, expectedGradient: Float64Array, lr: number): Promise<void> {
  const [n, g] = [model.inputs[0].shape[1]!, model.inputs[0].shape[3]!];
  const h = model.outputs[0].shape[3]!;
  await model.fit(tf.randomNormal([1, n, n, g]), tf.zeros([1, n, n, h]), { epochs: 1, batchSize: 1, verbose: 0 });
  const after = model.layers[0].getWeights()[0].dataSync();
  let scale = 0;
  for (const v of before) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < before.length; i++) {
    const step = before[i] - after[i];
    const expected = lr * expectedGradient[i];
    // K and K - step are float32: the difference is exact to a few ulps of |K|.
    expect(Math.abs(step - expected)).toBeLessThanOrEqual(4 * 2 ** -24 * scale + 1e-6 * Math.abs(expected));
  }
}

describe("training with model.fit", () => {
  const [n, g, h, alpha, weight, lr] = [5, 2, 3, 1, 0.02, 0.05];
  const kernel = float32Kernel(3, g, h, 505);
  const ref = frobeniusReference(kernel, 3, g, h, n, alpha);
  const expectedGradient = ref.gradient.map((v) => weight * v);

  it("one SGD step with the data loss off moves the kernel by exactly -lr * weight * dF/dK (kernelRegularizer)", async () => {
    const model = zeroLossModel({ n, g, h, kernel, regularizer: frobeniusRegularizer({ n, alpha, weight }), lr });
    // The step is large enough that float32 rounding of K does not hide it.
    expect(Math.max(...expectedGradient.map((v) => Math.abs(lr * v)))).toBeGreaterThan(1e-3);
    await expectOneSgdStep(model, kernel, expectedGradient, lr);
  });

  it("regularizeModel attaches to a built model, reads N from it, and fit() includes the penalty", async () => {
    const model = zeroLossModel({ n, g, h, kernel, lr });
    const result = regularizeModel(model, { alpha, weight });
    expect(result.attached.map((a) => [a.layer, a.n])).toEqual([["conv", n]]);
    expect(result.skipped).toEqual([]);
    await expectOneSgdStep(model, kernel, expectedGradient, lr);
  });

  it("regularizeModel skips the conv layers the engines cannot represent, with the reason (depthwise and separable are taken)", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ name: "same", inputShape: [8, 8, 2], filters: 2, kernelSize: 3, padding: "same" }),
        tf.layers.conv2d({ name: "strided", filters: 2, kernelSize: 3, strides: 2, padding: "same" }),
        tf.layers.conv2d({ name: "valid", filters: 2, kernelSize: 3, padding: "valid" }),
        tf.layers.depthwiseConv2d({ name: "depthwise", kernelSize: 3, padding: "same" }),
        tf.layers.separableConv2d({ name: "separable", filters: 2, kernelSize: 3, padding: "same" }),
        tf.layers.conv2d({ name: "wide", filters: 2, kernelSize: [1, 3], padding: "same" }),
        tf.layers.conv2d({ name: "late", filters: 3, kernelSize: 3, padding: "same" }),
        tf.layers.conv2d({ name: "anisotropic", filters: 2, kernelSize: 3, strides: [1, 2], padding: "same" }),
      ],
    });
    // The 2-norm penalty takes only the paper's layer; the others are skipped for it, with why.
    const twoNorm = regularizeModel(model, { weight: 1, penalty: "two-norm", layers: ["same", "strided", "valid"] });
    expect(twoNorm.attached.map((a) => a.layer)).toEqual(["same"]);
    expect(twoNorm.skipped.map((s) => [s.layer, s.reason])).toEqual([
      ["strided", expect.stringMatching(/2-norm penalty supports only stride 1/)],
      ["valid", expect.stringMatching(/2-norm penalty supports only stride 1, dilation 1, "same" padding/)],
    ]);
    const result = regularizeModel(model, { weight: 1, layers: (layer) => layer.name !== "same" });
    expect(result.attached.map((a) => [a.layer, a.n, a.width, a.stride, a.padding])).toEqual([
      ["strided", 8, 8, 2, "zero"],
      ["valid", 4, 4, 1, "valid"],
      ["depthwise", 2, 2, 1, "zero"],
      // A SeparableConv2D's depthwise and pointwise kernels.
      ["separable", 2, 2, 1, "zero"],
      ["separable", 2, 2, 1, "zero"],
      ["late", 2, 2, 1, "zero"],
    ]);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.layer, s.reason]));
    expect(Object.keys(reasons)).toEqual(["wide", "anisotropic"]);
    expect(reasons.wide).toMatch(/non-square kernel 1x3/);
    expect(reasons.anisotropic).toMatch(/strides 1x2: the engines take the same stride on both axes/);
    // A layer already regularized is not regularized twice.
    expect(regularizeModel(model, { weight: 1, layers: ["late"] }).skipped).toEqual([{ layer: "late", className: "Conv2D", reason: "the layer already has a kernelRegularizer" }]);
  });
});

/** F and dF/dK of the layer's own M (the forward M, or M^T for a transposed layer) by definition and Theorem 3.1. */
function layerReference(data: Float64Array, k: number, g: number, h: number, geo: LayerGeometry, alpha: number, transposed: boolean) {
  const forward = bruteForceLayerM(data, k, g, h, geo);
  const m = transposed ? transpose(forward.m) : forward.m;
  const gram = multiply(transpose(m), m);
  gram.forEach((row, i) => (row[i] -= alpha));
  const dm = multiply(m, gram);
  const gradient = new Float64Array(data.length);
  for (const [e, positions] of forward.omega) for (const [i, j] of positions) gradient[e] += 4 * (transposed ? dm[j][i] : dm[i][j]);
  return { penalty: bruteForcePenalty(m, alpha), gradient, m, outH: forward.outH, outW: forward.outW };
}

type LayerCase = { why: string; k: number; g: number; h: number; geo: LayerGeometry; transposed: boolean; seed: number };
const layer = (height: number, width: number, stride: number, padding: "zero" | "valid", dilation: number) => ({ height, width, stride, dilation, padding });
const layerCases: LayerCase[] = [
  { why: "stride 2", k: 3, g: 2, h: 3, geo: layer(7, 7, 2, "zero", 1), transposed: false, seed: 11 },
  { why: "valid", k: 3, g: 3, h: 2, geo: layer(6, 6, 1, "valid", 1), transposed: false, seed: 12 },
  { why: "dilation 2", k: 3, g: 2, h: 2, geo: layer(7, 7, 1, "zero", 2), transposed: false, seed: 13 },
  { why: "non-square input 5 x 8", k: 3, g: 2, h: 3, geo: layer(5, 8, 1, "zero", 1), transposed: false, seed: 14 },
  { why: "stride 2, valid, 8 x 7", k: 2, g: 3, h: 2, geo: layer(8, 7, 2, "valid", 1), transposed: false, seed: 15 },
  { why: "transposed stride 2 same", k: 3, g: 3, h: 2, geo: layer(8, 6, 2, "zero", 1), transposed: true, seed: 16 },
  { why: "transposed stride 2 valid", k: 3, g: 2, h: 3, geo: layer(7, 9, 2, "valid", 1), transposed: true, seed: 17 },
];

describe("frobeniusRegularizer on strided, valid, dilated, non-square and transposed layers", () => {
  it.each(layerCases)("$why: apply and tf.grad equal weight * F and weight * dF/dK of M by definition", ({ k, g, h, geo, transposed, seed }) => {
    const [alpha, weight] = [0.9, 0.3];
    const data = float32Kernel(k, g, h, seed);
    const ref = layerReference(data, k, g, h, geo, alpha, transposed);
    const { height: n, width, stride, dilation, padding } = geo;
    const regularizer = frobeniusRegularizer({ n, width, stride, dilation, padding, transposed, alpha, weight });
    const kernel = tf.tensor4d(Float32Array.from(data), [k, k, g, h]);
    expect(Math.abs(regularizer.apply(kernel).dataSync()[0] - weight * ref.penalty) / (weight * ref.penalty)).toBeLessThan(1e-5);
    const grad = tf.grad((x: tf.Tensor) => regularizer.apply(x))(kernel);
    expect(
      relativeError(
        grad.dataSync(),
        ref.gradient.map((v) => weight * v),
      ),
    ).toBeLessThan(1e-5);
  });

  it.each(layerCases)(
    "$why: the reference M is the operator TF.js computes (tf.conv2d / tf.conv2dTranspose with the [k, k, out, in] kernel)",
    ({ k, g, h, geo, transposed, seed }) => {
      const data = float32Kernel(k, g, h, seed);
      const { m, outH, outW } = layerReference(data, k, g, h, geo, 1, false);
      const kernel = tf.tensor4d(Float32Array.from(data), [k, k, g, h]);
      const pad = geo.padding === "zero" ? "same" : "valid";
      // Channel-major vectors (M's numbering) from and to NHWC tensors.
      const toNhwc = (v: number[], rows: number, cols: number, channels: number) =>
        tf.tensor4d(
          Float32Array.from({ length: v.length }, (_, t) => v[(t % channels) * rows * cols + Math.floor(t / channels)]),
          [1, rows, cols, channels],
        );
      const fromNhwc = (t: tf.Tensor, rows: number, cols: number, channels: number) => {
        const d = t.dataSync();
        return Array.from({ length: d.length }, (_, i) => d[(i % (rows * cols)) * channels + Math.floor(i / (rows * cols))]);
      };
      const random = Array.from(randomData(1, 1, transposed ? h * outH * outW : g * geo.height * geo.width, seed + 1));
      if (transposed) {
        const y = tf.conv2dTranspose(toNhwc(random, outH, outW, h), kernel, [1, geo.height, geo.width, g], geo.stride, pad);
        const expected = transpose(m).map((row) => row.reduce((sum, x, j) => sum + x * random[j], 0));
        expect(relativeError(fromNhwc(y, geo.height, geo.width, g), expected)).toBeLessThan(1e-5);
      } else {
        const y = tf.conv2d(toNhwc(random, geo.height, geo.width, g), kernel, geo.stride, pad, "NHWC", geo.dilation);
        expect(y.shape).toEqual([1, outH, outW, h]);
        const expected = m.map((row) => row.reduce((sum, x, j) => sum + x * random[j], 0));
        expect(relativeError(fromNhwc(y, outH, outW, h), expected)).toBeLessThan(1e-5);
      }
    },
  );
});

/** Checks K_before - K_after = expected step (lr * weight * dF/dK) to float32 rounding. */
function expectMovedBy(before: Float64Array, after: ArrayLike<number>, step: Float64Array): void {
  const scale = Math.max(...before.map(Math.abs));
  for (let j = 0; j < before.length; j++)
    // K and K - step are float32: the difference is exact to a few ulps of |K|.
    expect(Math.abs(before[j] - after[j] - step[j])).toBeLessThanOrEqual(4 * 2 ** -24 * scale + 1e-6 * Math.abs(step[j]));
}

/** Sets each layer's kernel to a float32 test kernel and returns them with their [k, g, h]. */
function setKernels(model: tf.LayersModel, seed: number): Array<{ data: Float64Array; k: number; g: number; h: number }> {
  return model.layers.map((l, i) => {
    const [k, , g, h] = l.getWeights()[0].shape;
    const data = float32Kernel(k, g, h, seed + i);
    l.setWeights([tf.tensor4d(Float32Array.from(data), [k, k, g, h])]);
    return { data, k, g, h };
  });
}

/** lr * weight * dF/dK of each attached layer, by definition, for its own geometry. */
function expectedSteps(attached: AttachedLayer[], kernels: ReturnType<typeof setKernels>, alpha: number, scale: number): Float64Array[] {
  return attached.map((a, i) => {
    const { data, k, g, h } = kernels[i];
    const geo = { height: a.n, width: a.width, stride: a.stride, dilation: a.dilation, padding: a.padding };
    const step = layerReference(data, k, g, h, geo, alpha, a.transposed).gradient.map((v) => scale * v);
    // The step is large enough that float32 rounding of K does not hide it.
    expect(Math.max(...step.map(Math.abs))).toBeGreaterThan(1e-3);
    return step;
  });
}

const geometryOf = ({ layer, className, n, width, stride, dilation, padding, transposed }: AttachedLayer) => ({
  layer,
  className,
  n,
  width,
  stride,
  dilation,
  padding,
  transposed,
});

describe("regularizeModel on strided, valid, dilated, non-square and transposed layers", () => {
  const [alpha, weight, lr] = [1, 0.05, 0.05];

  it("attaches each layer with its own geometry, and one fit step with zero data loss moves each kernel by -lr * weight * dF/dK", async () => {
    const model = tf.sequential({
      layers: [
        // Non-square 10 x 9 input, stride 2: output 5 x 5.
        tf.layers.conv2d({ name: "strided", inputShape: [10, 9, 2], filters: 3, kernelSize: 3, strides: 2, padding: "same", useBias: false }),
        // 5 x 5 -> 10 x 10: the operator is the forward conv of a 10 x 10 input, transposed.
        tf.layers.conv2dTranspose({ name: "transposed", filters: 3, kernelSize: 3, strides: 2, padding: "same", useBias: false }),
        tf.layers.conv2d({ name: "valid", filters: 2, kernelSize: 3, padding: "valid", useBias: false }),
      ],
    });
    const { attached, skipped } = regularizeModel(model, { alpha, weight });
    expect(skipped).toEqual([]);
    expect(attached.map(geometryOf)).toEqual([
      { layer: "strided", className: "Conv2D", n: 10, width: 9, stride: 2, dilation: 1, padding: "zero", transposed: false },
      { layer: "transposed", className: "Conv2DTranspose", n: 10, width: 10, stride: 2, dilation: 1, padding: "zero", transposed: true },
      { layer: "valid", className: "Conv2D", n: 10, width: 10, stride: 1, dilation: 1, padding: "valid", transposed: false },
    ]);
    const kernels = setKernels(model, 900);
    const steps = expectedSteps(attached, kernels, alpha, lr * weight);
    model.compile({ optimizer: tf.train.sgd(lr), loss: (_yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mul(tf.sum(yPred), 0) });
    await model.fit(tf.randomNormal([1, 10, 9, 2]), tf.zeros([1, 8, 8, 2]), { epochs: 1, batchSize: 1, verbose: 0 });
    model.layers.forEach((l, i) => expectMovedBy(kernels[i].data, l.getWeights()[0].dataSync(), steps[i]));
  });

  // TF.js 4.22 has no gradient for conv2d with dilation > 1, so model.fit cannot train a dilated
  // layer at all; its attached loss (the layer's losses) is minimized directly, as a custom loop would.
  it("a dilated layer: attached with its dilation, and one SGD step on the layers' losses moves the kernel by -lr * weight * dF/dK", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ name: "dilated", inputShape: [7, 6, 2], filters: 3, kernelSize: 3, dilationRate: 2, padding: "same", useBias: false }),
        tf.layers.conv2d({ name: "dilated-valid", filters: 2, kernelSize: 2, dilationRate: 3, padding: "valid", useBias: false }),
      ],
    });
    const { attached, skipped } = regularizeModel(model, { alpha, weight });
    expect(skipped).toEqual([]);
    expect(attached.map(geometryOf)).toEqual([
      { layer: "dilated", className: "Conv2D", n: 7, width: 6, stride: 1, dilation: 2, padding: "zero", transposed: false },
      { layer: "dilated-valid", className: "Conv2D", n: 7, width: 6, stride: 1, dilation: 3, padding: "valid", transposed: false },
    ]);
    const kernels = setKernels(model, 950);
    const steps = expectedSteps(attached, kernels, alpha, lr * weight);
    expect(model.layers.map((l) => l.losses.length)).toEqual([1, 1]);
    tf.train.sgd(lr).minimize(() => tf.addN(model.layers.flatMap((l) => l.calculateLosses())) as tf.Scalar);
    model.layers.forEach((l, i) => expectMovedBy(kernels[i].data, l.getWeights()[0].dataSync(), steps[i]));
  });
});

describe("serialization", () => {
  async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    return tf.loadLayersModel(tf.io.fromMemory(saved!));
  }

  it.each(["kernelRegularizer", "regularizeModel"])("a model regularized by %s saves and loads with the regularizer attached and computing", async (how) => {
    const [n, g, h, alpha, weight] = [6, 2, 2, 0.8, 0.3];
    const kernel = float32Kernel(3, g, h, 606);
    const model = zeroLossModel({ n, g, h, kernel, lr: 0.1, regularizer: how === "kernelRegularizer" ? frobeniusRegularizer({ n, alpha, weight }) : undefined });
    if (how === "regularizeModel") regularizeModel(model, { alpha, weight });
    const topology = JSON.parse(model.toJSON() as string);
    expect(topology.config.layers[0].config.kernel_regularizer).toEqual({
      class_name: "ConvregFrobenius",
      config: { n, width: n, alpha, weight, padding: "zero", stride: 1, dilation: 1, transposed: false, engine: "auto", groups: 1, depthwise: false },
    });
    const loaded = await roundTrip(model);
    const layer = loaded.layers[0];
    expect((layer.getConfig().kernelRegularizer as { className: string }).className).toBe("ConvregFrobenius");
    // The loaded layer's loss is the penalty of its (loaded) kernel.
    const losses = layer.calculateLosses();
    expect(losses).toHaveLength(1);
    const expected = weight * frobeniusReference(kernel, 3, g, h, n, alpha).penalty;
    expect(Math.abs(losses[0].dataSync()[0] - expected) / expected).toBeLessThan(1e-5);
  });
});

describe("addPenaltyGradients (custom loops)", () => {
  it("adds weight * dF/dK of each kernel to tf.variableGrads' gradients and returns the total penalty", () => {
    const [n, alpha, weight] = [4, 1, 0.2];
    const a = float32Kernel(3, 2, 2, 707);
    const b = float32Kernel(3, 2, 3, 808);
    const va = tf.variable(tf.tensor4d(Float32Array.from(a), [3, 3, 2, 2]), true, "kernelA");
    const vb = tf.variable(tf.tensor4d(Float32Array.from(b), [3, 3, 2, 3]), true, "kernelB");
    const x = tf.randomNormal([1, n, n, 2]);
    // Data loss: a sum of conv outputs, whose gradient is known to TF.js.
    const { grads } = tf.variableGrads(() => tf.add(tf.sum(tf.conv2d(x as tf.Tensor4D, va, 1, "same")), tf.sum(tf.conv2d(x as tf.Tensor4D, vb, 1, "same"))) as tf.Scalar);
    const dataA = grads.kernelA.dataSync().slice();
    const dataB = grads.kernelB.dataSync().slice();
    const total = addPenaltyGradients(grads, [va, vb], { n, alpha, weight });
    const refA = frobeniusReference(a, 3, 2, 2, n, alpha);
    const refB = frobeniusReference(b, 3, 2, 3, n, alpha);
    expect(Math.abs(total - weight * (refA.penalty + refB.penalty)) / total).toBeLessThan(1e-6);
    expect(
      relativeError(
        grads.kernelA.dataSync().map((v, i) => v - dataA[i]),
        refA.gradient.map((v) => weight * v),
      ),
    ).toBeLessThan(1e-5);
    expect(
      relativeError(
        grads.kernelB.dataSync().map((v, i) => v - dataB[i]),
        refB.gradient.map((v) => weight * v),
      ),
    ).toBeLessThan(1e-5);
  });
});
