import { describe, expect, it } from "vitest";
import { createKernel, singularValues, type Kernel } from "../lib/index.js";
import { sigmaMin, sigmaMinAsync } from "../lib/spectrum/sigma-min.js";
import { nearlySingularKernel } from "./near-singular.js";
import { bruteForceM, randomData, referenceSingularValues } from "./reference.js";

/** The smallest singular value by dgesvd and sigma_max (for the reference's own error). */
function denseExtremes(kernel: Kernel, n: number): { min: number; max: number } {
  const s = singularValues(kernel, { n, method: "svd" });
  return { min: s[s.length - 1], max: s[0] };
}

/** dgesvd is accurate to a small multiple of eps * sigma_max in every singular value. */
function expectBracketContains(r: ReturnType<typeof sigmaMin>, value: number, sigmaMax: number, slack = 1e-13 * sigmaMax): void {
  expect(r.lower).toBeLessThanOrEqual(value + slack);
  expect(r.upper).toBeGreaterThanOrEqual(value - slack);
  expect(r.lower).toBeLessThanOrEqual(r.sigmaMin);
  expect(r.sigmaMin).toBeLessThanOrEqual(r.upper);
}

// [k, g, h, N]: tall (g < h), wide (g > h, Gram on the output side), square, even k, N < k.
const randomCases: Array<[number, number, number, number]> = [
  [3, 2, 2, 16],
  [3, 3, 5, 8],
  [3, 5, 3, 8],
  [2, 3, 5, 8],
  [4, 4, 4, 10],
  [5, 2, 3, 7],
  [3, 8, 8, 6],
  [4, 3, 2, 3],
  [3, 1, 1, 12],
];

