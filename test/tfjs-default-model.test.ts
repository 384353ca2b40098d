/**
 * The TF.js reader, report and in-place optimize on real weights: @upscalerjs/default-model
 * (a float32 ESRGAN layers model, pinned dev dependency). Every expectation is computed here
 * independently: weights by a plain DataView over the shard bytes, shapes from the topology,
 * spectra and penalties from the brute-force M with Jacobi eigenvalues.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createKernel } from "../lib/index.js";
import { findConvolutions, readTfjsModel, readWeight, reportModel } from "../lib/tfjs/index.js";
import { optimize } from "../lib/optimize/index.js";
import { bruteForceM, bruteForcePenalty, referenceSingularValues } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const modelDir = path.join(root, "node_modules/@upscalerjs/default-model/models");
const modelPath = path.join(modelDir, "model.json");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-tfjs-"));

/** The Keras layer fields this test reads (model.json is untyped JSON). */
type LayerConfig = { batch_input_shape: number[]; filters: number; strides: number[]; kernel_size: number[]; padding: string; size: number[] };
type Layer = { class_name: string; name: string; config: LayerConfig; inbound_nodes: [string, ...unknown[]][][] };
type Entry = { name: string; shape: number[]; dtype: string };
type Group = { paths: string[]; weights: Entry[] };

function convreg(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every weight of a float32 model: its bytes and values, by offsets computed here. */
function independentWeights(dir: string, file = "model.json"): Map<string, { bytes: Buffer; values: Float64Array; shape: number[] }> {
  const doc = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  const out = new Map<string, { bytes: Buffer; values: Float64Array; shape: number[] }>();
  for (const group of doc.weightsManifest as Group[]) {
    const buffer = Buffer.concat(group.paths.map((p) => readFileSync(path.join(dir, p))));
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let offset = 0;
    for (const w of group.weights) {
      expect(w.dtype).toBe("float32");
      const count = w.shape.reduce((a, b) => a * b, 1);
      const values = new Float64Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + 4 * i, true);
      out.set(w.name, { bytes: buffer.subarray(offset, offset + 4 * count), values, shape: w.shape });
      offset += 4 * count;
    }
    expect(offset).toBe(buffer.length);
  }
  return out;
}

/** Conv2D layers from the topology: kernel shape [k, k, input channels, filters] and input size for a given model input size. */
function expectedConvs(inputSize: number): Array<{ name: string; shape: number[]; n: number; strides: number[]; padding: string }> {
  const doc = JSON.parse(readFileSync(modelPath, "utf8"));
  const layers: Layer[] = doc.modelTopology.model_config.config.layers;
  const channels = new Map<string, number>();
  const size = new Map<string, number>();
  const out: Array<{ name: string; shape: number[]; n: number; strides: number[]; padding: string }> = [];
  for (const l of layers) {
    const inbound: string[] = (l.inbound_nodes[0] ?? []).map((x) => x[0]);
    const inC = inbound.map((n) => channels.get(n)!);
    const inN = inbound.length ? size.get(inbound[0])! : inputSize;
    let c = inC[0];
    let n = inN;
    if (l.class_name === "InputLayer") c = l.config.batch_input_shape[3];
    else if (l.class_name === "Conv2D") {
      c = l.config.filters;
      expect(l.config.strides).toEqual([1, 1]); // this model: every conv keeps the size
      out.push({ name: l.name, shape: [...l.config.kernel_size, inC[0], c], n: inN, strides: l.config.strides, padding: l.config.padding });
    } else if (l.class_name === "Concatenate") c = inC.reduce((a, b) => a + b, 0);
    else if (l.class_name === "UpSampling2D") n = inN * l.config.size[0];
    channels.set(l.name, c);
    size.set(l.name, n);
  }
  return out;
}

