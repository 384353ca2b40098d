/**
 * The TF.js reader on small models made here: quantized (uint8, uint16, float16) and raw
 * float16/int32 weights over several shards and groups, layers and graph topologies, the
 * writer's re-quantization, and one clear ERR_MODEL_FORMAT error per kind of broken file.
 * Every byte is encoded here independently of lib/ (the float16 encoder is hand-written).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConvregError } from "../lib/index.js";
import { findConvolutions, readTfjsModel, readWeight, reportModel, writeModelWithWeight } from "../lib/tfjs/index.js";
import { halfToNumber, numberToHalf } from "../lib/tfjs/decode.js";
import { bruteForceLayerM, bruteForcePenalty, referenceSingularValues, rng, type Rows } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-tfjs-syn-"));
let dirCount = 0;
const freshDir = () => {
  const d = path.join(tmp, `m${dirCount++}`);
  mkdirSync(d);
  return d;
};

/** Half-precision bits of a value that is exactly representable (normal or subnormal). */
function exactHalf(x: number): number {
  if (x === 0) return Object.is(x, -0) ? 0x8000 : 0;
  const sign = x < 0 ? 0x8000 : 0;
  let a = Math.abs(x);
  let e = 0;
  for (; a >= 2; e++) a /= 2;
  for (; a < 1 && e > -14; e--) a *= 2;
  if (a < 1) return sign | (a * 1024); // subnormal: a = m / 1024 exactly
  return sign | ((e + 15) << 10) | ((a - 1) * 1024);
}

type Spec = { name: string; shape: number[]; dtype: string; quantization?: Record<string, unknown>; bytes: Uint8Array; expected: number[] };

function float32Spec(name: string, shape: number[], values: number[]): Spec {
  const bytes = new Uint8Array(values.length * 4);
  const v = new DataView(bytes.buffer);
  values.forEach((x, i) => v.setFloat32(4 * i, x, true));
  return { name, shape, dtype: "float32", bytes, expected: values.map(Math.fround) };
}

function quantizedSpec(name: string, shape: number[], dtype: "uint8" | "uint16", scale: number, min: number, levels: number[]): Spec {
  const width = dtype === "uint8" ? 1 : 2;
  const bytes = new Uint8Array(levels.length * width);
  const v = new DataView(bytes.buffer);
  levels.forEach((q, i) => (width === 1 ? v.setUint8(i, q) : v.setUint16(2 * i, q, true)));
  return { name, shape, dtype: "float32", quantization: { dtype, scale, min }, bytes, expected: levels.map((q) => Math.fround(q * scale + min)) };
}

function halfSpec(name: string, shape: number[], values: number[], asQuantization: boolean): Spec {
  const bytes = new Uint8Array(values.length * 2);
  const v = new DataView(bytes.buffer);
  values.forEach((x, i) => v.setUint16(2 * i, exactHalf(x), true));
  return asQuantization
    ? { name, shape, dtype: "float32", quantization: { dtype: "float16" }, bytes, expected: values }
    : { name, shape, dtype: "float16", bytes, expected: values };
}

function int32Spec(name: string, shape: number[], values: number[]): Spec {
  const bytes = new Uint8Array(values.length * 4);
  const v = new DataView(bytes.buffer);
  values.forEach((x, i) => v.setInt32(4 * i, x, true));
  return { name, shape, dtype: "int32", bytes, expected: values };
}

