/**
 * `convreg analyze --dense-method auto|svd|gram --gram-tolerance X`: the flags reach the library's
 * dense route (values-route.ts), the JSON route fields report the route that ran, the values agree
 * with one-sided Jacobi on the brute-force M within the stated bounds, and bad values are refused
 * with errors naming the flag and its constraint.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createKernel, writeKernelFile } from "../lib/index.js";
import { reportModel } from "../lib/tfjs/index.js";
import { bruteForceM, oneSidedJacobiSingularValues, randomData } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-cli-dense-route-"));

function convreg(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A small, well-conditioned kernel: every Gram value meets the default 1e-10, so "auto" takes the Gram route.
const [k, g, h, n] = [3, 3, 2, 5];
const file = path.join(tmp, "kernel.npy");
let expected: number[];

beforeAll(async () => {
  const data = randomData(k, g, h, 31);
  await writeKernelFile(file, createKernel(data, [k, k, g, h]));
  expected = oneSidedJacobiSingularValues(bruteForceM(data, k, g, h, n).m);
});

function analyzeJson(...flags: string[]) {
  const r = convreg("analyze", file, "--n", String(n), "--spectrum", "dense", "--json", ...flags);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** sigma_max and sigma_min within the stated bounds of the reference, and within the route's relative bound. */
function expectAgreesWithReference(out: {
  sigmaMax: number;
  sigmaMaxBound: number;
  sigmaMinLower: number;
  sigmaMinUpper: number;
  sigmaMin: number;
  valuesRelativeErrorBound: number;
}) {
  const max = expected[0];
  const min = expected[expected.length - 1];
  expect(Math.abs(out.sigmaMax - max)).toBeLessThanOrEqual(out.sigmaMaxBound);
  expect(out.sigmaMinLower).toBeLessThanOrEqual(min);
  expect(out.sigmaMinUpper).toBeGreaterThanOrEqual(min);
  // The reference itself is good to a few eps relative: allow that on top of the stated bound.
  expect(Math.abs(out.sigmaMin - min) / min).toBeLessThanOrEqual(out.valuesRelativeErrorBound + 1e-14);
}

