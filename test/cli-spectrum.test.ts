import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createKernel, writeKernelFile } from "../lib/index.js";
import { bruteForceM, oneSidedJacobiSingularValues, randomData, referenceSingularValues } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-cli-spectrum-"));

function convreg(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function kernelFile(k: number, g: number, h: number, seed: number): Promise<{ file: string; data: Float64Array }> {
  const data = randomData(k, g, h, seed);
  const file = path.join(tmp, `k-${k}-${g}-${h}-${seed}.npy`);
  await writeKernelFile(file, createKernel(data, [k, k, g, h]));
  return { file, data };
}

describe("convreg analyze --spectrum", () => {
  it("iterative: sigma_max within its bound of Jacobi on the brute-force M; sigma_min fields null", async () => {
    const [k, g, h, n] = [3, 4, 2, 7];
    const { file, data } = await kernelFile(k, g, h, 91);
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m);
    const r = convreg("analyze", file, "--n", String(n), "--spectrum", "iterative", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      spectrumMethod: "iterative",
      sigmaMaxConverged: true,
      sigmaMin: null,
      sigmaMinLower: null,
      sigmaMinUpper: null,
      sigmaMinCertified: false,
      conditionNumber: null,
    });
    expect(Math.abs(out.sigmaMax - expected[0])).toBeLessThanOrEqual(out.sigmaMaxBound + 1e-13 * expected[0]);
    expect(out.sigmaMaxBound).toBeLessThanOrEqual(1e-9 * out.sigmaMax);
    expect(out.spectrumIterations).toBeGreaterThan(0);
    const text = convreg("analyze", file, "--n", String(n), "--spectrum", "iterative");
    expect(text.stdout).toMatch(/^sigma_max {7}\S+ {3}\(\+\/- \S+, relative \S+; Lanczos, \d+ Gram products\)$/m);
    expect(text.stdout).toMatch(/^sigma_min {7}not computed/m);
  });

  it("auto at a small size is dense: a rounding-model bracket (an estimate) around the reference sigma_min", async () => {
    const [k, g, h, n] = [2, 2, 3, 5];
    const { file, data } = await kernelFile(k, g, h, 17);
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m);
    const r = convreg("analyze", file, "--n", String(n), "--json");
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ spectrumMethod: "dense", sigmaMaxConverged: true, sigmaMinCertified: false, bound: { sigmaMax: "probabilistic", sigmaMin: "probabilistic" } });
    const min = expected[expected.length - 1];
    expect(out.sigmaMinLower).toBeLessThanOrEqual(min);
    expect(out.sigmaMinUpper).toBeGreaterThanOrEqual(min);
    expect(Math.abs(out.sigmaMax - expected[0])).toBeLessThanOrEqual(out.sigmaMaxBound);
  });

  it("auto past the dense memory limit switches to Lanczos by itself and says so on stderr", async () => {
    const [k, g, h, n] = [3, 2, 3, 12];
    const { file, data } = await kernelFile(k, g, h, 23);
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m)[0];
    const r = convreg("analyze", file, "--n", String(n), "--memory-limit", "500000", "--json");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^convreg analyze: the dense singular values .* would need .* more than the memory limit .*; using the iterative spectrum/);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ spectrumMethod: "iterative", sigmaMaxConverged: true, sigmaMin: null, sigmaMinCertified: false });
    expect(Math.abs(out.sigmaMax - expected)).toBeLessThanOrEqual(out.sigmaMaxBound + 1e-13 * expected);
  });

  it("dense: says which route computed the values (Gram eigenvalues here) and their bound, in JSON and text", async () => {
    const [k, g, h, n] = [3, 3, 2, 5];
    const { file, data } = await kernelFile(k, g, h, 31);
    const expected = oneSidedJacobiSingularValues(bruteForceM(data, k, g, h, n).m);
    const out = JSON.parse(convreg("analyze", file, "--n", String(n), "--json").stdout);
    expect(out).toMatchObject({ spectrumMethod: "dense", denseMethod: "gram", gramTolerance: 1e-10 });
    expect(out.valuesRelativeErrorBound).toBeLessThanOrEqual(1e-10);
    expect(out.gramRelativeBound).toBe(out.valuesRelativeErrorBound);
    const min = expected[expected.length - 1];
    expect(Math.abs(out.sigmaMax - expected[0])).toBeLessThanOrEqual(out.sigmaMaxBound);
    expect(out.sigmaMinLower).toBeLessThanOrEqual(min);
    expect(out.sigmaMinUpper).toBeGreaterThanOrEqual(min);
    const text = convreg("analyze", file, "--n", String(n)).stdout;
    expect(text).toMatch(/^sigma_max .*Gram eigenvalues \(dsyevd\), every value within \S+ relative, tolerance 1\.0e-10/m);
  });

  it("none: spectrum fields are null", async () => {
    const { file } = await kernelFile(3, 1, 2, 5);
    const out = JSON.parse(convreg("analyze", file, "--n", "4", "--spectrum", "none", "--json").stdout);
    expect(out).toMatchObject({ spectrumMethod: "none", sigmaMax: null, sigmaMaxBound: null, sigmaMin: null, conditionNumber: null });
  });

  it("rejects an unknown method as a usage error", () => {
    const r = convreg("analyze", path.join(root, "examples/kernel-3x3x3x6.npy"), "--n", "3", "--spectrum", "fast");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--spectrum must be one of auto, dense, iterative, certified, none, got "fast"/);
  });
});
