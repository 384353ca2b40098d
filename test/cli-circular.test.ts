import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createKernel, parseNpy, writeKernelFile } from "../lib/index.js";
import { bruteForceCircularM, bruteForcePenalty, maxRelativeDiff, randomData, referenceSingularValues } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-cli-circular-"));

function convreg(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("convreg analyze --padding circular", () => {
  it.each([
    [3, 2, 3, 5],
    [4, 3, 1, 3],
    [2, 1, 2, 1],
  ])("k=%i g=%i h=%i N=%i: --json and --gradient-out agree with the brute-force circular M", async (k, g, h, n) => {
    const data = randomData(k, g, h, 8080 + k * 100 + g * 10 + h + n);
    const file = path.join(tmp, `k-${k}-${g}-${h}-${n}.npy`);
    const gradFile = path.join(tmp, `g-${k}-${g}-${h}-${n}.npy`);
    await writeKernelFile(file, createKernel(data, [k, k, g, h]));
    const r = convreg("analyze", file, "--n", String(n), "--padding", "circular", "--json", "--gradient-out", gradFile);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.padding).toBe("circular");
    expect(report.spectrumMethod).toBe("circular-fft");
    const m = bruteForceCircularM(data, k, g, h, n);
    const f = bruteForcePenalty(m, 1);
    expect(Math.abs(report.penalty - f) / f).toBeLessThan(1e-12);
    const sigma = referenceSingularValues(m);
    expect(Math.abs(report.sigmaMax - sigma[0]) / sigma[0]).toBeLessThan(1e-10);
    expect(Math.abs(report.sigmaMin - sigma[sigma.length - 1]) / sigma[0]).toBeLessThan(1e-10);
    const grad = parseNpy(readFileSync(gradFile)).data;
    const fd = data.map((_, e) => {
      const step = 1e-4 * Math.max(1, Math.abs(data[e]));
      const plus = data.slice();
      plus[e] += step;
      const minus = data.slice();
      minus[e] -= step;
      return (bruteForcePenalty(bruteForceCircularM(plus, k, g, h, n), 1) - bruteForcePenalty(bruteForceCircularM(minus, k, g, h, n), 1)) / (2 * step);
    });
    expect(maxRelativeDiff(grad, fd)).toBeLessThan(1e-6);
  });

  it("reports padding zero by default and rejects an unknown padding as a usage error", async () => {
    const file = path.join(tmp, "small.npy");
    await writeKernelFile(file, createKernel(randomData(3, 1, 1, 3), [3, 3, 1, 1]));
    const r = convreg("analyze", file, "--n", "4", "--json");
    expect(JSON.parse(r.stdout).padding).toBe("zero");
    const bad = convreg("analyze", file, "--n", "4", "--padding", "reflect");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--padding must be one of zero, valid, circular, got "reflect"/);
  });
});
