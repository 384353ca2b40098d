/**
 * An independent oracle for the layer semantics: M built column by column by TensorFlow.js's own
 * ops (tf.conv2d, tf.depthwiseConv2d, tf.conv2dTranspose, CPU backend) applied to the unit images
 * e_j, all H W g of them in one batch, and convreg compared with it: penalty, gradient, the line
 * quartic, M itself (transformMatrix) and every singular value where convreg computes them.
 *
 * Kernels have entries that are multiples of 1/8, so TF.js's float32 M is exact (a unit image
 * gives outputs that are single kernel entries) and F is then computed from it in float64.
 * A second kernel of labels 1, 2, 3, ... (exact in float32) gives, through the same op, which
 * kernel entry sits at each position of M; with it the gradient is the definition
 * dF/dK_e = 4 sum over the positions (i, j) of entry e of [M (M^T M - alpha I)]_ij.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createKernel, lineQuartic, penalty, penaltyAndGradient, singularValues, transformMatrix, type Kernel } from "../lib/index.js";
import { bruteForceLayerM, bruteForcePenalty, maxRelativeDiff, multiply, referenceSingularValues, rng, transpose, type Rows } from "./reference.js";

type Padding = "zero" | "valid";
interface Layer {
  why: string;
  /** Kernel shape in the op's layout: conv2d, grouped [k, k, g/G, h], depthwise [k, k, C, m], transposed [k, k, g, h] of the forward conv. */
  shape: [number, number, number, number];
  height: number;
  width: number;
  stride: number;
  padding: Padding;
  dilation?: number;
  groups?: number;
  depthwise?: boolean;
  transposed?: boolean;
}

const layers: Layer[] = [
  { why: "conv, odd N", shape: [3, 3, 2, 3], height: 5, width: 5, stride: 1, padding: "zero" },
  { why: "conv, even N", shape: [3, 3, 3, 2], height: 6, width: 6, stride: 1, padding: "zero" },
  { why: "conv, even k, odd N", shape: [2, 2, 2, 2], height: 5, width: 5, stride: 1, padding: "zero" },
  { why: "conv s=2 SAME, odd H x even W", shape: [3, 3, 2, 3], height: 7, width: 6, stride: 2, padding: "zero" },
  { why: "conv s=2 SAME, even N", shape: [3, 3, 2, 2], height: 6, width: 6, stride: 2, padding: "zero" },
  { why: "conv s=3 SAME", shape: [3, 3, 2, 2], height: 8, width: 7, stride: 3, padding: "zero" },
  { why: "conv s=3 VALID", shape: [2, 2, 1, 3], height: 7, width: 8, stride: 3, padding: "valid" },
  { why: "conv N < k SAME", shape: [5, 5, 1, 2], height: 3, width: 4, stride: 1, padding: "zero" },
  { why: "conv N < k SAME s=2", shape: [5, 5, 2, 1], height: 3, width: 3, stride: 2, padding: "zero" },
  { why: "conv VALID N = k", shape: [3, 3, 2, 3], height: 3, width: 3, stride: 1, padding: "valid" },
  { why: "conv VALID s=2, H != W", shape: [3, 3, 2, 2], height: 7, width: 5, stride: 2, padding: "valid" },
  { why: "conv dilation 2 SAME", shape: [3, 3, 2, 2], height: 7, width: 6, stride: 1, padding: "zero", dilation: 2 },
  { why: "conv dilation 2 VALID", shape: [3, 3, 1, 2], height: 7, width: 7, stride: 1, padding: "valid", dilation: 2 },
  { why: "grouped G=2", shape: [3, 3, 2, 4], height: 5, width: 5, stride: 1, padding: "zero", groups: 2 },
  { why: "grouped G=2 s=2 SAME", shape: [3, 3, 1, 4], height: 6, width: 5, stride: 2, padding: "zero", groups: 2 },
  { why: "depthwise m=1", shape: [3, 3, 3, 1], height: 5, width: 5, stride: 1, padding: "zero", depthwise: true },
  { why: "depthwise m=2", shape: [3, 3, 2, 2], height: 4, width: 4, stride: 1, padding: "zero", depthwise: true },
  { why: "depthwise m=2 s=2 SAME", shape: [3, 3, 2, 2], height: 7, width: 6, stride: 2, padding: "zero", depthwise: true },
  { why: "depthwise m=1 VALID dilation 2", shape: [3, 3, 2, 1], height: 7, width: 6, stride: 1, padding: "valid", dilation: 2, depthwise: true },
  { why: "transposed s=1 SAME", shape: [3, 3, 2, 3], height: 5, width: 5, stride: 1, padding: "zero", transposed: true },
  { why: "transposed s=2 SAME, odd N", shape: [3, 3, 2, 3], height: 7, width: 7, stride: 2, padding: "zero", transposed: true },
  { why: "transposed s=2 SAME, even H x odd W", shape: [3, 3, 3, 2], height: 6, width: 5, stride: 2, padding: "zero", transposed: true },
  { why: "transposed s=3 VALID", shape: [2, 2, 2, 2], height: 8, width: 7, stride: 3, padding: "valid", transposed: true },
  { why: "grouped G=2 transposed s=2 SAME", shape: [3, 3, 1, 4], height: 5, width: 6, stride: 2, padding: "zero", groups: 2, transposed: true },
  { why: "depthwise m=2 transposed s=2 SAME", shape: [3, 3, 2, 2], height: 5, width: 5, stride: 2, padding: "zero", depthwise: true, transposed: true },
  { why: "transposed s=2 VALID, N = k", shape: [3, 3, 1, 2], height: 3, width: 4, stride: 2, padding: "valid", transposed: true },
];