describe("convreg analyze --dense-method / --gram-tolerance", () => {
  it("default (auto) takes the Gram route on a small kernel; --dense-method auto is the same", () => {
    const out = analyzeJson();
    expect(out).toMatchObject({ spectrumMethod: "dense", denseMethod: "gram", gramTolerance: 1e-10 });
    expect(out.valuesRelativeErrorBound).toBeLessThanOrEqual(1e-10);
    expectAgreesWithReference(out);
    const explicit = analyzeJson("--dense-method", "auto");
    expect(explicit).toMatchObject({ denseMethod: "gram", gramTolerance: 1e-10, sigmaMax: out.sigmaMax, sigmaMin: out.sigmaMin });
  });

  it("--dense-method svd forces dgesdd (the Gram route is not tried)", () => {
    const out = analyzeJson("--dense-method", "svd");
    expect(out).toMatchObject({ spectrumMethod: "dense", denseMethod: "svd", gramRelativeBound: null });
    expectAgreesWithReference(out);
    const text = convreg("analyze", file, "--n", String(n), "--spectrum", "dense", "--dense-method", "svd").stdout;
    expect(text).toMatch(/^sigma_max .*; dgesdd, all \d+ values\)$/m);
  });

  it("a --gram-tolerance below the Gram bound makes auto fall back to dgesdd and says why", () => {
    const gramBound = analyzeJson().gramRelativeBound as number;
    const tolerance = gramBound / 10;
    const out = analyzeJson("--gram-tolerance", String(tolerance));
    expect(out).toMatchObject({ denseMethod: "svd", gramTolerance: tolerance });
    expect(out.gramRelativeBound).toBeGreaterThan(tolerance);
    expectAgreesWithReference(out);
    const text = convreg("analyze", file, "--n", String(n), "--spectrum", "dense", "--gram-tolerance", String(tolerance)).stdout;
    expect(text).toMatch(/dgesdd; the Gram route's bound \S+ relative is over the tolerance/);
  });

  it("a looser --gram-tolerance keeps the Gram route; --dense-method gram keeps it under any tolerance", () => {
    expect(analyzeJson("--gram-tolerance", "0.001")).toMatchObject({ denseMethod: "gram", gramTolerance: 0.001 });
    const forced = analyzeJson("--dense-method", "gram", "--gram-tolerance", "1e-300");
    expect(forced.denseMethod).toBe("gram");
    expect(forced.valuesRelativeErrorBound).toBeGreaterThan(1e-300);
    expectAgreesWithReference(forced);
  });

  it("the auto spectrum passes the flags through too (it resolves to dense at this size)", () => {
    const r = convreg("analyze", file, "--n", String(n), "--json", "--dense-method", "svd");
    expect(JSON.parse(r.stdout)).toMatchObject({ spectrumMethod: "dense", denseMethod: "svd" });
  });

  it.each([["fast"], [""], ["SVD"]])("--dense-method %j is a usage error naming the flag and the choices", (value) => {
    const r = convreg("analyze", file, "--n", String(n), `--dense-method=${value}`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(`^convreg analyze: --dense-method must be one of auto, svd, gram, got ${JSON.stringify(JSON.stringify(value)).slice(1, -1)} \\[ERR_ARGUMENT\\]$`, "m"),
    );
  });

  it.each([["0"], ["1"], ["2"], ["-1e-3"], ["abc"], [""], ["NaN"], ["Infinity"]])("--gram-tolerance %j is refused naming the flag and (0, 1)", (value) => {
    const r = convreg("analyze", file, "--n", String(n), `--gram-tolerance=${value}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe(
      `convreg analyze: --gram-tolerance must be a number in (0, 1) (the relative accuracy every Gram value must reach), got ${JSON.stringify(value)} [ERR_RANGE]`,
    );
  });
});

describe("convreg report --dense-method / --gram-tolerance", () => {
  // A weights manifest with one 3x3x2x3 conv kernel (float32), analysed at a 5 x 5 input.
  const [rk, rg, rh, rn] = [3, 2, 3, 5];
  const model = path.join(tmp, "weights_manifest.json");
  let reportExpected: number[];

  beforeAll(() => {
    const data = Float32Array.from(randomData(rk, rg, rh, 41));
    writeFileSync(path.join(tmp, "w.bin"), new Uint8Array(data.buffer));
    writeFileSync(model, JSON.stringify([{ paths: ["w.bin"], weights: [{ name: "conv/kernel", shape: [rk, rk, rg, rh], dtype: "float32" }] }]));
    reportExpected = oneSidedJacobiSingularValues(bruteForceM(Float64Array.from(data), rk, rg, rh, rn).m);
  });

  function layerOf(...flags: string[]) {
    const r = convreg("report", model, "--input-size", String(rn), "--jsonl", ...flags);
    expect(r.code).toBe(0);
    const layer = JSON.parse(r.stdout.split("\n")[0]);
    expect(layer).toMatchObject({ type: "layer", method: "dense", error: null });
    const min = reportExpected[reportExpected.length - 1];
    expect(Math.abs(layer.sigmaMax - reportExpected[0])).toBeLessThanOrEqual(layer.sigmaMaxBound);
    expect(Math.abs(layer.sigmaMin - min) / min).toBeLessThan(1e-9);
    return layer;
  }

  it("auto takes the Gram route; --dense-method svd and a tight --gram-tolerance give dgesdd; the method note says which", () => {
    expect(layerOf().methodNote).toMatch(/Gram matrix's eigenvalues \(dsyevd\)/);
    expect(layerOf("--dense-method", "svd").methodNote).toMatch(/\(dgesdd\)$/);
    expect(layerOf("--gram-tolerance", "1e-300").methodNote).toMatch(/\(dgesdd\)$/);
    expect(layerOf("--dense-method", "gram", "--gram-tolerance", "1e-300").methodNote).toMatch(/Gram matrix's eigenvalues/);
  });

  it("reportModel (the library) passes the options through and refuses bad ones before any layer, naming the option", async () => {
    const onLayer = vi.fn();
    const svd = await reportModel(model, { inputSize: rn, denseMethod: "svd" });
    expect(svd.layers[0].methodNote).toMatch(/\(dgesdd\)$/);
    await expect(reportModel(model, { inputSize: rn, denseMethod: "fast" as "svd", onLayer })).rejects.toMatchObject({
      code: "ERR_ARGUMENT",
      message: expect.stringMatching(/options\.denseMethod/),
    });
    await expect(reportModel(model, { inputSize: rn, gramTolerance: 0, onLayer })).rejects.toMatchObject({
      code: "ERR_RANGE",
      message: expect.stringMatching(/options\.gramTolerance/),
    });
    await expect(reportModel(model, { inputSize: rn, gramTolerance: 1, onLayer })).rejects.toMatchObject({
      code: "ERR_RANGE",
      message: expect.stringMatching(/options\.gramTolerance .* below 1/),
    });
    expect(onLayer).not.toHaveBeenCalled();
  });

  it("bad values are refused before any layer runs, naming the flag", () => {
    const method = convreg("report", model, "--input-size", String(rn), "--dense-method", "fast");
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/^convreg report: --dense-method must be one of auto, svd, gram, got "fast" \[ERR_ARGUMENT\]$/m);
    const tolerance = convreg("report", model, "--input-size", String(rn), "--gram-tolerance", "1");
    expect(tolerance.code).toBe(1);
    expect(tolerance.stdout).toBe("");
    expect(tolerance.stderr).toMatch(/^convreg report: --gram-tolerance must be a number in \(0, 1\) .*, got "1" \[ERR_RANGE\]$/m);
  });
});