/** Writes groups of specs with each group's bytes cut into shards at the given byte positions. */
function writeModel(dir: string, groups: Array<{ specs: Spec[]; cuts: number[] }>, topology?: unknown, file = "model.json"): string {
  const manifest = groups.map((g, gi) => {
    const all = new Uint8Array(g.specs.reduce((a, s) => a + s.bytes.length, 0));
    let at = 0;
    for (const s of g.specs) {
      all.set(s.bytes, at);
      at += s.bytes.length;
    }
    const bounds = [0, ...g.cuts, all.length];
    const paths = bounds.slice(1).map((end, i) => {
      const p = `group${gi + 1}-shard${i + 1}of${bounds.length - 1}.bin`;
      writeFileSync(path.join(dir, p), all.subarray(bounds[i], end));
      return p;
    });
    return { paths, weights: g.specs.map(({ name, shape, dtype, quantization }) => ({ name, shape, dtype, ...(quantization ? { quantization } : {}) })) };
  });
  const doc = topology === undefined ? manifest : { format: "layers-model", modelTopology: topology, weightsManifest: manifest };
  writeFileSync(path.join(dir, file), JSON.stringify(doc));
  return path.join(dir, file);
}

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe("TF.js weight decoding on synthetic manifests", () => {
  const r = rng(7);
  const kernelLevels = seq(3 * 3 * 2 * 2, () => Math.floor(r.uniform() * 256));
  const groups = () => [
    {
      specs: [
        quantizedSpec("conv/kernel", [3, 3, 2, 2], "uint8", 0.0123, -1.4, kernelLevels),
        quantizedSpec("conv/bias", [2], "uint16", 3.5e-5, -0.75, [0, 65535]),
        halfSpec(
          "conv2/kernel",
          [2, 2, 1, 3],
          seq(12, (i) => (i % 2 ? -1 : 1) * (1 + ((i * 77) % 1024) / 1024) * 2 ** (i - 8)),
          true,
        ),
        int32Spec("steps", [3], [-5, 0, 2147483647]),
        float32Spec(
          "odd/kernel",
          [3, 1, 2, 2],
          seq(12, (i) => i / 7),
        ),
      ],
      cuts: [5, 40, 41], // shard boundaries in the middle of weights
    },
    {
      specs: [
        halfSpec(
          "head/depthwise_kernel",
          [3, 3, 2, 1],
          seq(18, (i) => (i - 9) * 2 ** -20),
          false,
        ),
        float32Spec(
          "head/kernel",
          [1, 1, 2, 5],
          seq(10, (i) => Math.sin(i)),
        ),
      ],
      cuts: [],
    },
  ];

  it("decodes uint8/uint16 (q * scale + min in float32), float16 (quantization and dtype, incl. subnormals) and int32 across shards and groups", async () => {
    const dir = freshDir();
    const g = groups();
    const file = writeModel(dir, g, undefined, "weights_manifest.json");
    const model = await readTfjsModel(file);
    expect(model.kind).toBe("weights");
    for (const spec of g.flatMap((x) => x.specs)) expect(Array.from(readWeight(model, spec.name))).toEqual(spec.expected);
  });

  it("finds square 4-D kernels in a bare manifest (depthwise ones by their name) and skips the non-square ones with why", async () => {
    const dir = freshDir();
    const model = await readTfjsModel(writeModel(dir, groups(), undefined, "weights_manifest.json"));
    const found = findConvolutions(model, { inputSize: 6 });
    expect(found.convs.map((c) => [c.name, c.kind])).toEqual([
      ["conv/kernel", "conv"],
      ["conv2/kernel", "conv"],
      ["head/depthwise_kernel", "depthwise"],
      ["head/kernel", "conv"],
    ]);
    expect(found.convs.every((c) => c.input.height === 6 && c.input.fromFlag && c.strides === null)).toBe(true);
    expect(found.skipped.map((s) => s.name)).toEqual(["odd/kernel"]);
    expect(found.skipped[0].reason).toMatch(/non-square kernel 3x1/);
  });

  it("numberToHalf rounds to the nearest half (ties to even) and halfToNumber inverts it", () => {
    const r2 = rng(11);
    for (let i = 0; i < 2000; i++) {
      const x = (r2.uniform() - 0.5) * 2 ** Math.floor(r2.uniform() * 40 - 28);
      const bits = numberToHalf(x);
      const y = halfToNumber(bits);
      const neighbours = [bits - 1, bits + 1].filter((b) => (b & 0x7fff) < 0x7c00 && (b & 0x8000) === (bits & 0x8000)).map(halfToNumber);
      for (const z of neighbours) expect(Math.abs(y - x)).toBeLessThanOrEqual(Math.abs(z - x));
    }
    for (const [x, bits] of [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [2 ** -24, 0x0001],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
      [70000, 0x7c00],
    ] as const)
      expect(numberToHalf(x)).toBe(bits);
  });

  it("writes a uint8 kernel re-quantized (new affine scale and min) within half a step, every other byte unchanged", async () => {
    const dir = freshDir();
    const g = groups();
    const file = writeModel(dir, g, undefined, "weights_manifest.json");
    const model = await readTfjsModel(file);
    const values = seq(36, (i) => Math.cos(i) * 2.5 - 0.3);
    const out = path.join(tmp, "written-uint8");
    const result = await writeModelWithWeight(model, "conv/kernel", values, out);
    expect(result.weight.storage).toMatch(/uint8 affine quantization/);
    const manifest = JSON.parse(readFileSync(path.join(out, "weights_manifest.json"), "utf8"));
    const q = manifest[0].weights[0].quantization;
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    expect(q.dtype).toBe("uint8");
    expect(q.scale).toBeCloseTo((hi - lo) / 255, 15);
    expect(Math.abs(q.min - lo)).toBeLessThanOrEqual(q.scale / 2 + 1e-15);
    const back = readWeight(await readTfjsModel(path.join(out, "weights_manifest.json")), "conv/kernel");
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(q.scale / 2 + 4e-7));
    // Byte-compare both groups outside the 36 bytes of conv/kernel (offset 0 of group 1).
    for (const [gi, grp] of manifest.entries()) {
      const before = Buffer.concat(grp.paths.map((p: string) => readFileSync(path.join(dir, p))));
      const after = Buffer.concat(grp.paths.map((p: string) => readFileSync(path.join(out, p))));
      expect(after.length).toBe(before.length);
      const from = gi === 0 ? 36 : 0;
      expect(Buffer.compare(after.subarray(from), before.subarray(from))).toBe(0);
      grp.paths.forEach((p: string) => expect(readFileSync(path.join(out, p)).length).toBe(readFileSync(path.join(dir, p)).length));
    }
    expect(manifest.slice(1)).toEqual(JSON.parse(readFileSync(file, "utf8")).slice(1));
  });

  it("writes a float16-quantized kernel as float16 again (nearest half of each value)", async () => {
    const dir = freshDir();
    const model = await readTfjsModel(writeModel(dir, groups(), undefined, "weights_manifest.json"));
    const values = seq(12, (i) => 0.1 * i - 0.55);
    const out = path.join(tmp, "written-f16");
    await writeModelWithWeight(model, "conv2/kernel", values, out);
    const back = readWeight(await readTfjsModel(path.join(out, "weights_manifest.json")), "conv2/kernel");
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11));
    expect(JSON.parse(readFileSync(path.join(out, "weights_manifest.json"), "utf8"))[0].weights[2].quantization).toEqual({ dtype: "float16" });
  });
});

