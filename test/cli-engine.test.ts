import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createKernel, writeKernelFile } from "../lib/index.js";
import { bruteForceM, bruteForcePenalty, randomData } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-engine-"));

function convreg(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("convreg analyze --engine", () => {
  it("reports the engine used (auto is structured) and every engine gives the brute-force penalty", async () => {
    const [k, g, h, n, alpha] = [4, 2, 3, 5, 0.8];
    const data = randomData(k, g, h, 31);
    const file = path.join(tmp, "kernel.npy");
    await writeKernelFile(file, createKernel(data, [k, k, g, h]));
    const expected = bruteForcePenalty(bruteForceM(data, k, g, h, n).m, alpha);
    for (const [flag, used] of [
      [[], "structured"],
      [["--engine", "auto"], "structured"],
      [["--engine", "structured"], "structured"],
      [["--engine", "dense"], "dense"],
    ] as const) {
      const r = convreg("analyze", file, "--n", String(n), "--alpha", String(alpha), "--json", ...flag);
      expect(r.stderr).toBe("");
      const out = JSON.parse(r.stdout);
      expect(out.engine).toBe(used);
      expect(Math.abs(out.penalty - expected) / expected).toBeLessThan(1e-12);
    }
    const text = convreg("analyze", file, "--n", String(n));
    expect(text.stdout).toMatch(/structured engine/);
  });

  it("rejects an unknown engine as a usage error", async () => {
    const file = path.join(tmp, "small.npy");
    await writeKernelFile(file, createKernel(randomData(3, 1, 1, 2), [3, 3, 1, 1]));
    const r = convreg("analyze", file, "--n", "4", "--engine", "fast");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--engine must be one of auto, dense, structured, got "fast"/);
  });
});
