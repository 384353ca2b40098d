// lib/core/arrays.ts allFinite, the branch-free check of kernels and native results, against the
// plain definition (every entry passes Number.isFinite) for each position and kind of bad value.
import { describe, expect, it } from "vitest";
import { allFinite } from "../lib/core/arrays.js";

const byDefinition = (a: Float64Array) => Array.from(a).every((v) => Number.isFinite(v));

describe("allFinite", () => {
  it("agrees with Number.isFinite on every entry, for each length 0-9, position and non-finite value", () => {
    for (let n = 0; n <= 9; n++) {
      const base = Float64Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * 10 ** (i * 37 - 150)); // tiny to huge, both signs
      expect(allFinite(base)).toBe(true);
      for (let at = 0; at < n; at++)
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const a = Float64Array.from(base);
          a[at] = bad;
          expect(allFinite(a), `n ${n}, entry ${at} = ${bad}`).toBe(byDefinition(a));
        }
    }
  });

  it("holds for -0, the largest doubles and subnormals, and sees +Infinity and -Infinity together", () => {
    expect(allFinite(Float64Array.of(-0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE))).toBe(true);
    expect(allFinite(Float64Array.of(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY))).toBe(false);
    expect(allFinite(new Float64Array(1001).fill(1e300))).toBe(true);
  });
});
