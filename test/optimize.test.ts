import { describe, expect, it } from "vitest";
import { createKernel, gradient, penalty, penaltyAndGradient, singularValues, type Kernel } from "../lib/index.js";
import { optimize, piecewiseSchedule } from "../lib/optimize/index.js";
import { randomData } from "./reference.js";

const kernelOf = (k: number, g: number, h: number, seed: number): Kernel => createKernel(randomData(k, g, h, seed), [k, k, g, h]);
const shifted = (kernel: Kernel, direction: Float64Array, t: number): Kernel => ({
  shape: kernel.shape,
  data: kernel.data.map((v, i) => v + t * direction[i]),
});
const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe("optimizer: the paper's Algorithm 3.1", () => {
  it("equals a hand-written loop K <- K - lambda G, G = (1/2) dF/dK, with the paper's schedule", async () => {
    const start = kernelOf(3, 2, 1, 11);
    const n = 5;
    const iterations = 25; // crosses both schedule changes (10 and 20)
    const result = await optimize(start, { n, maxIterations: iterations, spectrumEvery: 0 });

    let data = Float64Array.from(start.data);
    const penalties: number[] = [];
    for (let i = 0; i <= iterations; i++) {
      const { penalty: f, gradient: g } = penaltyAndGradient({ shape: start.shape, data }, { n });
      penalties.push(f);
      if (i === iterations) break;
      const lambda = i < 10 ? 1e-5 : i < 20 ? 1e-4 : 1e-3;
      data = data.map((v, j) => v - lambda * (g.data[j] / 2));
    }
    expect(result.stopReason).toBe("maxIterations");
    expect(result.history.length).toBe(iterations + 1);
    expect(result.gradientEvaluations).toBe(iterations + 1);
    expect(maxAbs(result.kernel.data.map((v, j) => v - data[j]))).toBeLessThanOrEqual(1e-13 * maxAbs(data));
    result.history.forEach((row, i) => {
      expect(row.iteration).toBe(i);
      expect(Math.abs(row.penalty - penalties[i])).toBeLessThanOrEqual(1e-12 * penalties[i]);
      expect(row.step).toBe(i === iterations ? null : i < 10 ? 1e-5 : i < 20 ? 1e-4 : 1e-3);
    });
    expect(Array.from(start.data)).toEqual(Array.from(kernelOf(3, 2, 1, 11).data)); // input untouched
  });

  it("accepts constant, piecewise and function schedules", async () => {
    const start = kernelOf(3, 1, 2, 5);
    const run = (schedule: Parameters<typeof optimize>[1]["schedule"]) => optimize(start, { n: 4, maxIterations: 6, schedule, spectrumEvery: 0 });
    const a = await run({ kind: "constant", step: 2e-4 });
    const b = await run(piecewiseSchedule([0, 3], [2e-4, 2e-4]));
    const c = await run(() => 2e-4);
    expect(a.history.map((r) => r.step)).toEqual([2e-4, 2e-4, 2e-4, 2e-4, 2e-4, 2e-4, null]);
    expect(Array.from(b.kernel.data)).toEqual(Array.from(a.kernel.data));
    expect(Array.from(c.kernel.data)).toEqual(Array.from(a.kernel.data));
    const d = await run(piecewiseSchedule([0, 2], [1e-4, 3e-4]));
    expect(d.history.map((r) => r.step)).toEqual([1e-4, 1e-4, 3e-4, 3e-4, 3e-4, 3e-4, null]);
  });

  it("computes the spectrum where due and always at the final iterate, as dense dgesvd would", async () => {
    const start = kernelOf(3, 2, 3, 3);
    const n = 4;
    const r = await optimize(start, { n, maxIterations: 7, spectrumEvery: { first: 2, every: 3 } });
    expect(r.history.filter((row) => row.sigmaMax !== null).map((row) => row.iteration)).toEqual([0, 1, 3, 6, 7]);
    const sv = singularValues(r.kernel, { n, method: "svd" });
    const last = r.history.at(-1)!;
    expect(Math.abs(last.sigmaMax! - sv[0])).toBeLessThanOrEqual(1e-10 * sv[0]);
    expect(Math.abs(last.sigmaMin! - sv[sv.length - 1])).toBeLessThanOrEqual(1e-8 * sv[0]);
  });

  it("stops with 'diverged' and keeps the last finite kernel when a fixed step blows up", async () => {
    const start = kernelOf(3, 1, 1, 9);
    const r = await optimize(start, { n: 4, schedule: { kind: "constant", step: 1e100 }, maxIterations: 50, spectrumEvery: 0 });
    expect(r.stopReason).toBe("diverged");
    expect(r.kernel.data.every(Number.isFinite)).toBe(true);
  });
});