describe("sigmaMin against dense SVD", () => {
  it.each(randomCases)("random k=%i g=%i h=%i N=%i: the certified bracket contains the dgesvd value", (k, g, h, n) => {
    const kernel = createKernel(randomData(k, g, h, 31 * k + 7 * g + h + n), [k, k, g, h]);
    const dense = denseExtremes(kernel, n);
    const r = sigmaMin(kernel, { n });
    expect(r.certified).toBe(true);
    expectBracketContains(r, dense.min, dense.max);
    expect(Math.abs(r.sigmaMin - dense.min)).toBeLessThan(1e-12 * dense.max);
    expect(r.side).toBe(g <= h ? "input" : "output");
    expect(r.vector.length).toBe(Math.min(g, h) * n * n);
  });

  const nearCases: Array<[number, number, number, number, number]> = [
    [3, 4, 4, 12, 1e-3],
    [3, 3, 6, 10, 1e-4],
    [3, 6, 3, 10, 1e-4],
    [3, 5, 5, 9, 1e-3],
  ];
  it.each(nearCases)("near-singular k=%i g=%i h=%i N=%i (taps cancel a channel mix to %g): bracket contains dgesvd", (k, g, h, n, scale) => {
    // For g > h the annihilated mix lives on the input side, where M^T M is singular anyway;
    // transpose the roles so that the small side is the nearly singular one.
    const kernel = g <= h ? nearlySingularKernel(k, g, h, scale, 5 + n) : transposeChannels(nearlySingularKernel(k, h, g, scale, 5 + n));
    const dense = denseExtremes(kernel, n);
    expect(dense.min / dense.max).toBeLessThan(1e-2); // really near-singular
    const r = sigmaMin(kernel, { n });
    expect(r.certified).toBe(true);
    expectBracketContains(r, dense.min, dense.max);
  });

  it("a 1x1 kernel (every singular value N^2-fold) is bracketed by the direct Cholesky certificate", () => {
    const kernel = createKernel(randomData(1, 4, 4, 77), [1, 1, 4, 4]);
    const dense = denseExtremes(kernel, 5);
    const r = sigmaMin(kernel, { n: 5 });
    expect(r.certified).toBe(true);
    expect(r.certificate).toBe("cholesky");
    expectBracketContains(r, dense.min, dense.max);
  });

  it("a tiny isolated sigma_min (cond ~1e5) gets a bracket narrower than 1e-8", () => {
    const kernel = nearlySingularKernel(3, 3, 3, 1e-3, 2024);
    const n = 10;
    const dense = denseExtremes(kernel, n);
    const r = sigmaMin(kernel, { n });
    expect(r.certificate).toBe("kato-temple");
    expect(r.relativeWidth).toBeLessThan(1e-8);
    expectBracketContains(r, dense.min, dense.max);
  });

  it("a square k=2 layer (block triangular M, cond ~1e17: beyond a double-precision Gram) is not certified, and says so", () => {
    const kernel = createKernel(randomData(2, 4, 4, 83), [2, 2, 4, 4]);
    const dense = denseExtremes(kernel, 10);
    expect(dense.max / dense.min).toBeGreaterThan(1e12);
    const r = sigmaMin(kernel, { n: 10 });
    expect(r.certified).toBe(false);
    expect(r.certificate).toBe("none");
    expect(r.lower).toBe(0);
    expect(r.upper).toBeGreaterThanOrEqual(dense.min - 1e-13 * dense.max);
  });

  it.each([
    [3, 2, 3, 4],
    [3, 3, 2, 4],
    [2, 2, 2, 5],
  ])("k=%i g=%i h=%i N=%i: agrees with Jacobi eigenvalues of the brute-force Gram matrix", (k, g, h, n) => {
    const data = randomData(k, g, h, 900 + k + g + h + n);
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m);
    const r = sigmaMin(createKernel(data, [k, k, g, h]), { n });
    expect(r.certified).toBe(true);
    const min = expected[expected.length - 1];
    // Jacobi on the Gram matrix resolves eigenvalues to ~eps sigma_max^2, so sigma_min to that / sigma_min.
    expectBracketContains(r, min, expected[0], (1e-13 * expected[0] ** 2) / min + 1e-13 * expected[0]);
  });

  it("returns a unit singular vector: ||M v|| (or ||M^T v||) equals sigma_min", () => {
    for (const [g, h] of [
      [2, 3],
      [3, 2],
    ]) {
      const k = 3,
        n = 5;
      const data = randomData(k, g, h, 4 + g);
      const { m } = bruteForceM(data, k, g, h, n);
      const r = sigmaMin(createKernel(data, [k, k, g, h]), { n });
      const v = r.vector;
      expect(Math.hypot(...v)).toBeCloseTo(1, 12);
      let norm2 = 0;
      if (r.side === "input") for (const row of m) norm2 += row.reduce((a, x, j) => a + x * v[j], 0) ** 2;
      else for (let j = 0; j < m[0].length; j++) norm2 += m.reduce((a, row, i) => a + row[j] * v[i], 0) ** 2;
      expect(Math.abs(Math.sqrt(norm2) - r.sigmaMin)).toBeLessThan(1e-12);
    }
  });
});

/** The same layer with input and output channels swapped (K[p,q,d,c] -> K[p,q,c,d]). */
function transposeChannels(kernel: Kernel): Kernel {
  const [k, , g, h] = kernel.shape;
  const out = new Float64Array(kernel.data.length);
  for (let t = 0; t < k * k; t++) for (let d = 0; d < g; d++) for (let c = 0; c < h; c++) out[(t * h + c) * g + d] = kernel.data[(t * g + d) * h + c];
  return createKernel(out, [k, k, h, g]);
}

