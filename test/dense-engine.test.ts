import { describe, expect, it } from "vitest";
import { createKernel, penalty, penaltyAndGradient, penaltyAndGradientAsync, singularValues, singularValuesAsync, transformMatrix } from "../lib/index.js";
import { bruteForceM, bruteForcePenalty, maxRelativeDiff, randomData, referenceSingularValues } from "./reference.js";

// k in 1..5 (odd and even), g, h in 1..3, N in 1..7 including N < k.
const cases: Array<[number, number, number, number]> = [];
for (const k of [1, 2, 3, 4, 5])
  for (const [g, h] of [
    [1, 1],
    [1, 3],
    [3, 1],
    [2, 3],
    [3, 2],
  ])
    for (const n of [1, 2, 3, 5, 7]) if (g * h * n * n <= 120) cases.push([k, g, h, n]);

describe("M by its definition", () => {
  it.each(cases)("k=%i g=%i h=%i N=%i: sparse and dense M equal the brute force entry by entry", (k, g, h, n) => {
    const data = randomData(k, g, h, 1000 * k + 100 * g + 10 * h + n);
    const kernel = createKernel(data, [k, k, g, h]);
    const { m } = bruteForceM(data, k, g, h, n);
    const dense = transformMatrix(kernel, { n, dense: true });
    expect([dense.rows, dense.cols]).toEqual([h * n * n, g * n * n]);
    const sparse = transformMatrix(kernel, { n });
    const fromSparse = Array.from({ length: sparse.rows }, () => new Array<number>(sparse.cols).fill(0));
    for (let i = 0; i < sparse.rows; i++)
      for (let z = sparse.rowStart[i]; z < sparse.rowStart[i + 1]; z++) {
        fromSparse[i][sparse.column[z]] += sparse.value[z];
        expect(sparse.value[z]).toBe(data[sparse.entry[z]]);
      }
    for (let i = 0; i < m.length; i++)
      for (let j = 0; j < m[0].length; j++) {
        expect(dense.data[i * dense.cols + j]).toBe(m[i][j]);
        expect(fromSparse[i][j]).toBe(m[i][j]);
      }
  });
});

describe("penalty, gradient and singular values", () => {
  it.each(cases)("k=%i g=%i h=%i N=%i: penalty equals ||M^T M - aI||^2 of the brute-force M", (k, g, h, n) => {
    const data = randomData(k, g, h, 7 + k * g * h * n);
    const alpha = 0.5 + (k % 3);
    const { m } = bruteForceM(data, k, g, h, n);
    const expected = bruteForcePenalty(m, alpha);
    const got = penalty(createKernel(data, [k, k, g, h]), { n, alpha, engine: "dense" });
    expect(Math.abs(got - expected) / expected).toBeLessThan(1e-12);
  });

  it.each(cases.filter((_, i) => i % 3 === 0))("k=%i g=%i h=%i N=%i: gradient equals central finite differences", (k, g, h, n) => {
    const data = randomData(k, g, h, 99 + k + g + h + n);
    const kernel = createKernel(data, [k, k, g, h]);
    const { penalty: f, gradient } = penaltyAndGradient(kernel, { n, alpha: 1, engine: "dense" });
    const { m } = bruteForceM(data, k, g, h, n);
    expect(Math.abs(f - bruteForcePenalty(m, 1)) / f).toBeLessThan(1e-12);
    const fd = new Float64Array(data.length);
    for (let e = 0; e < data.length; e++) {
      const step = 1e-4 * Math.max(1, Math.abs(data[e]));
      const plus = data.slice();
      plus[e] += step;
      const minus = data.slice();
      minus[e] -= step;
      const fp = bruteForcePenalty(bruteForceM(plus, k, g, h, n).m, 1);
      const fm = bruteForcePenalty(bruteForceM(minus, k, g, h, n).m, 1);
      fd[e] = (fp - fm) / (2 * step);
    }
    // F is a quartic: the central difference error is step^2 * F''' / 6, tiny at this step.
    expect(maxRelativeDiff(gradient.data, fd)).toBeLessThan(1e-6);
  });

  it.each(cases.filter((_, i) => i % 2 === 0))("k=%i g=%i h=%i N=%i: singular values equal Jacobi eigenvalues of the Gram matrix", (k, g, h, n) => {
    const data = randomData(k, g, h, 3 + 17 * k + g + 5 * h + n);
    const kernel = createKernel(data, [k, k, g, h]);
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m);
    for (const method of ["svd", "gram"] as const) {
      const got = singularValues(kernel, { n, method });
      expect(got.length).toBe(Math.min(g, h) * n * n);
      for (let i = 1; i < got.length; i++) expect(got[i]).toBeLessThanOrEqual(got[i - 1]);
      // Absolute accuracy relative to sigma_max (Jacobi on the Gram matrix squares the condition).
      expect(maxRelativeDiff(got, expected)).toBeLessThan(1e-10);
    }
  });

  it("async forms give the same numbers as the sync forms", async () => {
    const kernel = createKernel(randomData(3, 2, 3, 5), [3, 3, 2, 3]);
    const opts = { n: 6, alpha: 1 };
    const [a, b] = await Promise.all([penaltyAndGradientAsync(kernel, opts), singularValuesAsync(kernel, opts)]);
    expect(a.penalty).toBe(penalty(kernel, opts));
    expect(Array.from(a.gradient.data)).toEqual(Array.from(penaltyAndGradient(kernel, opts).gradient.data));
    expect(Array.from(b)).toEqual(Array.from(singularValues(kernel, opts)));
  });
});