describe("TF.js reader on @upscalerjs/default-model", () => {
  it("decodes every weight exactly as a plain DataView over the shard bytes", async () => {
    const model = await readTfjsModel(modelPath);
    const reference = independentWeights(modelDir);
    expect(model.kind).toBe("layers");
    expect([...model.weights.keys()].sort()).toEqual([...reference.keys()].sort());
    expect(reference.size).toBe(24);
    for (const [name, ref] of reference) {
      const values = readWeight(model, name);
      expect(values.length).toBe(ref.values.length);
      expect(Array.from(values)).toEqual(Array.from(ref.values));
    }
  });

  it("finds every Conv2D layer with the shape, stride and padding the topology gives", async () => {
    const model = await readTfjsModel(modelPath);
    const found = findConvolutions(model, { inputSize: 5 });
    const expected = expectedConvs(5);
    expect(expected.length).toBe(12);
    expect(found.convs.map((c) => c.name)).toEqual(expected.map((e) => e.name));
    found.convs.forEach((c, i) => {
      expect(c.shape).toEqual(expected[i].shape);
      expect(model.weights.get(c.weightName)!.entry.shape).toEqual(expected[i].shape);
      expect(c.strides).toEqual(expected[i].strides);
      expect(c.padding).toBe(expected[i].padding);
      expect(c.dilation).toEqual([1, 1]);
      expect(c.input).toEqual({ height: expected[i].n, width: expected[i].n, fromFlag: true });
    });
    expect(found.skipped).toEqual([]);
    expect(found.inputShape).toEqual([null, null, null, 3]);
  });

  it("reports spectra and penalties that match the brute-force M with Jacobi eigenvalues at N = 2 (N = 4 after the upsampling)", async () => {
    const report = await reportModel(modelPath, { inputSize: 2, alpha: 1 });
    const weights = independentWeights(modelDir);
    const expected = expectedConvs(2);
    expect(report.layers.map((l) => l.layer.name)).toEqual(expected.map((e) => e.name));
    for (const [i, l] of report.layers.entries()) {
      const [k, , g, h] = expected[i].shape;
      expect(l.n).toBe(expected[i].n);
      expect(l.nSource).toBe("--input-size");
      // 1 x 1 layers get the closed form (K's values, each N^2 times), the others dgesdd.
      expect(l.method).toBe(k === 1 ? "pointwise" : "dense");
      const { m } = bruteForceM(weights.get(`${l.layer.name}/kernel`)!.values, k, g, h, l.n);
      const sigma = referenceSingularValues(m);
      const penalty = bruteForcePenalty(m, 1);
      expect(Math.abs(l.sigmaMax! - sigma[0]) / sigma[0]).toBeLessThan(1e-10);
      expect(Math.abs(l.sigmaMin! - sigma[sigma.length - 1]) / sigma[0]).toBeLessThan(1e-10);
      expect(Math.abs(l.penalty! - penalty) / penalty).toBeLessThan(1e-9);
      expect(l.conditionNumber).toBeCloseTo(l.sigmaMax! / l.sigmaMin!, 12);
    }
  });
});

