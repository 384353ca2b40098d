import { describe, expect, it } from "vitest";
import { backtrack, ARMIJO_C } from "../lib/optimize/backtracking.js";
import { createKernel, singularValues, spectralPenaltyAndGradient, type Kernel } from "../lib/index.js";
import { optimize } from "../lib/optimize/index.js";
import { randomData } from "./reference.js";

const kernelOf = (k: number, g: number, h: number, seed: number): Kernel => createKernel(randomData(k, g, h, seed), [k, k, g, h]);

/** ||B||_2 from the full spectrum (dgesvd): max(sigma_max^2 - a, a - sigma_min^2). */
function trueNorm(kernel: Kernel, n: number, alpha: number): number {
  const s = singularValues(kernel, { n });
  return Math.max(s[0] ** 2 - alpha, alpha - s[s.length - 1] ** 2);
}

describe("backtracking line search", () => {
  it("halves from t0 until the Armijo condition holds", async () => {
    const phi = async (t: number) => (t - 3) ** 2;
    const r = await backtrack(phi, 9, -6, 16);
    expect(r).toEqual({ t: 4, value: 1, trials: 3 });
    expect(1).toBeLessThanOrEqual(9 + ARMIJO_C * 4 * -6);
  });
  it("refuses a non-descent slope and reports no step when nothing decreases", async () => {
    expect((await backtrack(async () => 0, 1, 0, 1)).t).toBe(0);
    const r = await backtrack(async () => 2, 1, -1, 1, 5);
    expect(r).toEqual({ t: 0, value: 1, trials: 5 });
  });
});

describe("optimize with method spectral", () => {
  it("the paper's fixed steps follow K <- K - lambda/2 d||B||_2/dK with the warm-started vector", async () => {
    const n = 4,
      alpha = 1,
      lambda = 1e-3;
    const start = kernelOf(3, 2, 3, 11);
    const r = await optimize(start, { n, alpha, method: "spectral", schedule: { kind: "constant", step: lambda }, maxIterations: 6, spectrumEvery: 0 });
    expect(r.method).toBe("spectral");
    // The same loop written out with the public spectral function.
    let data = Float64Array.from(start.data);
    let vector: Float64Array | undefined;
    for (let i = 0; i <= 6; i++) {
      const s = spectralPenaltyAndGradient({ shape: start.shape, data }, { n, alpha, startVector: vector });
      expect(Math.abs(r.history[i].penalty - s.penalty)).toBeLessThan(1e-12 * s.penalty);
      vector = s.vector;
      data = data.map((v, j) => v - (lambda / 2) * s.gradient.data[j]);
    }
  });

  it.each(["line-search", "lbfgs"] as const)("%s with backtracking lowers the true 2-norm ||B||_2", async (optimizer) => {
    const n = 5,
      alpha = 1;
    const start = kernelOf(3, 1, 3, 21);
    const before = trueNorm(start, n, alpha);
    const r = await optimize(start, { n, alpha, method: "spectral", optimizer, maxIterations: 40, spectrumEvery: 0 });
    expect(r.quarticEvaluations).toBeGreaterThan(0);
    expect(trueNorm(r.kernel, n, alpha)).toBeLessThan(0.5 * before);
  });

  it("the dense and matrix-free engines give the same run", async () => {
    const start = kernelOf(3, 3, 2, 5);
    const a = await optimize(start, { n: 4, method: "spectral", optimizer: "line-search", maxIterations: 5, spectrumEvery: 0, engine: "dense" });
    const b = await optimize(start, { n: 4, method: "spectral", optimizer: "line-search", maxIterations: 5, spectrumEvery: 0, engine: "structured" });
    for (let i = 0; i < a.history.length; i++) expect(Math.abs(a.history[i].penalty - b.history[i].penalty)).toBeLessThan(1e-9 * a.history[i].penalty);
  });

  it("rejects an unknown method and bad powerSteps", async () => {
    const k = kernelOf(3, 1, 1, 1);
    await expect(optimize(k, { n: 3, method: "nuclear" as never })).rejects.toThrow(/options.method must be one of "frobenius", "spectral"/);
    await expect(optimize(k, { n: 3, method: "spectral", powerSteps: 0 })).rejects.toThrow(/options.powerSteps must be an integer between 1/);
  });
});