/** A Keras Sequential topology over a [null, 16, 16, 3] input. */
function sequentialTopology() {
  const layer = (class_name: string, config: Record<string, unknown>) => ({ class_name, config });
  return {
    class_name: "Sequential",
    config: {
      name: "seq",
      layers: [
        layer("Conv2D", { name: "c1", batch_input_shape: [null, 16, 16, 3], filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: "same", dilation_rate: [1, 1] }),
        layer("DepthwiseConv2D", { name: "dw", kernel_size: [3, 3], strides: [1, 1], padding: "same" }),
        layer("Conv2D", { name: "c2", filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: "same", dilation_rate: [2, 2] }),
        layer("MaxPooling2D", { name: "pool", pool_size: [2, 2], padding: "valid" }),
        layer("SeparableConv2D", { name: "sep", kernel_size: [3, 3], padding: "same" }),
        layer("Conv2D", { name: "c3", filters: 2, kernel_size: [3, 1], padding: "same" }),
        layer("Conv2DTranspose", { name: "ct", filters: 2, kernel_size: [3, 3], strides: [2, 2], padding: "same" }),
        layer("Conv2D", { name: "c4", filters: 2, kernel_size: [1, 1], strides: [1, 1], padding: "valid" }),
        layer("Flatten", { name: "flat" }),
        layer("Dense", { name: "d", units: 2 }),
      ],
    },
  };
}

