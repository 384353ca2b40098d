import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createKernel, parseNpy, writeKernelFile, kernelFromOIHW } from "../lib/index.js";
import { bruteForceM, bruteForcePenalty, multiply, randomData, referenceSingularValues, transpose, maxRelativeDiff } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-cli-"));

function convreg(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** dF/dK by Theorem 3.1 on the brute-force M: 4 * sum over Omega of [M (M^T M - a I)]_ij. */
function theorem31(data: Float64Array, k: number, g: number, h: number, n: number, alpha: number): Float64Array {
  const { m, omega } = bruteForceM(data, k, g, h, n);
  const gram = multiply(transpose(m), m);
  gram.forEach((row, i) => (row[i] -= alpha));
  const r = multiply(m, gram);
  const grad = new Float64Array(data.length);
  for (const [e, places] of omega) for (const [i, j] of places) grad[e] += 4 * r[i][j];
  return grad;
}

describe("convreg analyze", () => {
  // Kernels not seen elsewhere: k up to 5, g and h up to 4, N up to 12 (smaller N for wide layers).
  const cases: Array<[number, number, number, number, number]> = [
    [3, 3, 1, 12, 1],
    [2, 2, 3, 7, 0.5],
    [5, 1, 4, 6, 2],
    [4, 4, 2, 5, 1],
    [1, 3, 3, 4, 1],
    [5, 2, 2, 3, 1.5],
  ];
  it.each(cases)("k=%i g=%i h=%i N=%i alpha=%s --json --gradient-out agrees with a brute-force computation to 1e-9", async (k, g, h, n, alpha) => {
    const data = randomData(k, g, h, 4242 + k * 100 + g * 10 + h + n);
    const file = path.join(tmp, `k-${k}-${g}-${h}-${n}.npy`);
    const gradFile = path.join(tmp, `g-${k}-${g}-${h}-${n}.npy`);
    await writeKernelFile(file, createKernel(data, [k, k, g, h]));
    const r = convreg("analyze", file, "--n", String(n), "--alpha", String(alpha), "--json", "--gradient-out", gradFile);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ shape: [k, k, g, h], n, alpha, engine: expect.any(String) });
    const { m } = bruteForceM(data, k, g, h, n);
    const f = bruteForcePenalty(m, alpha);
    const sigma = referenceSingularValues(m);
    const grad = theorem31(data, k, g, h, n, alpha);
    expect(Math.abs(out.penalty - f) / f).toBeLessThan(1e-9);
    expect(Math.abs(out.sigmaMax - sigma[0]) / sigma[0]).toBeLessThan(1e-9);
    expect(Math.abs(out.sigmaMin - sigma[sigma.length - 1]) / sigma[sigma.length - 1]).toBeLessThan(1e-9);
    expect(out.gradientNorm).toBeCloseTo(Math.hypot(...grad), 6);
    expect(typeof out.elapsedMs).toBe("number");
    const written = parseNpy(readFileSync(gradFile));
    expect(written.shape).toEqual([k, k, g, h]);
    expect(maxRelativeDiff(written.data, grad)).toBeLessThan(1e-9);
  });

  it("writes the gradient in the input's OIHW layout", async () => {
    const data = randomData(3, 2, 3, 77);
    const file = path.join(tmp, "oihw.npy");
    const kernel = createKernel(data, [3, 3, 2, 3]);
    await writeKernelFile(file, kernel, { layout: "oihw" });
    const gradFile = path.join(tmp, "oihw-grad.npy");
    const r = convreg("analyze", file, "--n", "4", "--layout", "oihw", "--json", "--gradient-out", gradFile);
    expect(r.code).toBe(0);
    const written = parseNpy(readFileSync(gradFile));
    expect(written.shape).toEqual([3, 2, 3, 3]);
    expect(maxRelativeDiff(kernelFromOIHW(written.data, written.shape).data, theorem31(data, 3, 2, 3, 4, 1))).toBeLessThan(1e-9);
  });

  it("prints a readable report without --json", () => {
    const r = convreg("analyze", path.join(root, "examples/kernel-3x3x3x6.npy"), "--n", "5");
    expect(r.code).toBe(0);
    for (const label of ["penalty", "sigma_max", "sigma_min", "condition", "gradient norm", "time"]) expect(r.stdout).toMatch(new RegExp(`^${label} +\\S`, "m"));
  });

  it.each([
    [["analyze", "x.npy"], 2, /^convreg analyze: --n is required \[ERR_ARGUMENT\]$/m],
    [["analyze", "examples/kernel-3x3x3x6.npy", "--n", "0"], 1, /^convreg analyze: --n must be an integer >= 1, got "0" \[ERR_RANGE\]$/m],
    [["analyze", "examples/kernel-3x3x3x6.npy", "--n", "3", "--alpha=-2"], 1, /--alpha must be a finite number > 0, got "-2"/],
    [["analyze", "examples/kernel-3x3x3x6.npy", "--n", "3", "--layout", "nchw"], 2, /--layout must be one of hwio, oihw, got "nchw"/],
    [["analyze", "examples/kernel-3x3x3x6.npy", "--n", "3", "--bogus"], 2, /Unknown option '--bogus'/],
    [["analyze", "missing.npy", "--n", "3"], 1, /^convreg analyze: missing\.npy: cannot read the file \(ENOENT\) \[ERR_KERNEL_FILE\]$/m],
    [["analyze", "test/fixtures/complex.npy", "--n", "3"], 1, /complex\.npy: not a readable \.npy kernel: dtype "<c16" is not supported.*\[ERR_NPY_HEADER\]$/m],
    // Partial results: every part refused is reported with its reason, exit 0, and a warning that nothing was computed.
    [
      ["analyze", "examples/kernel-3x3x3x6.npy", "--n", "20", "--memory-limit", "10"],
      0,
      /^convreg analyze: nothing could be computed: .*would need .* more than the memory limit of 10 B .*\[ERR_MEMORY_LIMIT\]$/m,
    ],
    [["frobnicate"], 2, /unknown command "frobnicate" .*\[ERR_ARGUMENT\]$/m],
  ])("%j exits %i with a clear line", (args, code, message) => {
    const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8", cwd: root });
    expect(r.status).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});
