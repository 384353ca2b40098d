/**
 * `convreg analyze` with a layer's own options: the penalty and gradient of a strided VALID
 * dilated H x W layer (and its transposed form) against the brute-force M of test/reference.ts,
 * and a kind a part does not handle yet reported with its reason (the rest still computed).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createKernel, writeKernelFile } from "../lib/index.js";
import { bruteForceLayerM, bruteForcePenalty, randomData, referenceSingularValues, transpose } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-cli-layer-"));

function analyze(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), "analyze", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("convreg analyze with layer options", () => {
  const [k, g, h] = [3, 2, 3];
  const data = randomData(k, g, h, 9131);
  const file = path.join(tmp, "k.npy");

  it.each([
    ["--stride 2 --padding valid --dilation 2 --width 9", { height: 8, width: 9, stride: 2, dilation: 2, padding: "valid" as const }, false],
    ["--stride 3 --width 5", { height: 7, width: 5, stride: 3, dilation: 1, padding: "zero" as const }, false],
    ["--stride 2 --transposed", { height: 7, width: 7, stride: 2, dilation: 1, padding: "zero" as const }, true],
  ])("%s --json: penalty agrees with the brute-force M to 1e-9, the layer fields are echoed", async (flags, geo, transposed) => {
    await writeKernelFile(file, createKernel(data, [k, k, g, h]));
    const r = analyze(file, "--n", String(geo.height), ...flags.split(" "), "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const { m } = bruteForceLayerM(data, k, g, h, geo);
    const f = bruteForcePenalty(transposed ? transpose(m) : m, 1);
    expect(Math.abs(out.penalty - f) / f).toBeLessThan(1e-9);
    expect(out).toMatchObject({ n: geo.height, width: geo.width, stride: geo.stride, dilation: geo.dilation, padding: geo.padding, transposed, groups: 1, depthwise: false });
    // The spectrum is the layer's own: its extremes are those of the brute-force M (Jacobi on M^T M or M M^T).
    const sigma = referenceSingularValues(transposed ? transpose(m) : m);
    expect(out.spectrumReason).toBeNull();
    expect(Math.abs(out.sigmaMax - sigma[0]) / sigma[0]).toBeLessThan(1e-9);
    expect(Math.abs(out.sigmaMin - sigma[sigma.length - 1])).toBeLessThan(1e-9 * sigma[0]);
  });

  it("--depthwise --stride 2 --json: penalty and sigma_max agree with the brute-force M of the equivalent plain kernel", async () => {
    // A depthwise [3, 3, C, m] kernel is the plain [3, 3, C, C m] kernel whose output channel c m + j reads
    // only input channel c (LAYERS.md), so its M is built by definition from that plain kernel.
    const [c, mult] = [3, 2];
    const dw = randomData(3, c, mult, 7);
    await writeKernelFile(file, createKernel(dw, [3, 3, c, mult]));
    const plain = new Float64Array(9 * c * c * mult);
    for (let t = 0; t < 9; t++) for (let ch = 0; ch < c; ch++) for (let j = 0; j < mult; j++) plain[(t * c + ch) * c * mult + ch * mult + j] = dw[(t * c + ch) * mult + j];
    const r = analyze(file, "--n", "7", "--depthwise", "--stride", "2", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ depthwise: true, stride: 2, penaltyReason: null, spectrumReason: null });
    const { m } = bruteForceLayerM(plain, 3, c, c * mult, { height: 7, width: 7, stride: 2, dilation: 1, padding: "zero" });
    const f = bruteForcePenalty(m, 1);
    expect(Math.abs(out.penalty - f) / f).toBeLessThan(1e-9);
    const sigma = referenceSingularValues(m);
    expect(Math.abs(out.sigmaMax - sigma[0]) / sigma[0]).toBeLessThan(1e-9);
  });

  it("--groups and --depthwise exclude each other", () => {
    const r = analyze(path.join(root, "examples/kernel-3x3x3x6.npy"), "--n", "4", "--groups", "3", "--depthwise");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--groups and --depthwise exclude each other .*\[ERR_ARGUMENT\]/);
  });
});
