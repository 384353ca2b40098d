/**
 * The Frobenius regularizer fills one gradient array of its own per step (penaltyAndGradient's
 * `out`): each evaluate() result must still be the caller's own array, unchanged by later steps,
 * and equal to dF/dK by the definition of M (test/reference.ts), across kernel shapes and groups.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { frobeniusRegularizer } from "../lib/tfjs/training/index.js";
import { bruteForcePenaltyAndGradient, maxRelativeDiff, randomData } from "./reference.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const reference = bruteForcePenaltyAndGradient;

describe("frobeniusRegularizer reuses one gradient buffer per step", () => {
  it("consecutive evaluate() results are distinct arrays, each equal to weight * dF/dK of its own kernel", () => {
    const [k, g, h, n, alpha, weight] = [3, 2, 3, 5, 0.7, 0.25];
    const regularizer = frobeniusRegularizer({ n, alpha, weight });
    const first = randomData(k, g, h, 11);
    const second = randomData(k, g, h, 12);
    const a = regularizer.evaluate(first, [k, k, g, h]);
    const aCopy = Float64Array.from(a.gradient);
    const b = regularizer.evaluate(second, [k, k, g, h]);
    expect(b.gradient).not.toBe(a.gradient);
    // The buffer the steps share (a private field, read here only to see it is one array throughout).
    const buffer = (regularizer as unknown as { gradientBuffer: Float64Array }).gradientBuffer;
    expect(buffer).toBeInstanceOf(Float64Array);
    regularizer.evaluate(first, [k, k, g, h]);
    expect((regularizer as unknown as { gradientBuffer: Float64Array }).gradientBuffer).toBe(buffer);
    expect(a.gradient).toEqual(aCopy); // the second step did not write into the first result
    for (const [data, r] of [
      [first, a],
      [second, b],
    ] as const) {
      const ref = reference(data, k, g, h, n, alpha);
      expect(Math.abs(r.value - weight * ref.penalty) / (weight * ref.penalty)).toBeLessThan(1e-12);
      expect(
        maxRelativeDiff(
          r.gradient,
          ref.gradient.map((v) => weight * v),
        ),
      ).toBeLessThan(1e-12);
    }
  });

  it("a kernel of another size after the first gets a buffer of its size (values still by definition)", () => {
    const regularizer = frobeniusRegularizer({ n: 4, alpha: 1, weight: 1 });
    for (const [k, g, h, seed] of [
      [3, 1, 2, 3],
      [2, 2, 2, 4],
      [3, 1, 2, 5],
    ]) {
      const data = randomData(k, g, h, seed);
      const r = regularizer.evaluate(data, [k, k, g, h]);
      expect(r.gradient.length).toBe(data.length);
      expect(maxRelativeDiff(r.gradient, reference(data, k, g, h, 4, 1).gradient)).toBeLessThan(1e-12);
    }
  });

  it("the evaluated kernel data is never the buffer (a Float64Array input is left untouched)", () => {
    const [k, g, h] = [3, 2, 2];
    const regularizer = frobeniusRegularizer({ n: 4, alpha: 1, weight: 1 });
    const data = randomData(k, g, h, 8);
    const before = Float64Array.from(data);
    regularizer.evaluate(data, [k, k, g, h]);
    regularizer.evaluate(data, [k, k, g, h]);
    expect(data).toEqual(before);
  });

  it("tf.grad through apply() over two steps gives each step's own gradient", () => {
    const [k, g, h, n] = [3, 2, 2, 4];
    const regularizer = frobeniusRegularizer({ n, alpha: 1, weight: 1 });
    const grads = [21, 22].map((seed) => {
      const data = randomData(k, g, h, seed).map((v) => Math.fround(v));
      const grad = tf.grad((x: tf.Tensor) => regularizer.apply(x))(tf.tensor4d(Float32Array.from(data), [k, k, g, h]));
      return { data, grad: grad.dataSync() };
    });
    for (const { data, grad } of grads) expect(maxRelativeDiff(grad, reference(data, k, g, h, n, 1).gradient)).toBeLessThan(1e-6);
  });
});
