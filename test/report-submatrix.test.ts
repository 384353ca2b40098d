/**
 * The report's sigma_max bracket past the Cholesky limit: the lower end is sigma_max of the layer at
 * a smaller input P x Pw (P = H mod s) whose M is a submatrix of the layer's M (docs/MATH.md §10).
 * Checked against M built by definition (test/reference.ts): the submatrix identity entry by entry
 * for every kind, and, on a blazeface-like model built and saved with TF.js here (5x5 stride-2 conv,
 * depthwise, 1x1, depthwise stride 2), every conv row's bracket contains the true sigma_max.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { reportModel } from "../lib/tfjs/index.js";
import { analyzeLayer } from "../lib/tfjs/layer-analysis.js";
import { submatrixLength, submatrixTarget } from "../lib/spectrum/submatrix-size.js";
import { createKernel } from "../lib/index.js";
import { bruteForceLayerM, randomData, referenceSingularValues, type LayerGeometry } from "./reference.js";

type Case = { k: number; g: number; h: number; stride: number; dilation: number; padding: "zero" | "valid"; height: number; width: number; outputs: number };

const cases: Case[] = [
  { k: 3, g: 1, h: 1, stride: 1, dilation: 1, padding: "zero", height: 9, width: 7, outputs: 2 },
  { k: 5, g: 2, h: 3, stride: 2, dilation: 1, padding: "zero", height: 13, width: 10, outputs: 2 },
  { k: 4, g: 1, h: 2, stride: 2, dilation: 1, padding: "zero", height: 12, width: 11, outputs: 2 },
  { k: 3, g: 2, h: 1, stride: 3, dilation: 1, padding: "zero", height: 14, width: 13, outputs: 1 },
  { k: 3, g: 1, h: 2, stride: 1, dilation: 2, padding: "zero", height: 11, width: 9, outputs: 2 },
  { k: 3, g: 2, h: 2, stride: 2, dilation: 2, padding: "valid", height: 14, width: 12, outputs: 2 },
  { k: 2, g: 1, h: 1, stride: 1, dilation: 1, padding: "valid", height: 8, width: 6, outputs: 1 },
  // Taps that never overlap ((k - 1) d < s): the report takes 3 outputs per axis whatever `outputs` says.
  { k: 2, g: 2, h: 3, stride: 2, dilation: 1, padding: "zero", height: 13, width: 12, outputs: 3 },
  { k: 3, g: 1, h: 2, stride: 3, dilation: 1, padding: "zero", height: 17, width: 14, outputs: 3 },
];

const top = (m: number[][]) => referenceSingularValues(m)[0];

describe("the smaller layer's M is a submatrix of the layer's M", () => {
  it.each(cases)("k $k, $g -> $h, stride $stride, dilation $dilation, $padding, $height x $width", (c) => {
    const target = submatrixTarget(c.k, c, c.outputs);
    const p = submatrixLength(c.height, c.stride, target);
    const pw = submatrixLength(c.width, c.stride, target);
    expect(p).toBeLessThan(c.height); // the cases are chosen so that both axes shrink
    expect(pw).toBeLessThan(c.width);
    const data = randomData(c.k, c.g, c.h, 7 * c.k + c.stride);
    const geo = (height: number, width: number): LayerGeometry => ({ height, width, stride: c.stride, dilation: c.dilation, padding: c.padding });
    const big = bruteForceLayerM(data, c.k, c.g, c.h, geo(c.height, c.width));
    const small = bruteForceLayerM(data, c.k, c.g, c.h, geo(p, pw));
    // Output (o, r, c) and input (i, x, y) of the smaller layer are the same positions of the layer's.
    for (let o = 0; o < c.h; o++)
      for (let r = 0; r < small.outH; r++)
        for (let s = 0; s < small.outW; s++)
          for (let i = 0; i < c.g; i++)
            for (let x = 0; x < p; x++)
              for (let y = 0; y < pw; y++) {
                const a = small.m[o * small.outH * small.outW + r * small.outW + s][i * p * pw + x * pw + y];
                const b = big.m[o * big.outH * big.outW + r * big.outW + s][i * c.height * c.width + x * c.width + y];
                expect(a).toBe(b);
              }
    expect(top(small.m)).toBeLessThanOrEqual(top(big.m) * (1 + 1e-12));
  });

  it("analyzeLayer's bracket contains sigma_max of M by definition, for every case, also transposed", async () => {
    for (const c of cases)
      for (const transposed of [false, true]) {
        const data = randomData(c.k, c.g, c.h, 11 * c.k + c.stride);
        const geo: LayerGeometry = { height: c.height, width: c.width, stride: c.stride, dilation: c.dilation, padding: c.padding };
        const truth = top(bruteForceLayerM(data, c.k, c.g, c.h, geo).m);
        const layer = { stride: c.stride, dilation: c.dilation, padding: c.padding, width: c.width, transposed };
        const kernel = createKernel(data, [c.k, c.k, c.g, c.h]);
        const a = await analyzeLayer(kernel, { n: c.height, layer, denseWorkLimit: 1, choleskyOrderLimit: 0, submatrixOutputs: c.outputs });
        const label = JSON.stringify({ ...c, transposed });
        expect(a.methodNote, label).toMatch(/a submatrix of M/);
        expect(a.sigmaMax, label).toBeLessThanOrEqual(truth * (1 + 1e-12));
        expect(a.sigmaMax, label).toBeGreaterThan(0);
        expect(a.sigmaMaxUpper!, label).toBeGreaterThanOrEqual(truth);
        expect(a.sigmaMaxBound, label).toBeCloseTo(a.sigmaMaxUpper! - a.sigmaMax, 12);
        // Non-overlapping taps: an interior output's block is the whole kernel, so the lower end is sigma_max(M)
        // up to the loose Lanczos (tolerance 1e-3 on the residual; the Ritz value's error is about its square).
        if ((c.k - 1) * c.dilation < c.stride && c.outputs >= 3) expect(Math.abs(a.sigmaMax - truth) / truth, label).toBeLessThan(1e-6);
      }
  });

  it("rejects a bad submatrixOutputs or choleskyOrderLimit before any work", async () => {
    const kernel = createKernel(randomData(3, 1, 1, 1), [3, 3, 1, 1]);
    await expect(analyzeLayer(kernel, { n: 8, submatrixOutputs: 0 })).rejects.toMatchObject({ code: "ERR_RANGE", message: expect.stringMatching(/options.submatrixOutputs/) });
    await expect(analyzeLayer(kernel, { n: 8, choleskyOrderLimit: -1 })).rejects.toMatchObject({ code: "ERR_RANGE", message: expect.stringMatching(/options.choleskyOrderLimit/) });
  });
});

/** A blazeface-like layers model made and saved by TF.js: 5x5 stride-2 conv, depthwise, 1x1, depthwise stride 2, 1x1. */
async function blazefaceLike(): Promise<{ file: string; model: tf.LayersModel }> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: "stem", inputShape: [12, 12, 3], filters: 4, kernelSize: 5, strides: 2, padding: "same" }),
      tf.layers.depthwiseConv2d({ name: "dw1", kernelSize: 3, padding: "same" }),
      tf.layers.conv2d({ name: "pw1", filters: 4, kernelSize: 1 }),
      tf.layers.depthwiseConv2d({ name: "dw2", kernelSize: 3, strides: 2, padding: "same" }),
      tf.layers.conv2d({ name: "pw2", filters: 6, kernelSize: 1 }),
      tf.layers.flatten({ name: "flat" }),
    ],
  });
  const dir = mkdtempSync(path.join(tmpdir(), "convreg-blazelike-"));
  const file = path.join(dir, "model.json");
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(path.join(dir, "w.bin"), new Uint8Array(artifacts.weightData as ArrayBuffer));
      const weightsManifest = [{ paths: ["w.bin"], weights: artifacts.weightSpecs }];
      writeFileSync(file, JSON.stringify({ format: "layers-model", modelTopology: artifacts.modelTopology, weightsManifest }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return { file, model };
}

describe("a blazeface-like model saved by TF.js", () => {
  it("reports every conv layer (none skipped), each sigma_max exact or in a bracket that holds the true one", async () => {
    const { file, model } = await blazefaceLike();
    const kernels = new Map(model.layers.filter((l) => l.getWeights().length > 0).map((l) => [l.name, l.getWeights()[0]]));
    // The input sizes by hand: 12 -> stem (s2 same) 6 -> dw1 6 -> pw1 6 -> dw2 (s2 same) 3 -> pw2 3.
    const geometry: Record<string, [number, number]> = { stem: [12, 2], dw1: [6, 1], pw1: [6, 1], dw2: [6, 2], pw2: [3, 1] };
    const truth = (name: string): number => {
      const w = kernels.get(name)!;
      const [k, , g, h] = w.shape;
      const data = Float64Array.from(w.dataSync());
      const [n, stride] = geometry[name];
      const geo: LayerGeometry = { height: n, width: n, stride, dilation: 1, padding: "zero" };
      if (!name.startsWith("dw")) return top(bruteForceLayerM(data, k, g, h, geo).m);
      // Depthwise (multiplier 1): M is block diagonal over the channels, each its own k x k x 1 x 1 layer.
      let best = 0;
      for (let c = 0; c < g; c++) {
        const channel = Float64Array.from({ length: k * k }, (_, t) => data[t * g + c]);
        best = Math.max(best, top(bruteForceLayerM(channel, k, 1, 1, geo).m));
      }
      return best;
    };
    for (const options of [{}, { denseWorkLimit: 1, choleskyOrderLimit: 0, submatrixOutputs: 1 }]) {
      const report = await reportModel(file, options);
      expect(report.skipped).toEqual([]);
      expect(report.layers.map((l) => [l.layer.name, l.layer.kind, l.n])).toEqual([
        ["stem", "conv", 12],
        ["dw1", "depthwise", 6],
        ["pw1", "conv", 6],
        ["dw2", "depthwise", 6],
        ["pw2", "conv", 3],
      ]);
      for (const l of report.layers) {
        const label = `${l.layer.name} ${JSON.stringify(options)}`;
        expect(l.error, label).toBeNull();
        const t = truth(l.layer.name);
        if (l.sigmaMaxUpper === null) {
          expect(Math.abs(l.sigmaMax! - t) / t, label).toBeLessThan(1e-10); // exact (dense or closed form)
        } else {
          expect(l.sigmaMax!, label).toBeLessThanOrEqual(t * (1 + 1e-12));
          expect(l.sigmaMaxUpper, label).toBeGreaterThanOrEqual(t);
        }
      }
      if ("submatrixOutputs" in options)
        for (const name of ["stem", "dw1", "dw2"]) expect(report.layers.find((l) => l.layer.name === name)!.methodNote, name).toMatch(/a submatrix of M/);
    }
  });
});
