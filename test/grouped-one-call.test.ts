/**
 * The grouped structured penalty in one native call (src/grouped_penalty.cpp) against the
 * reference path: each group's kernel sliced out and computed by its own plain call, F summed and
 * the gradients put back in place. (groups.test.ts checks the same layers against M written out.)
 */
import { describe, expect, it } from "vitest";
import { createKernel, penaltyAndGradient, penaltyAndGradientAsync, type Kernel } from "../lib/index.js";
import { native } from "../lib/native/addon.js";
import { assembleGroups, groupKernels, readGroups, type GroupOptions } from "../lib/core/groups.js";
import { maxRelativeDiff, randomData } from "./reference.js";

type Case = { shape: [number, number, number, number]; kind: GroupOptions; n: number };

const cases: Case[] = [
  { shape: [3, 3, 2, 4], kind: { groups: 2 }, n: 5 },
  { shape: [3, 3, 2, 6], kind: { groups: 3 }, n: 4 },
  { shape: [2, 2, 3, 4], kind: { groups: 4 }, n: 5 },
  { shape: [3, 3, 5, 1], kind: { depthwise: true }, n: 6 },
  { shape: [3, 3, 4, 2], kind: { depthwise: true }, n: 4 },
  { shape: [1, 1, 3, 2], kind: { depthwise: true }, n: 3 },
];

/** The reference path: one plain structured call per group. */
function perGroup(kernel: Kernel, kind: GroupOptions, n: number, alpha: number) {
  const layout = readGroups(kernel, kind);
  if (!layout) throw new Error("not grouped");
  const parts = groupKernels(kernel, layout).map((k) => penaltyAndGradient(k, { n, alpha }));
  return {
    penalty: parts.reduce((s, p) => s + p.penalty, 0),
    gradient: assembleGroups(
      parts.map((p) => p.gradient),
      layout,
      kernel.shape,
    ).data,
  };
}

describe("grouped structured penalty and gradient in one native call", () => {
  for (const [index, c] of cases.entries()) {
    const [k, , g, h] = c.shape;
    const kernel = createKernel(randomData(k, g, h, 500 + index).subarray(0, k * k * g * h), c.shape);
    const alpha = 0.8;
    const expected = perGroup(kernel, c.kind, c.n, alpha);
    it(`${JSON.stringify(c.kind)} ${c.shape.join("x")} N=${c.n}: the native call, sync, async and out match per-group calls`, async () => {
      const layout = readGroups(kernel, c.kind);
      if (!layout) throw new Error("not grouped");
      const raw = new Float64Array(kernel.data.length);
      const f = native.groupedStructuredPenaltyAndGradient(kernel.data, k, layout.inPerGroup, layout.outPerGroup, c.n, alpha, layout.count, raw);
      expect(Math.abs(f - expected.penalty) / expected.penalty).toBeLessThan(1e-13);
      expect(maxRelativeDiff(raw, expected.gradient)).toBeLessThan(1e-13);
      const options = { n: c.n, alpha, ...c.kind };
      const sync = penaltyAndGradient(kernel, options);
      expect(sync.engine).toBe("structured");
      expect(sync.penalty).toBe(f);
      expect(Array.from(sync.gradient.data)).toEqual(Array.from(raw));
      const out = new Float64Array(kernel.data.length);
      const async = await penaltyAndGradientAsync(kernel, { ...options, out });
      expect(async.gradient.data).toBe(out);
      expect(async.penalty).toBe(f);
      expect(Array.from(out)).toEqual(Array.from(raw));
    });
  }

  it("routes that are not the one-call structured route (dense engine, circular, stride 2) still agree with per-group calls", () => {
    const kernel = createKernel(randomData(3, 2, 4, 77).subarray(0, 36 * 2), [3, 3, 2, 4]);
    for (const extra of [{ engine: "dense" as const }, { padding: "circular" as const }, { stride: 2 }]) {
      const layout = readGroups(kernel, { groups: 2 });
      if (!layout) throw new Error("not grouped");
      const parts = groupKernels(kernel, layout).map((part) => penaltyAndGradient(part, { n: 5, ...extra }));
      const r = penaltyAndGradient(kernel, { n: 5, groups: 2, ...extra });
      expect(r.penalty).toBeCloseTo(parts[0].penalty + parts[1].penalty, 10);
      expect(
        maxRelativeDiff(
          r.gradient.data,
          assembleGroups(
            parts.map((p) => p.gradient),
            layout,
            kernel.shape,
          ).data,
        ),
      ).toBeLessThan(1e-12);
    }
  });

  it("the native call rejects a kernel whose length is not groups*k*k*g*h", () => {
    expect(() => native.groupedStructuredPenaltyAndGradient(new Float64Array(17), 3, 1, 1, 4, 1, 2, new Float64Array(18))).toThrow(/length/);
  });
});
