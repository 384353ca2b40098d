/**
 * The CLI on a 3x3x512x512 kernel (2.4 million entries: any spread of it into call arguments
 * overflows the stack) through analyze (every engine and spectrum choice), optimize and the SVG
 * writers, and the SVG writers fed 100,000 points. At N = 1 only the centre tap C (512 x 512)
 * touches M, so M = C and every number has a cheap reference computed here from C alone:
 * F = ||C^T C - a I||_F^2, dF/dK at the centre = 4 C (C^T C - a I) (zero elsewhere), sigma_max by
 * power iteration. A rank-one term planted in C separates sigma_max so that Lanczos converges fast.
 * At N = 4096 the penalty is checked by the identity that F(N) is quadratic in N for N >= k - 1.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { createKernel, parseNpy, penaltyAsync, writeKernelFile } from "../lib/index.js";
import { sigmaRangeSvg, type ModelReport } from "../lib/tfjs/index.js";
import { figureSvg } from "../lib/plot/svg.js";
import { rng } from "./reference.js";
import { parseXml } from "./xml.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-cli-big-"));
const K = 3;
const G = 512;
const H = 512;
const file = path.join(tmp, "k-3x3x512x512.npy");

function convreg(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const centre = (data: ArrayLike<number>, c: number, o: number) => data[((1 * K + 1) * G + c) * H + o];

/** A = C^T C - alpha I (g x g, row-major) for the centre tap C[o][c]. */
function shiftedGram(data: Float64Array, alpha: number): Float64Array {
  const ct = new Float64Array(G * H); // ct[c * H + o] = C[o][c]
  for (let c = 0; c < G; c++) for (let o = 0; o < H; o++) ct[c * H + o] = centre(data, c, o);
  const a = new Float64Array(G * G);
  for (let i = 0; i < G; i++)
    for (let j = i; j < G; j++) {
      let s = 0;
      for (let o = 0; o < H; o++) s += ct[i * H + o] * ct[j * H + o];
      a[i * G + j] = a[j * G + i] = s;
    }
  for (let i = 0; i < G; i++) a[i * G + i] -= alpha;
  return a;
}

const sumSquares = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return s;
};

/** 4 C (C^T C - alpha I) at the centre tap, HWIO, zero at the other taps. */
function referenceGradient(data: Float64Array, a: Float64Array): Float64Array {
  const grad = new Float64Array(data.length);
  for (let o = 0; o < H; o++)
    for (let c = 0; c < G; c++) {
      let s = 0;
      for (let j = 0; j < G; j++) s += centre(data, j, o) * a[j * G + c];
      grad[((1 * K + 1) * G + c) * H + o] = 4 * s;
    }
  return grad;
}

