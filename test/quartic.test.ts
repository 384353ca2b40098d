import { describe, expect, it } from "vitest";
import { minimizeOnPositiveAxis } from "../lib/optimize/quartic.js";
import { realRoots } from "../lib/optimize/quartic.js";

// Coefficients (ascending) of prod (t - r_i) times lead.
function fromRoots(roots: number[], lead = 1): number[] {
  let c = [lead];
  for (const r of roots) c = [...c.map((v) => -r * v), 0].map((v, i) => v + (i > 0 ? c[i - 1] : 0));
  return c;
}
const value = (c: number[], t: number) => c.reduce((s, v, i) => s + v * t ** i, 0);

describe("exact line minimizer", () => {
  it("finds all real roots of a cubic with three close roots", () => {
    const roots = realRoots(fromRoots([0.5, 0.5001, 3]), 0, 10);
    expect(roots.length).toBe(3);
    [0.5, 0.5001, 3].forEach((r, i) => expect(Math.abs(roots[i] - r)).toBeLessThan(1e-9));
  });

  it("picks the global minimizer when the quartic has two local minima on t > 0", () => {
    // p' = 4 (t - 1)(t - 2)(t - 4): local minima at 1 and 4, p(4) < p(1) for this p.
    const d = fromRoots([1, 2, 4], 4);
    const c = [7, ...d.map((v, i) => v / (i + 1))];
    const m = minimizeOnPositiveAxis(c);
    expect(m.t).toBeCloseTo(4, 12);
    let scan = Infinity;
    for (let i = 0; i <= 100000; i++) scan = Math.min(scan, value(c, i * 1e-4));
    expect(value(c, m.t)).toBeLessThanOrEqual(scan + 1e-12);
    expect(m.change).toBeCloseTo(value(c, 4) - 7, 10);
  });

  it("returns t = 0 when no positive t lowers p (increasing on t > 0)", () => {
    expect(minimizeOnPositiveAxis([1, 2, 1, 0, 1]).t).toBe(0);
    expect(minimizeOnPositiveAxis([1, 0, 0, 0, 0]).t).toBe(0);
  });

  it("matches a dense scan on random quartics with a descent slope", () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31) * 2 - 1;
    };
    for (let trial = 0; trial < 50; trial++) {
      const c = [rand(), -Math.abs(rand()), rand() * 3, rand() * 3, Math.abs(rand()) + 0.1];
      const m = minimizeOnPositiveAxis(c);
      expect(m.t).toBeGreaterThan(0);
      let scan = Infinity;
      for (let i = 1; i <= 20000; i++) scan = Math.min(scan, value(c, i * 1e-3));
      expect(value(c, m.t)).toBeLessThanOrEqual(scan + 1e-12);
    }
  });
});