describe("convreg report and optimize on @upscalerjs/default-model", () => {
  it("report --json --svg lists every conv layer with its shape and N", () => {
    const svg = path.join(tmp, "sigma.svg");
    const r = convreg("report", modelPath, "--input-size", "2", "--json", "--svg", svg);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const expected = expectedConvs(2);
    expect(doc.layers.map((l: { name: string; shape: number[]; n: number }) => [l.name, l.shape, l.n])).toEqual(expected.map((e) => [e.name, e.shape, e.n]));
    expect(doc.layers.every((l: { sigmaMax: number; sigmaMin: number; method: string }) => l.sigmaMax > 0 && l.sigmaMin > 0 && ["dense", "pointwise"].includes(l.method))).toBe(
      true,
    );
    const text = readFileSync(svg, "utf8");
    expect(text.startsWith("<svg")).toBe(true);
    expect(text.match(/<rect x=/g)?.length).toBe(12);
  });

  it("report prints a table with one row per layer, and asks for --input-size when the model leaves it open", () => {
    const r = convreg("report", modelPath, "--input-size", "2");
    expect(r.code).toBe(0);
    for (const e of expectedConvs(2))
      expect(r.stdout).toMatch(new RegExp(`\\|\\s+${e.name} \\|\\s+conv ${e.shape[0]}x${e.shape[0]} \\|\\s+${e.shape.join("x")} \\|\\s+${e.n}x${e.n} \\|`));
    const missing = convreg("report", modelPath);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does not give its input size \(needed from layer "F_m1" on\).*--input-size H\[xW\]/);
  });

  it("optimize --layer writes a model in which only that kernel changed, to the optimizer's values in float32", async () => {
    const out = path.join(tmp, "optimized-F_1_1");
    const r = convreg("optimize", modelPath, "--layer", "F_1_1", "--n", "3", "--iterations", "4", "--optimizer", "lbfgs", "--out", out, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.written.storage).toBe("float32");
    expect(summary.written.readBack.penalty).toBeLessThan(summary.before.penalty);

    const original = independentWeights(modelDir);
    const written = independentWeights(out);
    expect([...written.keys()]).toEqual([...original.keys()]);
    for (const [name, w] of written) if (name !== "F_1_1/kernel") expect(Buffer.compare(w.bytes, original.get(name)!.bytes)).toBe(0);
    const before = original.get("F_1_1/kernel")!;
    const result = await optimize(createKernel(before.values, [3, 3, 64, 4]), { n: 3, maxIterations: 4, optimizer: "lbfgs", tolerance: 0.01, spectrumEvery: 0 });
    expect(Array.from(written.get("F_1_1/kernel")!.values)).toEqual(Array.from(result.kernel.data, Math.fround));
    expect(written.get("F_1_1/kernel")!.values).not.toEqual(before.values);

    const inDoc = JSON.parse(readFileSync(modelPath, "utf8"));
    const outDoc = JSON.parse(readFileSync(path.join(out, "model.json"), "utf8"));
    expect(outDoc).toEqual(inDoc);
    expect(readFileSync(path.join(out, "group1-shard1of1.bin")).length).toBe(readFileSync(path.join(modelDir, "group1-shard1of1.bin")).length);
    const back = await readTfjsModel(path.join(out, "model.json"));
    expect(findConvolutions(back, { inputSize: 2 }).convs.length).toBe(12);
  });

  it("optimize --layer completes when no spectrum fits the memory limit, and says what it could not compute", () => {
    const out = path.join(tmp, "optimized-F_m1-low-memory");
    const r = convreg("optimize", modelPath, "--layer", "F_m1", "--n", "12", "--iterations", "3", "--memory-limit", "200000", "--out", out, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    // The report's bracket shrinks its smaller input until Lanczos fits (MATH.md §10): a proven lower value, no failure.
    expect(s.before.sigmaMax).toBeGreaterThan(0);
    expect(s.before.methodNote).toMatch(/outputs per axis: the largest whose Lanczos fits the memory limit/);
    expect(s.optimized.spectrum.method).toBe("none");
    expect(s.optimized.spectrum.note).toMatch(/sigma_max and sigma_min skipped.*memory limit/);
    expect(s.optimized.spectrumRegime.method).toBe("iterative");
    expect(s.written.readBack.penalty).toBeLessThan(s.before.penalty);
    expect(existsSync(path.join(out, "model.json"))).toBe(true);
    const text = convreg("optimize", modelPath, "--layer", "F_m1", "--n", "12", "--iterations", "3", "--memory-limit", "200000", "--out", `${out}-text`);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/not computed: sigma_max and sigma_min skipped/);
  });

  it("optimize --layer names a bad --tolerance before reading anything heavy", () => {
    for (const bad of ["1", "-0.5", "abc", ""]) {
      const r = convreg("optimize", modelPath, "--layer", "F_m1", "--n", "4", `--tolerance=${bad}`, "--out", path.join(tmp, "never-tol"));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/--tolerance must be a number in \[0, 1\)/);
    }
    expect(existsSync(path.join(tmp, "never-tol"))).toBe(false);
  });

  it("optimize writes nothing for an unknown layer or a non-empty output directory", () => {
    const out = path.join(tmp, "never");
    const r = convreg("optimize", modelPath, "--layer", "NOPE", "--n", "3", "--out", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no conv layer "NOPE".*F_m1, F_0/);
    expect(existsSync(out)).toBe(false);
    const busy = path.join(tmp, "busy");
    mkdirSync(busy);
    writeFileSync(path.join(busy, "keep.txt"), "x");
    const b = convreg("optimize", modelPath, "--layer", "SR", "--n", "2", "--iterations", "1", "--out", busy);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/busy exists and is not empty/);
    expect(readFileSync(path.join(busy, "keep.txt"), "utf8")).toBe("x");
    expect(existsSync(path.join(busy, "model.json"))).toBe(false);
  });
});