describe("optimizer: exact line search", () => {
  it("steps to the global minimizer of F(K - lambda G) over lambda > 0 (dense scan with penalty())", async () => {
    for (const [g, h, seed] of [
      [2, 1, 1],
      [1, 2, 2],
      [2, 3, 3],
    ]) {
      const start = kernelOf(3, g, h, seed);
      const n = 4;
      const r = await optimize(start, { n, optimizer: "line-search", maxIterations: 1, spectrumEvery: 0 });
      const lambda = r.history[0].step!;
      // References from the dense engine (M built explicitly), not the structured one behind the quartic.
      const dense = { n, engine: "dense" as const };
      const direction = gradient(start, dense).data.map((v) => -v / 2);
      const f0 = penalty(start, dense);
      const fStar = penalty(shifted(start, direction, lambda), dense);
      expect(fStar).toBeLessThan(f0);
      let scanMin = Infinity;
      for (let i = 1; i <= 4000; i++) scanMin = Math.min(scanMin, penalty(shifted(start, direction, (i / 1000) * lambda), dense));
      expect(fStar).toBeLessThanOrEqual(scanMin * (1 + 1e-12));
      // Stationary along the line: dF/dlambda = <dF/dK, direction> vanishes at the minimizer.
      const slope = gradient(shifted(start, direction, lambda), dense).data.reduce((s, v, i) => s + v * direction[i], 0);
      const slope0 = direction.reduce((s, v) => s - 2 * v * v, 0);
      expect(Math.abs(slope)).toBeLessThanOrEqual(1e-8 * Math.abs(slope0));
      expect(Math.abs(r.history[1].penalty - fStar)).toBeLessThanOrEqual(1e-12 * f0);
    }
  });

  it("never increases F over a run", async () => {
    const r = await optimize(kernelOf(3, 3, 2, 21), { n: 5, optimizer: "line-search", maxIterations: 40, spectrumEvery: 0 });
    for (let i = 1; i < r.history.length; i++) expect(r.history[i].penalty).toBeLessThanOrEqual(r.history[i - 1].penalty);
    expect(r.history.at(-1)!.penalty).toBeLessThan(r.history[0].penalty / 10);
  });
});

describe("optimizer: L-BFGS", () => {
  it("reaches a tight tolerance on a small case, never increasing F", async () => {
    const tolerance = 1e-4;
    const n = 5;
    const r = await optimize(kernelOf(3, 2, 3, 4), { n, optimizer: "lbfgs", maxIterations: 300, tolerance, spectrumEvery: 1 });
    expect(r.stopReason).toBe("tolerance");
    const sv = singularValues(r.kernel, { n, method: "svd" });
    expect(sv[0]).toBeLessThanOrEqual(1 + tolerance);
    expect(sv[sv.length - 1]).toBeGreaterThanOrEqual(1 - tolerance);
    for (let i = 1; i < r.history.length; i++) expect(r.history[i].penalty).toBeLessThanOrEqual(r.history[i - 1].penalty);
  });

  it("targets sqrt(alpha) when alpha != 1", async () => {
    const n = 4;
    const r = await optimize(kernelOf(3, 1, 2, 6), { n, alpha: 4, optimizer: "lbfgs", maxIterations: 300, tolerance: 1e-3, spectrumEvery: 1 });
    expect(r.stopReason).toBe("tolerance");
    const sv = singularValues(r.kernel, { n, method: "svd" });
    expect(sv[0]).toBeLessThanOrEqual(2 * (1 + 1e-3));
    expect(sv[sv.length - 1]).toBeGreaterThanOrEqual(2 * (1 - 1e-3));
  });
});

describe("optimizer: control", () => {
  it("rejects with ERR_ABORTED when aborted during a run, and at once when already aborted", async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = optimize(kernelOf(3, 2, 2, 8), {
      n: 5,
      maxIterations: 1000,
      signal: controller.signal,
      onIteration: (row) => {
        seen.push(row.iteration);
        if (row.iteration === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(seen).toEqual([0, 1, 2]);
    await expect(optimize(kernelOf(3, 1, 1, 1), { n: 3, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ERR_ABORTED" });
  });

  it("validates its options before any work, naming the option", async () => {
    const k = kernelOf(3, 1, 1, 1);
    await expect(optimize(k, { n: 0 })).rejects.toThrow(/options\.n/);
    await expect(optimize(k, { n: 3, optimizer: "adam" as never })).rejects.toThrow(/options\.optimizer/);
    await expect(optimize(k, { n: 3, tolerance: -1 })).rejects.toThrow(/options\.tolerance/);
    await expect(optimize(k, { n: 3, maxIterations: 1.5 })).rejects.toThrow(/options\.maxIterations/);
    await expect(optimize(k, { n: 3, schedule: { kind: "constant", step: 0 } })).rejects.toThrow(/options\.schedule\.step/);
    await expect(optimize(k, { n: 3, spectrumEvery: { first: 1, every: 0 } })).rejects.toThrow(/options\.spectrumEvery\.every/);
    await expect(optimize({ shape: [3, 3, 1, 1], data: new Float64Array(8) } as Kernel, { n: 3 })).rejects.toThrow(/kernel\.data/);
  });
});