/** Input and output channels of the layer (of the forward conv for a transposed one). */
function channels(layer: Layer): { g: number; h: number } {
  const [, , a, b] = layer.shape;
  if (layer.depthwise) return { g: a, h: a * b };
  return { g: a * (layer.groups ?? 1), h: b };
}

/** Output size along an axis, read off TF.js itself (the shape of the forward op's result). */
function forwardOutput(layer: Layer, filter: tf.Tensor4D): [number, number] {
  const probe = tf.zeros([1, layer.height, layer.width, channels(layer).g]) as tf.Tensor4D;
  const out = forward(layer, probe, filter);
  return [out.shape[1], out.shape[2]];
}

const tfPadding = (p: Padding) => (p === "zero" ? "same" : "valid");

/** The forward op of the layer as TF.js computes it: conv2d, depthwiseConv2d, or grouped (TF's definition: split the channels, conv2d each group, concat). */
function forward(layer: Layer, x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const d = layer.dilation ?? 1;
  const pad = tfPadding(layer.padding);
  if (layer.depthwise) return tf.depthwiseConv2d(x, filter, layer.stride, pad, "NHWC", d);
  const groups = layer.groups ?? 1;
  if (groups === 1) return tf.conv2d(x, filter, layer.stride, pad, "NHWC", d);
  const xs = tf.split(x, groups, 3);
  const fs = tf.split(filter, groups, 3);
  return tf.concat(
    xs.map((xg, i) => tf.conv2d(xg as tf.Tensor4D, fs[i] as tf.Tensor4D, layer.stride, pad, "NHWC", d)),
    3,
  ) as tf.Tensor4D;
}

/**
 * The transposed op as TF.js computes it: tf.conv2dTranspose from the forward op's output back to
 * its input shape. TF.js has no grouped or depthwise transposed op, so those split the channels
 * as the forward op does (grouped: G slices of the h channels and of the filter's last axis;
 * depthwise: C slices of the C m channels and of the filter's axis 2) and concatenate.
 */
function backward(layer: Layer, x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const pad = tfPadding(layer.padding);
  const batch = x.shape[0];
  const run = (xi: tf.Tensor4D, fi: tf.Tensor4D) => tf.conv2dTranspose(xi, fi, [batch, layer.height, layer.width, fi.shape[2]], layer.stride, pad);
  const parts = layer.depthwise ? layer.shape[2] : (layer.groups ?? 1);
  if (parts === 1 && !layer.depthwise) return run(x, filter);
  const xs = tf.split(x, parts, 3) as tf.Tensor4D[];
  const fs = tf.split(filter, parts, layer.depthwise ? 2 : 3) as tf.Tensor4D[];
  return tf.concat(
    xs.map((xi, i) => run(xi, fs[i])),
    3,
  ) as tf.Tensor4D;
}

/**
 * The layer's M from TF.js: column j is the op applied to the unit image e_j. Forward: rows
 * o Ho Wo + r Wo + c, columns i H W + x W + y. Transposed: tf.conv2dTranspose from h channels at
 * Ho x Wo to g channels at H x W (outputShape [B, H, W, g]), so its M has the forward's columns as
 * rows and the forward's rows as columns.
 */
function tfMatrix(layer: Layer, kernelData: Float64Array): Rows {
  return tf.tidy(() => {
    const filter = tf.tensor4d(Float32Array.from(kernelData), layer.shape);
    const { g, h } = channels(layer);
    const [outH, outW] = forwardOutput(layer, filter);
    const inSide = layer.transposed ? { c: h, y: outH, x: outW } : { c: g, y: layer.height, x: layer.width };
    const count = inSide.c * inSide.y * inSide.x;
    const units = new Float32Array(count * count);
    for (let j = 0; j < count; j++) {
      const c = Math.floor(j / (inSide.y * inSide.x));
      const pixel = j % (inSide.y * inSide.x); // y * width + x
      units[j * count + pixel * inSide.c + c] = 1;
    }
    const x = tf.tensor4d(units, [count, inSide.y, inSide.x, inSide.c]);
    const out = layer.transposed ? backward(layer, x, filter) : forward(layer, x, filter);
    const [, oy, ox, oc] = out.shape;
    const data = out.dataSync();
    const m: Rows = Array.from({ length: oc * oy * ox }, () => new Array<number>(count).fill(0));
    for (let j = 0; j < count; j++) for (let r = 0; r < oy * ox; r++) for (let o = 0; o < oc; o++) m[o * oy * ox + r][j] = data[(j * oy * ox + r) * oc + o];
    return m;
  });
}

