import { describe, expect, it } from "vitest";
import { applyLayer, applyLayerAsync, applyLayerTranspose, applyLayerTransposeAsync, createKernel, transformMatrix } from "../lib/index.js";
import { bruteForceM, maxRelativeDiff, randomData, rng, type Rows } from "./reference.js";

// k 1..5 (odd and even), g != h both ways, N from below k to above it.
const cases: Array<[number, number, number, number]> = [];
for (const k of [1, 2, 3, 4, 5])
  for (const [g, h] of [
    [1, 3],
    [3, 2],
    [2, 1],
    [2, 2],
  ])
    for (const n of [1, 2, 3, 6]) cases.push([k, g, h, n]);

function randomVectors(length: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length }, () => r.normal());
}

function rowsTimes(m: Rows, x: Float64Array, offset: number): number[] {
  return m.map((row) => row.reduce((s, v, j) => s + v * x[offset + j], 0));
}

function transposeTimes(m: Rows, y: Float64Array, offset: number): number[] {
  const out = new Array<number>(m[0].length).fill(0);
  m.forEach((row, i) => row.forEach((v, j) => (out[j] += v * y[offset + i])));
  return out;
}

describe("matrix-free operator M x and M^T y", () => {
  it.each(cases)("k=%i g=%i h=%i N=%i: equals the brute-force M and the dense M on a batch of 2", (k, g, h, n) => {
    const data = randomData(k, g, h, 31 * k + 7 * g + h + 100 * n);
    const kernel = createKernel(data, [k, k, g, h]);
    const { m } = bruteForceM(data, k, g, h, n);
    const dense = transformMatrix(kernel, { n, dense: true });
    const denseRows: Rows = Array.from({ length: dense.rows }, (_, i) => Array.from(dense.data.subarray(i * dense.cols, (i + 1) * dense.cols)));
    const rows = h * n * n,
      cols = g * n * n,
      count = 2;
    const x = randomVectors(count * cols, k + n);
    const y = randomVectors(count * rows, 2 * k + n);
    const mx = applyLayer(kernel, x, { n, count });
    const mty = applyLayerTranspose(kernel, y, { n, count });
    expect(mx.length).toBe(count * rows);
    expect(mty.length).toBe(count * cols);
    for (let b = 0; b < count; b++) {
      for (const ref of [m, denseRows]) {
        expect(maxRelativeDiff(mx.subarray(b * rows, (b + 1) * rows), rowsTimes(ref, x, b * cols))).toBeLessThan(1e-14);
        expect(maxRelativeDiff(mty.subarray(b * cols, (b + 1) * cols), transposeTimes(ref, y, b * rows))).toBeLessThan(1e-14);
      }
    }
  });

  it("adjoint identity <M x, y> = <x, M^T y> at a larger size", () => {
    const [k, g, h, n] = [3, 5, 7, 11];
    const kernel = createKernel(randomData(k, g, h, 5), [k, k, g, h]);
    const x = randomVectors(g * n * n, 1),
      y = randomVectors(h * n * n, 2);
    const mx = applyLayer(kernel, x, { n }),
      mty = applyLayerTranspose(kernel, y, { n });
    const a = mx.reduce((s, v, i) => s + v * y[i], 0),
      b = mty.reduce((s, v, i) => s + v * x[i], 0);
    expect(Math.abs(a - b) / Math.abs(a)).toBeLessThan(1e-12);
  });

  it("async forms give the same numbers", async () => {
    const kernel = createKernel(randomData(4, 2, 3, 9), [4, 4, 2, 3]);
    const x = randomVectors(2 * 25, 3),
      y = randomVectors(3 * 25, 4);
    expect(Array.from(await applyLayerAsync(kernel, x, { n: 5 }))).toEqual(Array.from(applyLayer(kernel, x, { n: 5 })));
    expect(Array.from(await applyLayerTransposeAsync(kernel, y, { n: 5 }))).toEqual(Array.from(applyLayerTranspose(kernel, y, { n: 5 })));
  });

  it("rejects wrong lengths, non-finite entries and bad options by name", () => {
    const kernel = createKernel(randomData(3, 2, 3, 1), [3, 3, 2, 3]);
    expect(() => applyLayer(kernel, new Float64Array(17), { n: 3 })).toThrow(/x has 17 entries.*need 18/);
    expect(() => applyLayerTranspose(kernel, new Float64Array(18), { n: 3 })).toThrow(/y has 18 entries.*need 27/);
    expect(() => applyLayer(kernel, new Float64Array(18), { n: 3, count: 2 })).toThrow(/need 36/);
    expect(() => applyLayer(kernel, new Float64Array(18).fill(Number.NaN), { n: 3 })).toThrow(expect.objectContaining({ code: "ERR_NONFINITE" }));
    expect(() => applyLayer(kernel, [1, 2] as unknown as Float64Array, { n: 3 })).toThrow(/x must be a Float64Array/);
    expect(() => applyLayer(kernel, new Float64Array(18), { n: 0 })).toThrow(/options.n/);
    expect(() => applyLayer(kernel, new Float64Array(18), { n: 3, count: 0 })).toThrow(/options.count/);
    expect(() => applyLayer(kernel, new Float64Array(18), { n: 3, memoryLimit: 64 })).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT" }));
  });
});
