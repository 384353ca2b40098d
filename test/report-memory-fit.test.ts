/**
 * The report's sigma_max bracket under a small memory limit (docs/MATH.md §10): the smaller input
 * shrinks until its Lanczos passes the memory guard, and when even one output per axis does not,
 * the bracket is [0, symbol bound]. The true sigma_max comes from M built by definition (test/reference.ts).
 */
import { describe, expect, it } from "vitest";
import { createKernel, spectrumAsync } from "../lib/index.js";
import { analyzeLayer, fittingSubmatrixInput } from "../lib/tfjs/layer-analysis.js";
import { sigmaMaxIterativeBytes } from "../lib/spectrum/sigma-max.js";
import { submatrixLength, submatrixTarget } from "../lib/spectrum/submatrix-size.js";
import { bruteForceLayerM, randomData, referenceSingularValues, type LayerGeometry } from "./reference.js";

type Case = { k: number; g: number; h: number; stride: number; dilation: number; padding: "zero" | "valid"; height: number; width: number; transposed: boolean; depthwise: boolean };

const cases: Case[] = [
  // The paper's layer (stride 1, SAME, square): its Lanczos is matrix-free (applyLayer's convolutions).
  { k: 3, g: 3, h: 4, stride: 1, dilation: 1, padding: "zero", height: 14, width: 14, transposed: false, depthwise: false },
  { k: 3, g: 2, h: 3, stride: 1, dilation: 1, padding: "zero", height: 15, width: 12, transposed: false, depthwise: false },
  { k: 5, g: 2, h: 3, stride: 2, dilation: 1, padding: "zero", height: 21, width: 18, transposed: false, depthwise: false },
  { k: 3, g: 2, h: 2, stride: 2, dilation: 2, padding: "valid", height: 22, width: 19, transposed: false, depthwise: false },
  { k: 4, g: 3, h: 2, stride: 2, dilation: 1, padding: "zero", height: 20, width: 17, transposed: true, depthwise: false },
  { k: 3, g: 3, h: 1, stride: 1, dilation: 1, padding: "zero", height: 16, width: 13, transposed: false, depthwise: true },
];

const top = (m: number[][]) => referenceSingularValues(m)[0];

/** sigma_max of the layer's M by definition (transposed: the same; depthwise: the largest channel's). */
function truth(c: Case, data: Float64Array): number {
  const geo: LayerGeometry = { height: c.height, width: c.width, stride: c.stride, dilation: c.dilation, padding: c.padding };
  if (!c.depthwise) return top(bruteForceLayerM(data, c.k, c.g, c.h, geo).m);
  let best = 0;
  for (let ch = 0; ch < c.g; ch++) {
    const channel = Float64Array.from({ length: c.k * c.k }, (_, t) => data[t * c.g + ch]);
    best = Math.max(best, top(bruteForceLayerM(channel, c.k, 1, 1, geo).m));
  }
  return best;
}

function setup(c: Case, seed: number) {
  const data = randomData(c.k, c.g, c.h, seed);
  const kernel = createKernel(data, [c.k, c.k, c.g, c.h]);
  const layer = { stride: c.stride, dilation: c.dilation, padding: c.padding, width: c.width, transposed: c.transposed, ...(c.depthwise ? { depthwise: true } : {}) };
  const kind = { stride: c.stride, dilation: c.dilation, padding: c.padding === "valid" ? ("valid" as const) : undefined, transposed: c.transposed };
  /** The Lanczos memory estimate at q outputs per axis (one channel's kernel for a depthwise layer). */
  const bytesAt = (q: number): number => {
    const target = submatrixTarget(c.k, c, q);
    const size = { n: submatrixLength(c.height, c.stride, target), width: submatrixLength(c.width, c.stride, target) };
    const one = c.depthwise ? createKernel(data.filter((_, i) => i % c.g === 0), [c.k, c.k, 1, 1]) : kernel;
    return sigmaMaxIterativeBytes(one, { ...kind, ...size });
  };
  return { data, kernel, layer, bytesAt };
}