/** sigma_max(C) by power iteration on A + alpha I = C^T C. */
function powerSigmaMax(a: Float64Array, alpha: number): number {
  let v = new Float64Array(G).fill(1 / Math.sqrt(G));
  let lambda = 0;
  for (let it = 0; it < 500; it++) {
    const w = new Float64Array(G);
    for (let i = 0; i < G; i++) {
      let s = alpha * v[i];
      for (let j = 0; j < G; j++) s += a[i * G + j] * v[j];
      w[i] = s;
    }
    const next = Math.sqrt(sumSquares(w));
    for (let i = 0; i < G; i++) w[i] /= next;
    v = w;
    if (Math.abs(next - lambda) <= 1e-15 * next) break;
    lambda = next;
  }
  return Math.sqrt(lambda);
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
let data: Float64Array;
let gramShifted: Float64Array;

beforeAll(async () => {
  const r = rng(20261130);
  data = new Float64Array(K * K * G * H);
  for (let i = 0; i < data.length; i++) data[i] = r.uniform() - 0.5;
  // Planted rank-one centre term 40 u v^T: sigma_max near 40, the rest below 14.
  const u = Array.from({ length: H }, () => r.normal());
  const v = Array.from({ length: G }, () => r.normal());
  const nu = Math.sqrt(sumSquares(u));
  const nv = Math.sqrt(sumSquares(v));
  for (let c = 0; c < G; c++) for (let o = 0; o < H; o++) data[((1 * K + 1) * G + c) * H + o] += (40 * u[o] * v[c]) / (nu * nv);
  await writeKernelFile(file, createKernel(data, [K, K, G, H]));
  gramShifted = shiftedGram(data, 1);
});

describe("convreg analyze on a 3x3x512x512 kernel", () => {
  it("N = 1, structured engine, auto spectrum: penalty, gradient (written, and its norm) and the dense spectrum agree with C", () => {
    const gradFile = path.join(tmp, "grad.npy");
    const r = convreg("analyze", file, "--n", "1", "--engine", "structured", "--json", "--gradient-out", gradFile);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ engine: "structured", spectrumMethod: "dense", penaltyReason: null, spectrumReason: null });
    expect(rel(out.penalty, sumSquares(gramShifted))).toBeLessThan(1e-10);
    const written = parseNpy(readFileSync(gradFile));
    expect(written.shape).toEqual([K, K, G, H]);
    const reference = referenceGradient(data, gramShifted);
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(written.data[i] - reference[i]));
    expect(worst / Math.sqrt(sumSquares(reference))).toBeLessThan(1e-10);
    expect(rel(out.gradientNorm, Math.sqrt(sumSquares(written.data)))).toBeLessThan(1e-12);
    expect(rel(out.sigmaMax, powerSigmaMax(gramShifted, 1))).toBeLessThan(1e-10);
  });

  it("N = 1: the dense engine, and the dense, iterative and certified spectra, give the same numbers", () => {
    const reference = sumSquares(gramShifted);
    const sigmaMax = powerSigmaMax(gramShifted, 1);
    const runs = [
      ["--engine", "dense", "--spectrum", "dense"],
      ["--engine", "auto", "--spectrum", "iterative"],
      ["--engine", "structured", "--spectrum", "certified"],
    ].map((flags) => {
      const r = convreg("analyze", file, "--n", "1", "--json", ...flags);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout);
    });
    for (const out of runs) expect(rel(out.penalty, reference)).toBeLessThan(1e-10);
    const [dense, iterative, certified] = runs;
    expect(dense.engine).toBe("dense");
    expect(dense.spectrumMethod).toBe("dense");
    expect(iterative.spectrumMethod).toBe("iterative");
    expect(iterative.sigmaMaxConverged).toBe(true);
    expect(certified.spectrumMethod).toBe("certified");
    for (const out of [dense, iterative, certified]) expect(rel(out.sigmaMax, sigmaMax)).toBeLessThan(1e-9);
    expect(iterative.sigmaMin).toBeNull();
    expect(certified.sigmaMinCertified).toBe(true);
    expect(certified.sigmaMinLower).toBeLessThanOrEqual(dense.sigmaMin * (1 + 1e-9));
    expect(certified.sigmaMinUpper).toBeGreaterThanOrEqual(dense.sigmaMin * (1 - 1e-9));
  });

  it("N = 4096: what does not fit is null with its reason, the rest is computed, exit code 0", async () => {
    const dense = convreg("analyze", file, "--n", "4096", "--engine", "dense", "--spectrum", "none", "--json");
    expect(dense.code).toBe(0);
    const d = JSON.parse(dense.stdout);
    expect(d.penalty).toBeNull();
    expect(d.gradientNorm).toBeNull();
    expect(d.penaltyReason.code).toBe("ERR_MEMORY_LIMIT");
    expect(d.penaltyReason.message).toMatch(/memory limit/);
    expect(d).toMatchObject({ spectrumMethod: "none", sigmaMax: null, spectrumReason: null });
    expect(dense.stderr).toMatch(/^convreg analyze: nothing could be computed: .*\[ERR_MEMORY_LIMIT\]$/m);

    const auto = convreg("analyze", file, "--n", "4096", "--json");
    expect(auto.code).toBe(0);
    const a = JSON.parse(auto.stdout);
    // Lanczos is over the memory limit: sigma_max in the proven bracket [0, symbol upper]. M_1 = C (the
    // centre tap) is a submatrix of M_4096, so the upper value is at least sigma_max(C); and it is below the
    // triangle inequality over the taps, sum_t ||K_t||_F.
    expect(a).toMatchObject({ spectrumMethod: "symbol", sigmaMax: 0, spectrumReason: null, bound: { sigmaMax: "proven" } });
    expect(a.sigmaMaxUpper).toBeGreaterThanOrEqual(powerSigmaMax(gramShifted, 1) * (1 - 1e-12));
    let triangle = 0;
    for (let t = 0; t < K * K; t++) triangle += Math.sqrt(sumSquares(data.subarray(t * G * H, (t + 1) * G * H)));
    expect(a.sigmaMaxUpper).toBeLessThan(triangle);
    // F(N) is a quadratic in N for N >= k - 1: extrapolate from N = 4, 5, 6.
    const kernel = createKernel(data, [K, K, G, H]);
    const [f4, f5, f6] = await Promise.all([4, 5, 6].map((n) => penaltyAsync(kernel, { n, alpha: 1 })));
    const x = 4096;
    const quadratic = (f4 * (x - 5) * (x - 6)) / 2 - f5 * (x - 4) * (x - 6) + (f6 * (x - 4) * (x - 5)) / 2;
    expect(rel(a.penalty, quadratic)).toBeLessThan(1e-9);
  });
});