/** M of a dilated stride-1 "same" convolution by its definition (TF pads floor((d(k-1))/2) before). */
function dilatedM(data: number[], k: number, g: number, h: number, n: number, d: number): Rows {
  const m: Rows = Array.from({ length: h * n * n }, () => new Array<number>(g * n * n).fill(0));
  const before = Math.floor((d * (k - 1)) / 2);
  for (let c = 0; c < h; c++)
    for (let r = 0; r < n; r++)
      for (let s = 0; s < n; s++)
        for (let p = 0; p < k; p++)
          for (let q = 0; q < k; q++)
            for (let e = 0; e < g; e++) {
              const xr = r - before + d * p;
              const xs = s - before + d * q;
              if (xr < 0 || xr >= n || xs < 0 || xs >= n) continue;
              m[c * n * n + r * n + s][e * n * n + xr * n + xs] += data[((p * k + q) * g + e) * h + c];
            }
  return m;
}

describe("TF.js topologies", () => {
  const r = rng(3);
  const rand = (shape: number[]) =>
    float32Spec(
      `${shape.join("x")}`,
      shape,
      seq(
        shape.reduce((a, b) => a * b, 1),
        () => r.normal(),
      ),
    );
  const named = (name: string, shape: number[]) => ({ ...rand(shape), name });

  it("layers model: every conv kind (strided, depthwise, dilated, separable as two rows, transposed, 1x1 valid) with its input size from the model's input shape; non-square and dense layers skipped with why", async () => {
    const dir = freshDir();
    const specs = [
      named("c1/kernel", [3, 3, 3, 4]),
      named("dw/depthwise_kernel", [3, 3, 4, 1]),
      named("c2/kernel", [3, 3, 4, 3]),
      named("sep/depthwise_kernel", [3, 3, 3, 1]),
      named("sep/pointwise_kernel", [1, 1, 3, 2]),
      named("c3/kernel", [3, 1, 3, 2]),
      named("ct/kernel", [3, 3, 2, 2]),
      named("c4/kernel", [1, 1, 2, 2]),
      named("d/kernel", [128, 2]),
    ];
    const file = writeModel(dir, [{ specs, cuts: [100] }], sequentialTopology());
    const found = findConvolutions(await readTfjsModel(file));
    expect(found.inputShape).toEqual([null, 16, 16, 3]);
    // Sizes by hand: 16 -> c1 (s2 same) 8 -> dw 8 -> c2 8 -> pool 4 -> sep 4 -> c3 4 -> ct (s2 same) 8 -> c4 8.
    expect(found.convs.map((c) => [c.name, c.kind, c.shape, c.strides, c.padding, c.dilation, c.input.height, c.input.fromFlag])).toEqual([
      ["c1", "conv", [3, 3, 3, 4], [2, 2], "same", [1, 1], 16, false],
      ["dw", "depthwise", [3, 3, 4, 1], [1, 1], "same", [1, 1], 8, false],
      ["c2", "conv", [3, 3, 4, 3], [1, 1], "same", [2, 2], 8, false],
      ["sep/depthwise", "separable-depthwise", [3, 3, 3, 1], [1, 1], "same", [1, 1], 4, false],
      ["sep/pointwise", "separable-pointwise", [1, 1, 3, 2], [1, 1], "valid", [1, 1], 4, false],
      ["ct", "transposed", [3, 3, 2, 2], [2, 2], "same", [1, 1], 8, false], // M^T acts on the layer's 8x8 output
      ["c4", "conv", [1, 1, 2, 2], [1, 1], "valid", [1, 1], 8, false],
    ]);
    const skipped = Object.fromEntries(found.skipped.map((s) => [s.name, s.reason]));
    expect(Object.keys(skipped).sort()).toEqual(["c3", "d"]);
    expect(skipped.c3).toMatch(/non-square kernel 3x1/);
    expect(skipped.d).toMatch(/not a convolution/);

    // c2 is analysed with dilation 2 as a layer option: its penalty is that of the dilated M built by definition.
    const report = await reportModel(file);
    const c2 = report.layers[2];
    expect(c2.nSource).toBe("model");
    expect(c2.analysedShape).toEqual([3, 3, 4, 3]);
    expect(c2.options).toEqual({ n: 8, dilation: 2 });
    const m = dilatedM(specs[2].expected, 3, 4, 3, 8, 2);
    const f = bruteForcePenalty(m, 1);
    expect(Math.abs(c2.penalty! - f) / f).toBeLessThan(1e-10);
    expect(report.layers[0].options).toEqual({ n: 16, stride: 2 });

    // Past the dense budget the report gives sigma_max as the bracket [Ritz value, proven symbol bound]
    // (loose Lanczos): it must contain the largest singular value of c1's strided M built by definition.
    const budgetless = await reportModel(file, { denseWorkLimit: 1 });
    const c1 = budgetless.layers[0];
    const c1M = bruteForceLayerM(Float64Array.from(specs[0].expected), 3, 3, 4, { height: 16, width: 16, stride: 2, dilation: 1, padding: "zero" }).m;
    const top = referenceSingularValues(c1M)[0];
    expect(c1.method).not.toBe("dense");
    expect(c1.sigmaMax!).toBeLessThanOrEqual(top * (1 + 1e-12));
    expect(c1.sigmaMaxUpper!).toBeGreaterThanOrEqual(top);
  });

  it("graph model: Conv2D and _FusedConv2D (filter through Identity) with strides, padding, dilations; depthwise skipped", async () => {
    const dir = freshDir();
    const ints = (xs: number[]) => ({ list: { i: xs.map(String) } });
    const str = (s: string) => ({ s: Buffer.from(s).toString("base64") });
    const topology = {
      node: [
        { name: "input", op: "Placeholder", attr: { shape: { shape: { dim: [{ size: "-1" }, { size: "12" }, { size: "12" }, { size: "2" }] } }, dtype: { type: "DT_FLOAT" } } },
        { name: "w1", op: "Const", attr: {} },
        {
          name: "conv1",
          op: "Conv2D",
          input: ["input", "w1"],
          attr: { strides: ints([1, 2, 2, 1]), padding: str("SAME"), dilations: ints([1, 1, 1, 1]), data_format: str("NHWC") },
        },
        { name: "r1", op: "Relu", input: ["conv1"] },
        { name: "w2", op: "Const", attr: {} },
        { name: "w2/read", op: "Identity", input: ["w2"] },
        { name: "b2", op: "Const", attr: {} },
        { name: "conv2", op: "_FusedConv2D", input: ["r1", "w2/read", "b2"], attr: { strides: ints([1, 1, 1, 1]), padding: str("VALID"), dilations: ints([1, 1, 1, 1]) } },
        { name: "dwk", op: "Const", attr: {} },
        { name: "dw", op: "DepthwiseConv2dNative", input: ["conv2", "dwk"], attr: { strides: ints([1, 1, 1, 1]), padding: str("SAME") } },
      ],
    };
    const specs = [named("w1", [3, 3, 2, 4]), named("w2", [3, 3, 4, 4]), named("b2", [4]), named("dwk", [3, 3, 4, 1])];
    const file = writeModel(dir, [{ specs, cuts: [] }], topology);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    doc.format = "graph-model";
    writeFileSync(file, JSON.stringify(doc));
    const model = await readTfjsModel(file);
    expect(model.kind).toBe("graph");
    const found = findConvolutions(model);
    // 12 -> conv1 (s2 same) 6 -> conv2 (valid 3x3) 4 -> dw.
    expect(found.convs.map((c) => [c.name, c.weightName, c.op, c.kind, c.shape, c.strides, c.padding, c.input.height])).toEqual([
      ["conv1", "w1", "Conv2D", "conv", [3, 3, 2, 4], [2, 2], "same", 12],
      ["conv2", "w2", "_FusedConv2D", "conv", [3, 3, 4, 4], [1, 1], "valid", 6],
      ["dw", "dwk", "DepthwiseConv2dNative", "depthwise", [3, 3, 4, 1], [1, 1], "same", 4],
    ]);
    expect(found.skipped).toEqual([]);
    expect(found.inputShape).toEqual([null, 12, 12, 2]);
    expect(Array.from(readWeight(model, "w2"))).toEqual(specs[1].expected);
  });
});