const noDense = { denseWorkLimit: 1, choleskyOrderLimit: 0, submatrixOutputs: 8 };

describe("the bracket route under a small memory limit", () => {
  it.each(cases)("k $k, $g -> $h, stride $stride, $padding, $height x $width, transposed $transposed, depthwise $depthwise: a smaller input that fits", async (c) => {
    const { data, kernel, layer, bytesAt } = setup(c, 5 * c.k + c.height);
    // A limit between the estimates at 2 and 3 outputs per axis: the 8 the call asks for do not fit, 2 do.
    const limit = Math.floor((bytesAt(2) + bytesAt(3)) / 2);
    expect(bytesAt(8)).toBeGreaterThan(limit);
    expect(bytesAt(2)).toBeLessThan(bytesAt(3));
    const fit = fittingSubmatrixInput(kernel, { n: c.height, memoryLimit: limit, ...layer }, 8);
    expect(fit).toMatchObject({ outputs: 2, limit });
    const a = await analyzeLayer(kernel, { n: c.height, layer, memoryLimit: limit, ...noDense });
    const t = truth(c, data);
    const label = JSON.stringify(c);
    expect(a.methodNote, label).toMatch(/2 outputs per axis: the largest whose Lanczos fits the memory limit/);
    expect(a.methodNote, label).toMatch(/a submatrix of M/);
    expect(a.sigmaMax, label).toBeGreaterThan(0);
    expect(a.sigmaMax, label).toBeLessThanOrEqual(t * (1 + 1e-12));
    expect(a.sigmaMaxUpper!, label).toBeGreaterThanOrEqual(t);
    expect(a.sigmaMaxBound, label).toBeCloseTo(a.sigmaMaxUpper! - a.sigmaMax, 12);
    // The same layer with the default limit asks the full 8 outputs and no shrinking is mentioned.
    const roomy = await analyzeLayer(kernel, { n: c.height, layer, ...noDense });
    expect(roomy.methodNote, label).not.toMatch(/fits the memory limit/);
    expect(roomy.sigmaMax, label).toBeLessThanOrEqual(t * (1 + 1e-12));
  });

  it("when even one output per axis does not fit: [0, symbol bound], which holds sigma_max, and no failure", async () => {
    for (const c of cases) {
      const { data, kernel, layer, bytesAt } = setup(c, 3 * c.k + c.width);
      const limit = Math.floor(bytesAt(1) * 0.9);
      expect(fittingSubmatrixInput(kernel, { n: c.height, memoryLimit: limit, ...layer }, 8)).toBeNull();
      const a = await analyzeLayer(kernel, { n: c.height, layer, memoryLimit: limit, ...noDense });
      const label = JSON.stringify(c);
      expect(a.methodNote, label).toMatch(/sigma_max in \[0, kernel symbol bound\] \(Lanczos does not fit the memory limit even at one output per axis\)/);
      expect(a.sigmaMax, label).toBe(0);
      expect(a.sigmaMaxUpper!, label).toBeGreaterThanOrEqual(truth(c, data));
      expect(a.sigmaMaxBound, label).toBe(a.sigmaMaxUpper);
      expect(a.sigmaMin, label).toBeNull();
    }
  });

  it("the memory guard still refuses elsewhere: Lanczos called directly, and the report when not even the symbol fits", async () => {
    const c = cases[2];
    const { kernel, layer, bytesAt } = setup(c, 1);
    const limit = Math.floor(bytesAt(1) * 0.9);
    await expect(spectrumAsync(kernel, { n: c.height, ...layer, method: "iterative", memoryLimit: limit })).rejects.toMatchObject({ code: "ERR_MEMORY_LIMIT" });
    await expect(analyzeLayer(kernel, { n: c.height, layer, memoryLimit: 64, ...noDense })).rejects.toMatchObject({ code: "ERR_MEMORY_LIMIT" });
  });
});
