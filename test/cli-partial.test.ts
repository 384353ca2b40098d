/**
 * Partial results: `analyze` reports the penalty and gradient norm when the spectrum does not fit
 * (null spectrum with a reason, exit code 0); `report` keeps a row for a layer that is refused,
 * with its error code, and goes on; --json rows and --jsonl lines are written as layers finish.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createKernel, penaltyAsync, writeKernelFile } from "../lib/index.js";
import { reportModel } from "../lib/tfjs/index.js";
import { bruteForceM, bruteForcePenalty, randomData, referenceSingularValues } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-cli-partial-"));

function convreg(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("convreg analyze past the memory limit", () => {
  it("--n 100000 on a 3x3x4x5 kernel: penalty (checked by F(N) quadratic in N) and a spectrum reason, exit 0", async () => {
    const data = randomData(3, 4, 5, 1111);
    const file = path.join(tmp, "k45.npy");
    const kernel = createKernel(data, [3, 3, 4, 5]);
    await writeKernelFile(file, kernel);
    const r = convreg("analyze", file, "--n", "100000", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const [f8, f9, f10] = await Promise.all([8, 9, 10].map((n) => penaltyAsync(kernel, { n, alpha: 1 })));
    const x = 100_000;
    expect(rel(out.penalty, (f8 * (x - 9) * (x - 10)) / 2 - f9 * (x - 8) * (x - 10) + (f10 * (x - 8) * (x - 9)) / 2)).toBeLessThan(1e-9);
    expect(out.gradientNorm).toBeGreaterThan(0);
    // Lanczos is over the memory limit: sigma_max in the proven bracket [0, upper] from the kernel's symbol,
    // an upper value at every N, so at least sigma_max of M_6 built from the definition.
    expect(out).toMatchObject({ penaltyReason: null, spectrumMethod: "symbol", sigmaMax: 0, sigmaMin: null, conditionNumber: null, spectrumReason: null });
    expect(out.sigmaMaxUpper).toBeGreaterThanOrEqual(referenceSingularValues(bruteForceM(data, 3, 4, 5, 6).m)[0]);

    const text = convreg("analyze", file, "--n", "100000");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^penalty +\d/m);
    expect(text.stdout).toMatch(/^gradient norm +\d/m);
    expect(text.stdout).toMatch(/^sigma_max +in \[0, \d.*\] +\(proven upper value from the kernel's symbol; Lanczos is over the memory limit\)$/m);
    // The penalty is printed before the spectrum lines (it is known first).
    expect(text.stdout.indexOf("penalty")).toBeLessThan(text.stdout.indexOf("sigma_max"));
  });

  it("--engine dense refused: the penalty is null with its reason and the spectrum is still computed", async () => {
    const data = randomData(3, 2, 2, 2222);
    const file = path.join(tmp, "k22.npy");
    await writeKernelFile(file, createKernel(data, [3, 3, 2, 2]));
    // N = 6: M is 72 x 72; the dense gradient needs 146 KiB, Lanczos (48 vectors) 84 KiB.
    const r = convreg("analyze", file, "--n", "6", "--engine", "dense", "--spectrum", "iterative", "--memory-limit", "100000", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.penalty).toBeNull();
    expect(out.penaltyReason.code).toBe("ERR_MEMORY_LIMIT");
    const sigma = referenceSingularValues(bruteForceM(data, 3, 2, 2, 6).m);
    expect(rel(out.sigmaMax, sigma[0])).toBeLessThan(1e-8);
  });
});

// A weights manifest (float32) with three conv kernels; the middle one is the largest.
function writeModel(): { manifest: string; layers: Array<{ name: string; shape: number[]; data: Float64Array }> } {
  const dir = mkdtempSync(path.join(tmp, "model-"));
  const layers = [
    { name: "small_a/kernel", shape: [3, 3, 1, 1], seed: 1 },
    { name: "large/kernel", shape: [3, 3, 4, 4], seed: 2 },
    { name: "small_c/kernel", shape: [3, 3, 1, 2], seed: 3 },
  ].map((l) => ({ ...l, data: Float64Array.from(Float32Array.from(randomData(l.shape[0], l.shape[2], l.shape[3], l.seed))) }));
  const all = new Float32Array(layers.reduce((s, l) => s + l.data.length, 0));
  let at = 0;
  for (const l of layers) {
    all.set(l.data, at);
    at += l.data.length;
  }
  writeFileSync(path.join(dir, "w.bin"), new Uint8Array(all.buffer));
  const manifest = path.join(dir, "weights_manifest.json");
  writeFileSync(manifest, JSON.stringify([{ paths: ["w.bin"], weights: layers.map((l) => ({ name: l.name, shape: l.shape, dtype: "float32" })) }]));
  return { manifest, layers };
}

describe("convreg report with a layer refused by the memory limit", () => {
  const { manifest, layers } = writeModel();
  const N = 8;
  // 256 KiB: the dense SVD of a 64 x 64 or 64 x 128 M fits, that of the 256 x 256 M does not.
  const limit = String(256 * 1024);
  const reference = layers.map((l) => {
    const m = bruteForceM(l.data, l.shape[0], l.shape[2], l.shape[3], N).m;
    const sigma = referenceSingularValues(m);
    return { penalty: bruteForcePenalty(m, 1), sigmaMax: sigma[0], sigmaMin: sigma[sigma.length - 1] };
  });

  type Row = { name: string; penalty: number; sigmaMax: number | null; sigmaMin: number | null; error: unknown };
  function checkRows(rows: Row[]) {
    expect(rows.map((l) => l.name)).toEqual(layers.map((l) => l.name));
    rows.forEach((row, i) => expect(rel(row.penalty, reference[i].penalty)).toBeLessThan(1e-9));
    for (const i of [0, 2]) {
      expect(rows[i].error).toBeNull();
      expect(rel(rows[i].sigmaMax!, reference[i].sigmaMax)).toBeLessThan(1e-9);
      expect(rel(rows[i].sigmaMin!, reference[i].sigmaMin)).toBeLessThan(1e-9);
    }
    expect(rows[1]).toMatchObject({ method: "failed", sigmaMax: null, sigmaMin: null, conditionNumber: null });
    expect(rows[1].error).toEqual({ code: "ERR_MEMORY_LIMIT", message: expect.stringMatching(/256 x 256.*memory limit of 256 KiB/) });
  }

  it("--json: every layer has a row (the refused one with its code), one row per line, failedLayers 1, exit 0", () => {
    const r = convreg("report", manifest, "--input-size", String(N), "--memory-limit", limit, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    checkRows(doc.layers);
    expect(doc.failedLayers).toBe(1);
    expect(doc).toMatchObject({ kind: "weights", alpha: 1, skipped: [] });
    // Streamed: the header line, then one complete row per line, then the closing line.
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines.slice(1, 4).map((l) => JSON.parse(l.replace(/,$/, "")).name)).toEqual(layers.map((l) => l.name));
  });

  it("--jsonl: one object per layer, then a summary line", () => {
    const r = convreg("report", manifest, "--input-size", String(N), "--memory-limit", limit, "--jsonl");
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["layer", "layer", "layer", "summary"]);
    checkRows(lines.slice(0, 3));
    expect(lines[3]).toMatchObject({ type: "summary", layers: 3, failedLayers: 1, skipped: [] });
  });

  it("text: the refused layer's row says failed and a closing section gives its code", () => {
    const r = convreg("report", manifest, "--input-size", String(N), "--memory-limit", limit);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\|\s+large\/kernel \|\s+conv 3x3 \|\s+3x3x4x4 \|\s+8x8 \|.*\|\s+failed ERR_MEMORY_LIMIT \|$/m);
    expect(r.stdout).toMatch(/^failed: 1 of 3 layers/m);
    expect(r.stdout).toMatch(/^ {2}large\/kernel: .*\[ERR_MEMORY_LIMIT\]$/m);
  });

  it("each row is handed over (onLayer) before the next layer starts", async () => {
    const events: string[] = [];
    const report = await reportModel(manifest, {
      inputSize: N,
      memoryLimit: 256 * 1024,
      onProgress: (done, total, layer) => done < total && events.push(`start ${layer}`),
      onLayer: (row) => events.push(`done ${row.layer.name} ${row.error?.code ?? "ok"}`),
    });
    expect(events).toEqual(layers.flatMap((l, i) => [`start ${l.name}`, `done ${l.name} ${i === 1 ? "ERR_MEMORY_LIMIT" : "ok"}`]));
    expect(report.layers).toHaveLength(3);
  });

  it("--json and --jsonl together are a usage error", () => {
    const r = convreg("report", manifest, "--input-size", String(N), "--json", "--jsonl");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--json and --jsonl exclude each other \[ERR_ARGUMENT\]/);
  });
});
