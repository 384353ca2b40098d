/**
 * The Frobenius objective of the optimizer fills two gradient arrays in turn (penaltyAndGradient's
 * `out`): a gradient must stay intact through the next evaluation (L-BFGS's y = g_{i+1} - g_i reads
 * both), and every value must be dF/dK by the definition of M (test/reference.ts).
 */
import { describe, expect, it } from "vitest";
import { optimize } from "../lib/optimize/index.js";
import { createObjective } from "../lib/optimize/objective.js";
import { bruteForcePenaltyAndGradient, maxRelativeDiff, randomData } from "./reference.js";

const [k, g, h, n, alpha] = [3, 2, 3, 4, 1];

function reference(data: Float64Array) {
  return bruteForcePenaltyAndGradient(data, k, g, h, n, alpha);
}

describe("optimizer gradient buffers", () => {
  it("each gradient stays intact through the next evaluation and is dF/dK of its own iterate", async () => {
    const objective = createObjective("frobenius", { n, alpha, engine: undefined, memoryLimit: undefined, powerSteps: 1 });
    const iterates = [1, 2, 3, 4].map((seed) => randomData(k, g, h, seed));
    const results: Array<{ penalty: number; gradient: Float64Array }> = [];
    for (const [i, data] of iterates.entries()) {
      results.push(await objective.evaluate({ shape: [k, k, g, h], data }));
      // This step's and the last step's gradients: both still those of their own iterates.
      for (const j of [i - 1, i].filter((j) => j >= 0)) {
        const ref = reference(iterates[j]);
        expect(maxRelativeDiff(results[j].gradient, ref.gradient)).toBeLessThan(1e-12);
        expect(Math.abs(results[j].penalty - ref.penalty) / ref.penalty).toBeLessThan(1e-12);
      }
      if (i > 0) expect(results[i].gradient).not.toBe(results[i - 1].gradient);
    }
  });

  it("L-BFGS: every history row's penalty and gradient norm are those of its iterate, by definition", async () => {
    const kernel = { shape: [k, k, g, h] as [number, number, number, number], data: randomData(k, g, h, 9).map((v) => 0.5 * v) };
    const seen: Array<{ penalty: number; gradientNorm: number; data: Float64Array }> = [];
    const result = await optimize(kernel, {
      n,
      alpha,
      optimizer: "lbfgs",
      maxIterations: 6,
      tolerance: 1e-12,
      spectrumEvery: () => false,
      onIteration: (row, current) => seen.push({ penalty: row.penalty, gradientNorm: row.gradientNorm, data: Float64Array.from(current.data) }),
    });
    expect(seen.length).toBeGreaterThan(2);
    for (const row of seen) {
      const ref = reference(row.data);
      const norm = Math.hypot(...ref.gradient);
      expect(Math.abs(row.penalty - ref.penalty) / ref.penalty).toBeLessThan(1e-11);
      expect(Math.abs(row.gradientNorm - norm) / norm).toBeLessThan(1e-11);
    }
    // Exact line search along descent directions: the penalty falls at every accepted step.
    for (let i = 1; i < seen.length; i++) expect(seen[i].penalty).toBeLessThan(seen[i - 1].penalty);
    expect(result.gradientEvaluations).toBe(seen.length);
  });
});