describe("convreg optimize and the SVG writers at 512 channels", () => {
  it("optimize (structured engine, 1 iteration) writes a kernel whose penalty is the one reported, a history and a plot", () => {
    const out = path.join(tmp, "opt.npy");
    const history = path.join(tmp, "history.csv");
    const plot = path.join(tmp, "plot.svg");
    const r = convreg("optimize", file, "--n", "1", "--iterations", "1", "--json", "--out", out, "--history", history, "--plot", plot);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(rel(summary.initial.penalty, sumSquares(gramShifted))).toBeLessThan(1e-10);
    const optimized = parseNpy(readFileSync(out));
    expect(rel(summary.final.penalty, sumSquares(shiftedGram(optimized.data, 1)))).toBeLessThan(1e-10);
    expect(summary.final.penalty).toBeLessThan(summary.initial.penalty);
    const rows = readFileSync(history, "utf8").trim().split("\n").slice(1);
    expect(rows.length).toBe(2);
    const gradientNorm = Number(rows[0].split(",")[3]);
    expect(rel(gradientNorm, Math.sqrt(sumSquares(referenceGradient(data, gramShifted))))).toBeLessThan(1e-10);
    const svg = parseXml(readFileSync(plot, "utf8"));
    expect(svg.filter((e) => e.name === "polyline").length).toBe(2);
  });

  it("report --svg on a model holding the 512-channel kernel", () => {
    const dir = mkdtempSync(path.join(tmp, "model-"));
    writeFileSync(path.join(dir, "w.bin"), new Uint8Array(Float32Array.from(data).buffer));
    const manifest = path.join(dir, "weights_manifest.json");
    writeFileSync(manifest, JSON.stringify([{ paths: ["w.bin"], weights: [{ name: "big/kernel", shape: [K, K, G, H], dtype: "float32" }] }]));
    const svg = path.join(dir, "sigma.svg");
    const r = convreg("report", manifest, "--input-size", "1", "--json", "--svg", svg);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.layers).toHaveLength(1);
    expect(doc.layers[0].error).toBeNull();
    // float32 weights: compare with the reference on the rounded kernel.
    const rounded = Float64Array.from(Float32Array.from(data));
    expect(rel(doc.layers[0].penalty, sumSquares(shiftedGram(rounded, 1)))).toBeLessThan(1e-9);
    expect(parseXml(readFileSync(svg, "utf8")).filter((e) => e.name === "rect" && e.attributes.opacity).length).toBe(1);
  });

  it("figureSvg draws a 100,000-row history, its axes covering the extreme values", () => {
    const count = 100_000;
    const iterations = Array.from({ length: count }, (_, i) => i);
    const sigmaMax = iterations.map((i) => 1 + 9 / (1 + i / 1000));
    const sigmaMin = iterations.map((i) => 0.5 - 0.4 / (1 + i / 1000));
    const svg = figureSvg([{ title: "long run", iterations, sigmaMax, sigmaMin }]);
    const lines = parseXml(svg).filter((e) => e.name === "polyline");
    expect(lines.map((e) => e.attributes.points.trim().split(/\s+/).length)).toEqual([count, count]);
    // The last x tick is the last iteration rounded up to a 1-2-5 step; the first sigma_max tick at or above 10.
    const ticks = parseXml(svg)
      .filter((e) => e.name === "text" && /^\d+$/.test(e.text ?? ""))
      .map((e) => Number(e.text));
    expect(Math.max(...ticks.slice(0, 20))).toBeGreaterThanOrEqual(count - 1);
  });

  it("sigmaRangeSvg draws 60,000 layers (120,000 values)", () => {
    const layers = Array.from({ length: 60_000 }, (_, i) => ({
      layer: { name: `l${i}`, shape: [3, 3, 1, 1] },
      n: 4,
      sigmaMin: 10 ** (-3 + (i % 7) / 10),
      sigmaMax: 10 ** (1 + (i % 5) / 10),
    }));
    const report = { file: "m.json", alpha: 1, layers } as unknown as ModelReport;
    const svg = sigmaRangeSvg(report);
    const labels = parseXml(svg)
      .filter((e) => e.name === "text" && /^1e-?\d+$/.test(e.text ?? ""))
      .map((e) => e.text);
    expect(labels[0]).toBe("1e-3");
    expect(labels[labels.length - 1]).toBe("1e2");
  });
});
