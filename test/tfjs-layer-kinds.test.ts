/**
 * `reportModel` on a layers model written here whose input size is open ([null, null, null, 2]):
 * the --input-size stand-in (9 x 7) is given once and propagated by hand below through a strided
 * SAME conv, a VALID conv, a 1x1 conv, a depthwise conv, a separable conv (two rows),
 * upsampling and a VALID strided transposed conv. Each row's H, W and options are checked
 * against those hand-computed values, and the penalty of every kind the penalty supports
 * against the brute-force M of test/reference.ts (bruteForceLayerM, entry by entry).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reportModel } from "../lib/tfjs/index.js";
import { bruteForceLayerM, bruteForcePenalty, rng, transpose, type LayerGeometry } from "./reference.js";

const dir = mkdtempSync(path.join(tmpdir(), "convreg-kinds-"));
const r = rng(13);

const weights: Array<{ name: string; shape: number[]; values: number[] }> = [];
function weight(name: string, shape: number[]): number[] {
  const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.fround(r.normal()));
  weights.push({ name, shape, values });
  return values;
}

const layer = (class_name: string, config: Record<string, unknown>) => ({ class_name, config });
const k = {
  s1: weight("s1/kernel", [3, 3, 2, 3]),
  v1: weight("v1/kernel", [3, 3, 3, 2]),
  p1: weight("p1/kernel", [1, 1, 2, 4]),
  dw: weight("dw/depthwise_kernel", [3, 3, 4, 1]),
  sepDw: weight("sep/depthwise_kernel", [3, 3, 4, 1]),
  sepPw: weight("sep/pointwise_kernel", [1, 1, 4, 2]),
  t1: weight("t1/kernel", [3, 3, 3, 2]), // Conv2DTranspose: [k, k, filters (out), in]
};

function writeModel(): string {
  const topology = {
    class_name: "Sequential",
    config: {
      name: "kinds",
      layers: [
        layer("Conv2D", { name: "s1", batch_input_shape: [null, null, null, 2], filters: 3, kernel_size: [3, 3], strides: [2, 2], padding: "same" }),
        layer("Conv2D", { name: "v1", filters: 2, kernel_size: [3, 3], strides: [1, 1], padding: "valid" }),
        layer("Conv2D", { name: "p1", filters: 4, kernel_size: [1, 1], padding: "valid" }),
        layer("DepthwiseConv2D", { name: "dw", kernel_size: [3, 3], strides: [1, 1], padding: "same" }),
        layer("SeparableConv2D", { name: "sep", filters: 2, kernel_size: [3, 3], padding: "same" }),
        layer("UpSampling2D", { name: "up", size: [2, 2] }),
        layer("Conv2DTranspose", { name: "t1", filters: 3, kernel_size: [3, 3], strides: [2, 2], padding: "valid" }),
      ],
    },
  };
  const bytes = new Float32Array(weights.flatMap((w) => w.values));
  writeFileSync(path.join(dir, "w.bin"), new Uint8Array(bytes.buffer));
  const manifest = [{ paths: ["w.bin"], weights: weights.map(({ name, shape }) => ({ name, shape, dtype: "float32" })) }];
  const file = path.join(dir, "model.json");
  writeFileSync(file, JSON.stringify({ format: "layers-model", modelTopology: topology, weightsManifest: manifest }));
  return file;
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("report of every conv kind with an open input size", () => {
  it("asks for the input size once, before any work", async () => {
    await expect(reportModel(writeModel())).rejects.toMatchObject({ code: "ERR_ARGUMENT", message: expect.stringMatching(/--input-size H\[xW\]\) once for the model input/) });
  });

  it("propagates 9 x 7 through every layer and analyses each with its own options", async () => {
    const report = await reportModel(writeModel(), { inputSize: [9, 7] });
    expect(report.skipped).toEqual([]);
    // By hand: 9x7 -> s1 (s2 same: ceil) 5x4 -> v1 (valid 3x3) 3x2 -> p1 3x2 -> dw 3x2 -> sep 3x2 -> up 6x4
    // -> t1 (valid s2: (6-1)*2+3 = 13, (4-1)*2+3 = 9); a transposed row's N is its output (M^T acts on it).
    expect(report.layers.map((l) => [l.layer.name, l.layer.kind, l.options, l.nSource])).toEqual([
      ["s1", "conv", { n: 9, width: 7, stride: 2 }, "--input-size"],
      ["v1", "conv", { n: 5, width: 4, padding: "valid" }, "--input-size"],
      ["p1", "conv", { n: 3, width: 2 }, "--input-size"],
      ["dw", "depthwise", { n: 3, width: 2, depthwise: true }, "--input-size"],
      ["sep/depthwise", "separable-depthwise", { n: 3, width: 2, depthwise: true }, "--input-size"],
      ["sep/pointwise", "separable-pointwise", { n: 3, width: 2 }, "--input-size"],
      ["t1", "transposed", { n: 13, width: 9, stride: 2, padding: "valid", transposed: true }, "--input-size"],
    ]);

    const byName = new Map(report.layers.map((l) => [l.layer.name, l]));
    const geometry = (height: number, width: number, stride: number, padding: "zero" | "valid"): LayerGeometry => ({ height, width, stride, dilation: 1, padding });
    const cases: Array<[string, number[], number[], LayerGeometry, boolean]> = [
      ["s1", k.s1, [3, 2, 3], geometry(9, 7, 2, "zero"), false],
      ["v1", k.v1, [3, 3, 2], geometry(5, 4, 1, "valid"), false],
      ["p1", k.p1, [1, 2, 4], geometry(3, 2, 1, "zero"), false],
      ["sep/pointwise", k.sepPw, [1, 4, 2], geometry(3, 2, 1, "zero"), false],
      // The forward convolution of t1 maps its 3 output channels at 13 x 9 to its 2 input channels at 6 x 4.
      ["t1", k.t1, [3, 3, 2], geometry(13, 9, 2, "valid"), true],
    ];
    for (const [name, data, [kk, g, h], geo, transposed] of cases) {
      const { m, outH, outW } = bruteForceLayerM(Float64Array.from(data), kk, g, h, geo);
      if (name === "t1") expect([outH, outW]).toEqual([6, 4]);
      const f = bruteForcePenalty(transposed ? transpose(m) : m, 1);
      const row = byName.get(name)!;
      expect(row.penalty, name).not.toBeNull();
      expect(relative(row.penalty!, f), name).toBeLessThan(1e-10);
    }
    // Every row has its time, and a row whose kind a part does not handle yet says which part and why.
    for (const l of report.layers) {
      expect(l.seconds).toBeGreaterThanOrEqual(0);
      if (l.error !== null) expect(l.error.message).toMatch(/not supported yet|differs per axis/);
    }
  });
});
