import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createKernel, spectrum, spectrumAsync, writeKernelFile } from "../lib/index.js";
import { bruteForceM, randomData, referenceSingularValues } from "./reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-certified-"));

describe('spectrum method "certified"', () => {
  it("fills sigmaMin and its certified bracket around the Jacobi reference, sync and async", async () => {
    const [k, g, h, n] = [3, 3, 2, 5];
    const data = randomData(k, g, h, 404);
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m);
    const min = expected[expected.length - 1];
    const slack = (1e-13 * expected[0] ** 2) / min;
    const kernel = createKernel(data, [k, k, g, h]);
    for (const s of [spectrum(kernel, { n, method: "certified" }), await spectrumAsync(kernel, { n, method: "certified" })]) {
      expect(s.method).toBe("certified");
      expect(s.sigmaMinCertified).toBe(true);
      expect(s.bound).toEqual({ sigmaMax: "probabilistic", sigmaMin: "proven" });
      expect(s.sigmaMinLower!).toBeLessThanOrEqual(min + slack);
      expect(s.sigmaMinUpper!).toBeGreaterThanOrEqual(min - slack);
      expect(Math.abs(s.sigmaMax - expected[0])).toBeLessThanOrEqual(s.sigmaMaxBound + 1e-13 * expected[0]);
    }
  });

  it('rounding: "probabilistic" gives bound "probabilistic", not certified, the bracket still around the reference', () => {
    const [k, g, h, n] = [3, 3, 2, 5];
    const data = randomData(k, g, h, 404);
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m);
    const min = expected[expected.length - 1];
    const slack = (1e-13 * expected[0] ** 2) / min;
    const s = spectrum(createKernel(data, [k, k, g, h]), { n, method: "certified", rounding: "probabilistic" });
    expect([s.sigmaMinCertified, s.bound.sigmaMin]).toEqual([false, "probabilistic"]);
    expect(s.sigmaMinLower!).toBeLessThanOrEqual(min + slack);
    expect(s.sigmaMinUpper!).toBeGreaterThanOrEqual(min - slack);
    expect(() => spectrum(createKernel(data, [k, k, g, h]), { n, rounding: "exact" as never })).toThrow(/options\.rounding/);
  });

  it("none: no bound on either end", () => {
    expect(spectrum(createKernel(randomData(3, 2, 2, 1), [3, 3, 2, 2]), { n: 4, method: "none" }).bound).toEqual({ sigmaMax: "none", sigmaMin: "none" });
  });

  it("is refused with circular padding, naming the option", () => {
    const kernel = createKernel(randomData(3, 2, 2, 1), [3, 3, 2, 2]);
    expect(() => spectrum(kernel, { n: 4, method: "certified", padding: "circular" })).toThrow(/options\.method "certified"/);
  });

  it("convreg analyze --spectrum certified reports the bracket", async () => {
    const [k, g, h, n] = [3, 2, 4, 6];
    const data = randomData(k, g, h, 17);
    const file = path.join(tmp, "k.npy");
    await writeKernelFile(file, createKernel(data, [k, k, g, h]));
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m);
    const min = expected[expected.length - 1];
    const r = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), "analyze", file, "--n", String(n), "--spectrum", "certified", "--json"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ spectrumMethod: "certified", sigmaMinCertified: true, bound: { sigmaMin: "proven" } });
    expect(out.sigmaMinLower).toBeLessThanOrEqual(min + (1e-13 * expected[0] ** 2) / min);
    expect(out.sigmaMinUpper).toBeGreaterThanOrEqual(min - (1e-13 * expected[0] ** 2) / min);
    const text = spawnSync(process.execPath, [path.join(root, "bin/convreg.js"), "analyze", file, "--n", String(n), "--spectrum", "certified"], { encoding: "utf8" });
    expect(text.stdout).toMatch(/^sigma_min {7}\S+ {3}\(in \[\S+, \S+\], certified; shift-invert on a CHOLMOD Cholesky of the Gram matrix\)$/m);
  });
});
