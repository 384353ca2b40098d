/**
 * The grouped penalty in one native call (src/grouped_penalty.cpp; structured and layer engines) against the
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

  const layerCases: Array<{
    shape: [number, number, number, number];
    kind: GroupOptions;
    options: { n: number; width?: number; stride?: number; dilation?: number; padding?: "zero" | "valid"; transposed?: boolean };
  }> = [
    { shape: [3, 3, 2, 4], kind: { groups: 2 }, options: { n: 6, width: 5, stride: 2 } },
    { shape: [2, 2, 2, 2], kind: { groups: 2 }, options: { n: 5, stride: 3, padding: "valid" } },
    { shape: [3, 3, 2, 4], kind: { groups: 2 }, options: { n: 7, width: 6, dilation: 2 } },
    { shape: [3, 3, 3, 2], kind: { depthwise: true }, options: { n: 6, stride: 2, transposed: true } },
    { shape: [3, 3, 4, 1], kind: { depthwise: true }, options: { n: 3, padding: "valid" } },
  ];
  for (const [index, c] of layerCases.entries()) {
    it(`layer engine, ${JSON.stringify(c.kind)} ${JSON.stringify(c.options)}: the one call (native, sync, async, out) matches per-group calls`, async () => {
      const [k, , g, h] = c.shape;
      const kernel = createKernel(randomData(k, g, h, 700 + index).subarray(0, k * k * g * h), c.shape);
      const layout = readGroups(kernel, c.kind);
      if (!layout) throw new Error("not grouped");
      const options = { ...c.options, alpha: 0.6 };
      const parts = groupKernels(kernel, layout).map((part) => penaltyAndGradient(part, options));
      const expectedF = parts.reduce((sum, p) => sum + p.penalty, 0);
      const expected = assembleGroups(
        parts.map((p) => p.gradient),
        layout,
        kernel.shape,
      ).data;
      const o = { ...options, ...c.kind };
      const { n, width = n, stride = 1, dilation = 1, padding = "zero", transposed = false } = c.options;
      const raw = new Float64Array(kernel.data.length);
      const f = native.groupedLayerPenaltyAndGradient(
        kernel.data,
        k,
        layout.inPerGroup,
        layout.outPerGroup,
        n,
        width ?? n,
        stride,
        dilation,
        padding === "valid",
        transposed,
        0.6,
        layout.count,
        raw,
      );
      expect(Math.abs(f - expectedF) / expectedF).toBeLessThan(1e-13);
      expect(maxRelativeDiff(raw, expected)).toBeLessThan(1e-13);
      const sync = penaltyAndGradient(kernel, o);
      expect(sync.penalty).toBe(f);
      expect(Array.from(sync.gradient.data)).toEqual(Array.from(raw));
      const out = new Float64Array(kernel.data.length);
      const async = await penaltyAndGradientAsync(kernel, { ...o, out });
      expect(async.gradient.data).toBe(out);
      expect(async.penalty).toBe(f);
      expect(Array.from(out)).toEqual(Array.from(raw));
    });
  }

  it("routes that stay per group (dense engine, circular padding, k = 1 with stride 2) agree with per-group calls", () => {
    for (const [shape, extra] of [
      [[3, 3, 2, 4], { engine: "dense" as const }],
      [[3, 3, 2, 4], { padding: "circular" as const }],
      [[1, 1, 2, 4], { stride: 2 }],
    ] as const) {
      const [k, , g, h] = shape;
      const kernel = createKernel(randomData(k, g, h, 77).subarray(0, k * k * g * h), [...shape]);
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

  it("the native calls reject a kernel whose length is not groups*k*k*g*h", () => {
    expect(() => native.groupedStructuredPenaltyAndGradient(new Float64Array(17), 3, 1, 1, 4, 1, 2, new Float64Array(18))).toThrow(/length/);
    expect(() => native.groupedLayerPenaltyAndGradient(new Float64Array(17), 3, 1, 1, 4, 4, 2, 1, false, false, 1, 2, new Float64Array(18))).toThrow(/length/);
  });
});
