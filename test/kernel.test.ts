import { describe, expect, it } from "vitest";
import { createKernel, kernelFromNested, kernelFromOIHW, kernelToOIHW } from "../lib/index.js";

describe("kernel layouts", () => {
  // OIHW index by definition: W[c][d][p][q] at ((c*g + d)*k + p)*k + q.
  it("OIHW -> HWIO -> OIHW is the identity and moves entries as defined", () => {
    const [h, g, k] = [3, 2, 4];
    const oihw = Float64Array.from({ length: h * g * k * k }, (_, i) => i + 0.5);
    const kernel = kernelFromOIHW(oihw, [h, g, k, k]);
    expect(kernel.shape).toEqual([k, k, g, h]);
    for (let c = 0; c < h; c++)
      for (let d = 0; d < g; d++)
        for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) expect(kernel.data[((p * k + q) * g + d) * h + c]).toBe(oihw[((c * g + d) * k + p) * k + q]);
    expect(Array.from(kernelToOIHW(kernel))).toEqual(Array.from(oihw));
  });

  it("nested arrays in both layouts", () => {
    const hwio = [
      [[[1, 2]], [[3, 4]]],
      [[[5, 6]], [[7, 8]]],
    ]; // K[p][q][d][c], k=2, g=1, h=2
    const a = kernelFromNested(hwio);
    expect(a.shape).toEqual([2, 2, 1, 2]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const oihw = [
      [
        [
          [1, 3],
          [5, 7],
        ],
      ],
      [
        [
          [2, 4],
          [6, 8],
        ],
      ],
    ]; // W[c][d][p][q]
    expect(Array.from(kernelFromNested(oihw, "oihw").data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("createKernel copies its input", () => {
    const src = [1, 2, 3, 4];
    const kernel = createKernel(src, [1, 1, 2, 2]);
    src[0] = 99;
    expect(kernel.data[0]).toBe(1);
  });
});
