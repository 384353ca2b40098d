// The structured engine's class sweep works in row strips of its blocks once the channel side
// exceeds 32 (src/structured_engine.cpp stripRows); these cases have several strips, a last
// short one, both layouts (g > h and g < h) and N < 2k, checked against M built by definition.
// Also: the sync form reads the kernel in place, so its results must not share memory with the
// kernel or with each other, and must equal the async form's (which copies).
import { describe, expect, it } from "vitest";
import { createKernel, getBlasThreads, penalty, penaltyAndGradient, penaltyAndGradientAsync, setBlasThreads } from "../lib/index.js";
import { bruteForceM, bruteForcePenalty, maxRelativeDiff, randomData } from "./reference.js";

describe("structured engine with several row strips per block", () => {
  for (const [k, g, h, n] of [
    [3, 40, 37, 3],
    [2, 35, 41, 4],
    [3, 34, 45, 4],
  ] as const) {
    it(`${k}x${k}x${g}x${h}, N = ${n}: F against M by definition, dF/dK against the dense engine`, () => {
      const data = randomData(k, g, h, 7 + n);
      const kernel = createKernel(data, [k, k, g, h]);
      const alpha = 0.9;
      const got = penaltyAndGradient(kernel, { n, alpha, engine: "structured" });
      const reference = bruteForcePenalty(bruteForceM(data, k, g, h, n).m, alpha);
      expect(Math.abs(got.penalty - reference) / reference).toBeLessThan(1e-12);
      expect(Math.abs(penalty(kernel, { n, alpha }) - reference) / reference).toBeLessThan(1e-12);
      const dense = penaltyAndGradient(kernel, { n, alpha, engine: "dense" });
      expect(maxRelativeDiff(got.gradient.data, dense.gradient.data)).toBeLessThan(1e-10);
    });
  }
});

describe("sync calls read the kernel in place", () => {
  it("results do not alias the kernel or each other, and equal the async form's", async () => {
    const kernel = createKernel(randomData(3, 3, 6, 5), [3, 3, 3, 6]);
    const before = Float64Array.from(kernel.data);
    const first = penaltyAndGradient(kernel, { n: 20 });
    const firstCopy = Float64Array.from(first.gradient.data);
    const second = penaltyAndGradient(createKernel(randomData(3, 3, 6, 6), [3, 3, 3, 6]), { n: 20 });
    expect(Array.from(first.gradient.data)).toEqual(Array.from(firstCopy)); // the second call left the first result alone
    expect(second.gradient.data.buffer).not.toBe(first.gradient.data.buffer);
    expect(first.gradient.data.buffer).not.toBe(kernel.data.buffer);
    expect(Array.from(kernel.data)).toEqual(Array.from(before)); // the kernel is read, never written
    const async = await penaltyAndGradientAsync(kernel, { n: 20 });
    expect(async.penalty).toBe(first.penalty);
    expect(Array.from(async.gradient.data)).toEqual(Array.from(first.gradient.data));
  });
});

// From a tap Gram side of 512 (here k = 3 and min(g, h) >= 57) the class sweep splits its strips
// over as many threads as BLAS uses. Both thread counts are checked against the references (BLAS
// itself may round differently with two threads, so the two results need not be bit-identical).
describe("structured engine with the sweep on several threads", () => {
  for (const [g, h, n, alpha] of [
    [60, 64, 2, 1],
    [64, 57, 3, 0.7],
    [58, 61, 9, 1.3],
  ] as const) {
    it(`3x3x${g}x${h}, N = ${n}, alpha = ${alpha}: 1 and 2 threads match the references`, () => {
      const data = randomData(3, g, h, 11 + n);
      const kernel = createKernel(data, [3, 3, g, h]);
      const before = getBlasThreads();
      let one: ReturnType<typeof penaltyAndGradient>;
      let two: ReturnType<typeof penaltyAndGradient>;
      try {
        setBlasThreads(1);
        one = penaltyAndGradient(kernel, { n, alpha, engine: "structured" });
        setBlasThreads(2);
        two = penaltyAndGradient(kernel, { n, alpha, engine: "structured" });
      } finally {
        setBlasThreads(before);
      }
      // N < 2k: M by definition is cheap; N = 9 has the interior classes, checked against the dense engine.
      const reference = n < 6 ? bruteForcePenalty(bruteForceM(data, 3, g, h, n).m, alpha) : penaltyAndGradient(kernel, { n, alpha, engine: "dense" }).penalty;
      const dense = penaltyAndGradient(kernel, { n, alpha, engine: "dense" });
      for (const got of [one, two]) {
        expect(Math.abs(got.penalty - reference) / reference).toBeLessThan(1e-12);
        expect(maxRelativeDiff(got.gradient.data, dense.gradient.data)).toBeLessThan(1e-10);
      }
    });
  }
});
