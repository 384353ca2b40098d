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
import { symbolBoundBytes, spectrumSymbolOptions } from "../lib/spectrum/symbol-bound.js";
import { bruteForceLayerM, randomData, referenceSingularValues } from "./reference.js";

type Case = { k: number; g: number; h: number; stride: number; dilation: number; padding: "zero" | "valid"; height: number; width: number; transposed: boolean };

/** Layers whose Lanczos estimate at 12 outputs per axis is well above the symbol search's (about 400 KiB), so a limit between them shrinks the input. */
const cases: Case[] = [
  { k: 3, g: 3, h: 5, stride: 1, dilation: 2, padding: "zero", height: 17, width: 14, transposed: false },
  { k: 5, g: 3, h: 4, stride: 2, dilation: 1, padding: "zero", height: 24, width: 21, transposed: false },
  { k: 3, g: 3, h: 3, stride: 2, dilation: 2, padding: "valid", height: 34, width: 31, transposed: false },
  { k: 4, g: 4, h: 3, stride: 2, dilation: 1, padding: "zero", height: 22, width: 19, transposed: true },
];
/** Many channels: Lanczos is over the symbol search's estimate even at one output per axis. */
const wide: Case = { k: 3, g: 24, h: 24, stride: 2, dilation: 1, padding: "zero", height: 8, width: 7, transposed: false };
const asked = 12;

const top = (m: number[][]) => referenceSingularValues(m)[0];

/** sigma_max of the layer's M by definition (a transposed layer's M is the forward M^T: the same sigma_max). */
function truth(c: Case, data: Float64Array): number {
  return top(bruteForceLayerM(data, c.k, c.g, c.h, { height: c.height, width: c.width, stride: c.stride, dilation: c.dilation, padding: c.padding }).m);
}

function setup(c: Case, seed: number) {
  const data = randomData(c.k, c.g, c.h, seed);
  const kernel = createKernel(data, [c.k, c.k, c.g, c.h]);
  const layer = { stride: c.stride, dilation: c.dilation, padding: c.padding, width: c.width, transposed: c.transposed };
  const kind = { stride: c.stride, dilation: c.dilation, padding: c.padding === "valid" ? ("valid" as const) : undefined, transposed: c.transposed };
  /** The Lanczos memory estimate at q outputs per axis. */
  const bytesAt = (q: number): number => {
    const target = submatrixTarget(c.k, c, q);
    return sigmaMaxIterativeBytes(kernel, { ...kind, n: submatrixLength(c.height, c.stride, target), width: submatrixLength(c.width, c.stride, target) });
  };
  const symbolBytes = symbolBoundBytes(c.k, c.g, c.h, c.stride, spectrumSymbolOptions(kernel).maxCells as number);
  return { data, kernel, layer, bytesAt, symbolBytes };
}

const noDense = { denseWorkLimit: 1, choleskyOrderLimit: 0, submatrixOutputs: asked };

describe("the bracket route under a small memory limit", () => {
  it.each(cases)("k $k, $g -> $h, stride $stride, dilation $dilation, $padding, $height x $width, transposed $transposed: a smaller input that fits", async (c) => {
    const { data, kernel, layer, bytesAt, symbolBytes } = setup(c, 5 * c.k + c.height);
    // The fewest outputs whose Lanczos estimate is above the symbol search's, and a limit between it and one more output.
    let q = 1;
    while (bytesAt(q) < symbolBytes && q < asked) q++;
    expect(q).toBeLessThan(asked);
    expect(bytesAt(q + 1)).toBeGreaterThan(bytesAt(q));
    const limit = Math.floor((bytesAt(q) + bytesAt(q + 1)) / 2);
    expect(bytesAt(asked)).toBeGreaterThan(limit);
    expect(fittingSubmatrixInput(kernel, { n: c.height, memoryLimit: limit, ...layer }, asked)).toMatchObject({ outputs: q, limit });
    const a = await analyzeLayer(kernel, { n: c.height, layer, memoryLimit: limit, ...noDense });
    const t = truth(c, data);
    const label = JSON.stringify(c);
    expect(a.methodNote, label).toContain(`(${q} outputs per axis: the largest whose Lanczos fits the memory limit`);
    expect(a.methodNote, label).toMatch(/a submatrix of M/);
    expect(a.sigmaMax, label).toBeGreaterThan(0);
    expect(a.sigmaMax, label).toBeLessThanOrEqual(t * (1 + 1e-12));
    expect(a.sigmaMaxUpper!, label).toBeGreaterThanOrEqual(t);
    expect(a.sigmaMaxBound, label).toBeCloseTo(a.sigmaMaxUpper! - a.sigmaMax, 12);
    // Under the default limit the asked outputs fit and no shrinking is mentioned.
    const roomy = await analyzeLayer(kernel, { n: c.height, layer, ...noDense });
    expect(roomy.methodNote, label).not.toMatch(/fits the memory limit/);
    expect(roomy.sigmaMax, label).toBeLessThanOrEqual(t * (1 + 1e-12));
    expect(roomy.sigmaMax, label).toBeGreaterThanOrEqual(a.sigmaMax * (1 - 1e-3)); // the larger submatrix, up to the loose Lanczos
  });

  it("when even one output per axis does not fit: [0, symbol bound], which holds sigma_max, and no failure", async () => {
    const { data, kernel, layer, bytesAt, symbolBytes } = setup(wide, 3);
    expect(bytesAt(1)).toBeGreaterThan(symbolBytes);
    const limit = Math.floor((bytesAt(1) + symbolBytes) / 2);
    expect(fittingSubmatrixInput(kernel, { n: wide.height, memoryLimit: limit, ...layer }, asked)).toBeNull();
    const a = await analyzeLayer(kernel, { n: wide.height, layer, memoryLimit: limit, ...noDense });
    expect(a.methodNote).toContain("sigma_max in [0, kernel symbol bound] (Lanczos does not fit the memory limit even at one output per axis)");
    expect(a.sigmaMax).toBe(0);
    expect(a.sigmaMaxUpper!).toBeGreaterThanOrEqual(truth(wide, data));
    expect(a.sigmaMaxBound).toBe(a.sigmaMaxUpper);
    expect(a.sigmaMin).toBeNull();
  });

  it("the memory guard still refuses elsewhere: Lanczos called directly, and the report when not even the symbol fits", async () => {
    const { kernel, layer, bytesAt, symbolBytes } = setup(wide, 1);
    const limit = Math.floor((bytesAt(1) + symbolBytes) / 2);
    await expect(spectrumAsync(kernel, { n: wide.height, ...layer, method: "iterative", memoryLimit: limit })).rejects.toMatchObject({ code: "ERR_MEMORY_LIMIT" });
    await expect(analyzeLayer(kernel, { n: wide.height, layer, memoryLimit: symbolBytes - 1, ...noDense })).rejects.toMatchObject({
      code: "ERR_MEMORY_LIMIT",
      message: expect.stringMatching(/Lanczos/),
    });
  });
});