describe("sigmaMin guards", () => {
  const kernel = createKernel(randomData(3, 4, 4, 3), [3, 3, 4, 4]);

  it("async gives the same numbers as sync", async () => {
    const a = await sigmaMinAsync(kernel, { n: 8 });
    const b = sigmaMin(kernel, { n: 8 });
    expect([a.sigmaMin, a.lower, a.upper]).toEqual([b.sigmaMin, b.lower, b.upper]);
  });

  it("refuses a factor past factorMemoryLimit with the needed size, after the symbolic analysis", () => {
    expect(() => sigmaMin(kernel, { n: 8, factorMemoryLimit: 1000 })).toThrow(
      expect.objectContaining({ code: "ERR_MEMORY_LIMIT", message: expect.stringMatching(/would need [\d.]+ GiB, more than the factorMemoryLimit/) }),
    );
  });

  it("refuses a Gram matrix past memoryLimit before building it", () => {
    expect(() => sigmaMin(kernel, { n: 8, memoryLimit: 1000 })).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT" }));
  });

  it("rejects with ERR_ABORTED when aborted before the call", async () => {
    // Aborts while queued and while running: test/cancellation.test.ts.
    const pre = new AbortController();
    pre.abort();
    await expect(sigmaMinAsync(kernel, { n: 8, signal: pre.signal })).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(() => sigmaMin(kernel, { n: 8, signal: pre.signal })).toThrow(expect.objectContaining({ code: "ERR_ABORTED" }));
  });

  it("names the bad option", () => {
    expect(() => sigmaMin(kernel, { n: 0 })).toThrow(/options\.n/);
    expect(() => sigmaMin(kernel, { n: 4, tolerance: -1 })).toThrow(/options\.tolerance/);
    expect(() => sigmaMin(kernel, { n: 4, rounding: "exact" as never })).toThrow(/options\.rounding/);
    expect(() => sigmaMin(kernel, { n: 4, factorMemoryLimit: Number.NaN })).toThrow(/options\.factorMemoryLimit/);
  });

  it("an all-zero kernel has sigma_min exactly 0", () => {
    const r = sigmaMin(createKernel(new Float64Array(3 * 3 * 2 * 2), [3, 3, 2, 2]), { n: 4 });
    expect([r.sigmaMin, r.lower, r.upper, r.certificate]).toEqual([0, 0, 0, "exact"]);
  });
});

describe("sigmaMin rounding models: proven by default, probabilistic only on request", () => {
  const kernel = createKernel(randomData(3, 4, 4, 3), [3, 3, 4, 4]);
  const dense = denseExtremes(kernel, 8);

  it('the default is the worst-case model: bound "proven", the same bracket as rounding: "worst-case"', () => {
    const byDefault = sigmaMin(kernel, { n: 8 });
    const worst = sigmaMin(kernel, { n: 8, rounding: "worst-case" });
    expect([byDefault.bound, byDefault.certified]).toEqual(["proven", true]);
    expect([byDefault.lower, byDefault.upper, byDefault.lambda.roundingMargin]).toEqual([worst.lower, worst.upper, worst.lambda.roundingMargin]);
    expectBracketContains(byDefault, dense.min, dense.max);
  });

  it('the probabilistic model gives bound "probabilistic", certified false, and its own margin', () => {
    const byDefault = sigmaMin(kernel, { n: 8 });
    const p = sigmaMin(kernel, { n: 8, rounding: "probabilistic" });
    expect([p.bound, p.certified]).toEqual(["probabilistic", false]);
    expect(p.certificate).toBe(byDefault.certificate); // the same argument, under a weaker rounding model
    // gamma_m: 10 sqrt(m) u against m u / (1 - m u) (the probabilistic one is the smaller only for m > 100).
    expect(p.lambda.roundingMargin).toBeGreaterThan(0);
    expect(p.lambda.roundingMargin).not.toBe(byDefault.lambda.roundingMargin);
    expectBracketContains(p, dense.min, dense.max);
  });

  it('a result with no lower bound has bound "none" under either model', () => {
    const singular = createKernel(randomData(2, 4, 4, 83), [2, 2, 4, 4]);
    for (const rounding of ["worst-case", "probabilistic"] as const) {
      const r = sigmaMin(singular, { n: 10, rounding });
      expect([r.bound, r.certified, r.certificate, r.lower]).toEqual(["none", false, "none", 0]);
    }
  });

  it("an exact answer (all-zero kernel) is proven under either model", () => {
    const zero = createKernel(new Float64Array(3 * 3 * 2 * 2), [3, 3, 2, 2]);
    for (const rounding of ["worst-case", "probabilistic"] as const) expect(sigmaMin(zero, { n: 4, rounding }).bound).toBe("proven");
  });
});