/** A kernel of multiples of 1/8 in [-2, 2], none zero (exact in float32). */
function eighthsKernel(shape: Layer["shape"], seed: number): Kernel {
  const r = rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return createKernel(
    Float64Array.from({ length: size }, () => {
      const v = Math.round((r.uniform() * 4 - 2) * 8) / 8;
      return v === 0 ? 0.125 : v;
    }),
    shape,
  );
}

/** dF/dK by definition from M and the positions of each kernel entry (read off the labelled M). */
function gradientFromM(m: Rows, labels: Rows, size: number, alpha: number): Float64Array {
  const gram = multiply(transpose(m), m);
  gram.forEach((row, i) => (row[i] -= alpha));
  const product = multiply(m, gram);
  const grad = new Float64Array(size);
  labels.forEach((row, i) =>
    row.forEach((label, j) => {
      if (label !== 0) grad[label - 1] += 4 * product[i][j];
    }),
  );
  return grad;
}

function convregOptions(layer: Layer, alpha: number) {
  return {
    n: layer.height,
    width: layer.width,
    stride: layer.stride,
    padding: layer.padding,
    dilation: layer.dilation,
    groups: layer.groups,
    depthwise: layer.depthwise,
    transposed: layer.transposed,
    alpha,
  };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

describe("TensorFlow.js's ops as the oracle for M", () => {
  for (const [index, layer] of layers.entries()) {
    it(layer.why, () => {
      const alpha = 0.75;
      const kernel = eighthsKernel(layer.shape, 500 + index);
      const m = tfMatrix(layer, kernel.data);
      const labels = tfMatrix(
        layer,
        kernel.data.map((_, i) => i + 1),
      );
      // Each position of M holds one kernel entry, the one its label names.
      labels.forEach((row, i) => row.forEach((label, j) => expect(m[i][j]).toBe(label === 0 ? 0 : kernel.data[label - 1])));
      const { g, h } = channels(layer);
      const [outH, outW] = tf.tidy(() => forwardOutput(layer, tf.tensor4d(Float32Array.from(kernel.data), layer.shape)));
      expect(m.length * m[0].length).toBe(g * layer.height * layer.width * h * outH * outW);

      if (layer.transposed) {
        // TF.js's transposed conv is the adjoint of its forward conv.
        expect(m).toEqual(transpose(tfMatrix({ ...layer, transposed: false }, kernel.data)));
      }
      if (!layer.transposed && !layer.groups && !layer.depthwise) {
        // LAYERS.md's definition (test/reference.ts) agrees with TF.js entry for entry.
        const k = layer.shape[0];
        const geo = { height: layer.height, width: layer.width, stride: layer.stride, dilation: layer.dilation ?? 1, padding: layer.padding };
        expect(bruteForceLayerM(kernel.data, k, g, h, geo).m).toEqual(m);
      }

      const options = convregOptions(layer, alpha);
      const f = bruteForcePenalty(m, alpha);
      const result = penaltyAndGradient(kernel, options);
      expect(Math.abs(penalty(kernel, options) - f) / f).toBeLessThan(1e-12);
      expect(Math.abs(result.penalty - f) / f).toBeLessThan(1e-12);
      expect(maxRelativeDiff(result.gradient.data, gradientFromM(m, labels, kernel.data.length, alpha))).toBeLessThan(1e-12);

      // The line quartic at t = 1: F of M(K + D) = M(K) + M(D), both from TF.js.
      const direction = eighthsKernel(layer.shape, 800 + index);
      const md = tfMatrix(layer, direction.data);
      const fMoved = bruteForcePenalty(
        m.map((row, i) => row.map((v, j) => v + md[i][j])),
        alpha,
      );
      const c = lineQuartic(kernel, direction, options);
      expect(Math.abs(c.reduce((a, b) => a + b, 0) - fMoved) / fMoved).toBeLessThan(1e-12);
      expect(Math.abs(c[4] - bruteForcePenalty(md, 0))).toBeLessThan(1e-9 * c[4]);

      {
        const { alpha: _alpha, ...shape } = options;
        const dense = transformMatrix(kernel, { ...shape, dense: true });
        expect([dense.rows, dense.cols]).toEqual([m.length, m[0].length]);
        expect(Array.from(dense.data)).toEqual(m.flat());
        // Jacobi on the Gram matrix is accurate in sigma^2 relative to sigma_max^2 (not in a tiny sigma itself).
        const squared = (values: ArrayLike<number>) => Array.from(values, (v) => v * v);
        const values = singularValues(kernel, shape);
        expect(values.length).toBe(Math.min(m.length, m[0].length));
        expect(maxRelativeDiff(squared(values), squared(referenceSingularValues(m)))).toBeLessThan(1e-12);
      }
    });
  }
});