describe("broken model files: one ERR_MODEL_FORMAT error each, naming the file, nothing written", () => {
  const good = () => [{ specs: [float32Spec("k/kernel", [1, 1, 2, 2], [1, 2, 3, 4]), float32Spec("k/bias", [2], [5, 6])], cuts: [8] }];

  async function expectModelError(file: string, pattern: RegExp): Promise<void> {
    const error = await readTfjsModel(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConvregError);
    expect((error as ConvregError).code).toBe("ERR_MODEL_FORMAT");
    expect((error as ConvregError).message).toContain(file);
    expect((error as ConvregError).message).toMatch(pattern);
    const out = path.join(path.dirname(file), "out");
    const cli = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), "optimize", file, "--layer", "k", "--n", "2", "--out", out], { encoding: "utf8" });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/\[ERR_MODEL_FORMAT\]/);
    expect(existsSync(out)).toBe(false);
  }

  it("missing shard", async () => {
    const dir = freshDir();
    const file = writeModel(dir, good(), undefined, "weights_manifest.json");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    doc[0].paths[1] = "gone.bin";
    writeFileSync(file, JSON.stringify(doc));
    await expectModelError(file, /shard "gone.bin" of weight group 0 is missing/);
  });

  it("short shard", async () => {
    const dir = freshDir();
    const file = writeModel(dir, good(), undefined, "weights_manifest.json");
    writeFileSync(path.join(dir, "group1-shard2of2.bin"), readFileSync(path.join(dir, "group1-shard2of2.bin")).subarray(0, 10));
    await expectModelError(file, /weight "k\/bias" .* needs 8 bytes at offset 16 .* hold only 18 bytes \(a shard is short/);
  });

  it("unknown dtype", async () => {
    const dir = freshDir();
    const file = writeModel(dir, good(), undefined, "weights_manifest.json");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    doc[0].weights[1].dtype = "float64";
    writeFileSync(file, JSON.stringify(doc));
    await expectModelError(file, /"k\/bias"\) names the unknown dtype "float64"/);
  });

  it("shape and byte count disagree", async () => {
    const dir = freshDir();
    const file = writeModel(dir, good(), undefined, "weights_manifest.json");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    doc[0].weights[1].shape = [1];
    writeFileSync(file, JSON.stringify(doc));
    await expectModelError(file, /need 20 bytes but its shards .* hold 24 bytes \(shape and byte count disagree\)/);
  });

  it("malformed JSON", async () => {
    const dir = freshDir();
    const file = path.join(dir, "model.json");
    writeFileSync(file, '{"modelTopology": {');
    await expectModelError(file, /malformed JSON/);
  });

  it("unknown quantization dtype", async () => {
    const dir = freshDir();
    const file = writeModel(dir, good(), undefined, "weights_manifest.json");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    doc[0].weights[0].quantization = { dtype: "int4", scale: 1, min: 0 };
    writeFileSync(file, JSON.stringify(doc));
    await expectModelError(file, /quantization.dtype is "int4"/);
  });
});
