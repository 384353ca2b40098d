import { describe, expect, it } from "vitest";
import { createKernel, singularValues, spectralPenaltyAndGradient, spectralPenaltyAndGradientAsync, spectralVectorLength } from "../lib/index.js";
import { bruteForceM, jacobiEigenpairs, multiply, randomData, rng, transpose, type Rows } from "./reference.js";

/** B = G - alpha I for the smaller Gram matrix (M M^T when h < g, else M^T M), from the brute-force M. */
function referenceB(data: Float64Array, k: number, g: number, h: number, n: number, alpha: number): Rows {
  const { m } = bruteForceM(data, k, g, h, n);
  const t = transpose(m);
  const gram = h < g ? multiply(m, t) : multiply(t, m);
  return gram.map((row, i) => row.map((v, j) => v - (i === j ? alpha : 0)));
}

/** The eigenpair of largest |value| and the gap to the next |value| (relative). */
function dominant(b: Rows): { value: number; vector: Float64Array; gap: number } {
  const pairs = jacobiEigenpairs(b).sort((x, y) => Math.abs(y.value) - Math.abs(x.value));
  return { value: pairs[0].value, vector: Float64Array.from(pairs[0].vector), gap: (Math.abs(pairs[0].value) - Math.abs(pairs[1].value)) / Math.abs(pairs[0].value) };
}

const quadratic = (b: Rows, v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < b.length; i++) for (let j = 0; j < b.length; j++) s += v[i] * b[i][j] * v[j];
  return s;
};

const shapes: Array<[number, number, number, number]> = [
  [3, 3, 1, 4],
  [3, 1, 3, 4],
  [3, 3, 6, 3],
  [3, 6, 3, 3],
  [2, 2, 3, 3],
  [3, 2, 2, 3],
  [2, 2, 1, 3],
  [4, 1, 2, 3],
  [5, 2, 1, 2],
];

describe("2-norm penalty: the chain rule", () => {
  it.each(shapes)("k=%i g=%i h=%i N=%i: at the exact dominant eigenvector the gradient matches finite differences of |lambda*|", (k, g, h, n) => {
    const data = randomData(k, g, h, 31 * k + 7 * g + h + 100 * n);
    const alpha = 1;
    const b = referenceB(data, k, g, h, n, alpha);
    const dom = dominant(b);
    expect(dom.gap).toBeGreaterThan(1e-3); // simple dominant eigenvalue: |lambda*| is differentiable
    const kernel = createKernel(data, [k, k, g, h]);
    const r = spectralPenaltyAndGradient(kernel, { n, alpha, powerSteps: 1, startVector: dom.vector, engine: "dense" });
    expect(r.side).toBe(h < g ? "outputs" : "inputs");
    expect(Math.abs(r.eigenvalue - dom.value)).toBeLessThan(1e-10 * Math.abs(dom.value));
    expect(r.penalty).toBeCloseTo(Math.abs(dom.value), 9);
    expect(r.residual).toBeLessThan(1e-8 * Math.abs(dom.value));
    const eps = 1e-6;
    const magnitude = (d: Float64Array): number => Math.abs(dominant(referenceB(d, k, g, h, n, alpha)).value);
    let scale = 0;
    for (const x of r.gradient.data) scale = Math.max(scale, Math.abs(x));
    for (let e = 0; e < data.length; e++) {
      const plus = data.slice(),
        minus = data.slice();
      plus[e] += eps;
      minus[e] -= eps;
      const fd = (magnitude(plus) - magnitude(minus)) / (2 * eps);
      expect(Math.abs(r.gradient.data[e] - fd)).toBeLessThan(1e-6 * scale + 1e-8);
    }
  });

  it.each(shapes)("k=%i g=%i h=%i N=%i: for any fixed v the gradient is that of |v^T B(K) v|", (k, g, h, n) => {
    const data = randomData(k, g, h, 5 + k + g * 10 + h * 100 + n * 1000);
    const alpha = 0.7;
    const r0 = rng(99);
    const v = Float64Array.from({ length: spectralVectorLength(createKernel(data, [k, k, g, h]), n) }, () => r0.normal());
    let norm = 0;
    for (const x of v) norm += x * x;
    const unit = v.map((x) => x / Math.sqrt(norm));
    const r = spectralPenaltyAndGradient(createKernel(data, [k, k, g, h]), { n, alpha, powerSteps: 1, startVector: v, engine: "dense" });
    expect(Math.abs(r.eigenvalue - quadratic(referenceB(data, k, g, h, n, alpha), unit))).toBeLessThan(1e-12 * (1 + Math.abs(r.eigenvalue)));
    const eps = 1e-6;
    let scale = 0;
    for (const x of r.gradient.data) scale = Math.max(scale, Math.abs(x));
    for (let e = 0; e < data.length; e++) {
      const plus = data.slice(),
        minus = data.slice();
      plus[e] += eps;
      minus[e] -= eps;
      const fd = (Math.abs(quadratic(referenceB(plus, k, g, h, n, alpha), unit)) - Math.abs(quadratic(referenceB(minus, k, g, h, n, alpha), unit))) / (2 * eps);
      expect(Math.abs(r.gradient.data[e] - fd)).toBeLessThan(1e-7 * scale + 1e-9);
    }
  });
});

describe("2-norm penalty: the power method", () => {
  const paper: Array<[number, number]> = [
    [3, 1],
    [1, 3],
    [3, 6],
    [6, 3],
  ];
  it.each(paper)("3x3x%ix%i, N=6: many warm-started steps converge to max(sigma_max^2 - a, a - sigma_min^2) from dgesvd", (g, h) => {
    const n = 6;
    const kernel = createKernel(randomData(3, g, h, 17 * g + h), [3, 3, g, h]);
    const sigma = singularValues(kernel, { n, method: "svd" });
    for (const alpha of [1, 0.8 * sigma[0] ** 2]) {
      const top = sigma[0] ** 2 - alpha,
        bottom = alpha - sigma[sigma.length - 1] ** 2;
      const expected = Math.max(top, bottom);
      let r = spectralPenaltyAndGradient(kernel, { n, alpha, engine: "dense" });
      // The top two singular values can be close (slow convergence): iterate until v is an eigenvector.
      for (let call = 0; call < 200 && r.residual > 1e-10 * expected; call++)
        r = spectralPenaltyAndGradient(kernel, { n, alpha, startVector: r.vector, powerSteps: 1000, engine: "dense" });
      expect(r.residual).toBeLessThan(1e-10 * expected);
      expect(Math.abs(r.penalty - expected) / expected).toBeLessThan(1e-10);
      expect(Math.sign(r.eigenvalue)).toBe(top >= bottom ? 1 : -1);
    }
  });

  it("warm start continues the iteration: two calls of 2 steps equal one call of 4", () => {
    const kernel = createKernel(randomData(3, 3, 6, 4), [3, 3, 3, 6]);
    const first = spectralPenaltyAndGradient(kernel, { n: 5 });
    const second = spectralPenaltyAndGradient(kernel, { n: 5, startVector: first.vector });
    const once = spectralPenaltyAndGradient(kernel, { n: 5, powerSteps: 4 });
    expect(Math.abs(second.eigenvalue - once.eigenvalue)).toBeLessThan(1e-12 * Math.abs(once.eigenvalue));
    for (let i = 0; i < once.vector.length; i++) expect(Math.abs(second.vector[i] - once.vector[i])).toBeLessThan(1e-12);
  });

  it("the async form gives the same result", async () => {
    const kernel = createKernel(randomData(3, 2, 3, 8), [3, 3, 2, 3]);
    const a = spectralPenaltyAndGradient(kernel, { n: 4, powerSteps: 3 });
    const b = await spectralPenaltyAndGradientAsync(kernel, { n: 4, powerSteps: 3 });
    expect(b.eigenvalue).toBe(a.eigenvalue);
    expect(Array.from(b.gradient.data)).toEqual(Array.from(a.gradient.data));
  });
});

describe("2-norm penalty: bad input", () => {
  const kernel = createKernel(randomData(3, 2, 3, 1), [3, 3, 2, 3]);
  it("names the argument and the constraint", () => {
    expect(() => spectralPenaltyAndGradient(kernel, { n: 4, powerSteps: 0 })).toThrow(/options.powerSteps must be an integer between 1/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 4, powerSteps: 1.5 })).toThrow(/options.powerSteps must be an integer/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 4, startVector: new Float64Array(5) })).toThrow(/options.startVector must have min\(g, h\) N\^2 = 32 entries, got 5/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 4, startVector: new Float64Array(32) })).toThrow(/must not be the zero vector/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 4, startVector: new Float64Array(32).fill(NaN) })).toThrow(/finite/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 4, startVector: [1, 2] as unknown as Float64Array })).toThrow(/must be a Float64Array, got an array/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 4, engine: "fast" as never })).toThrow(/options.engine must be one of/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 4, padding: "circular" as never })).toThrow(/options.padding must be one of "zero"/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 0 })).toThrow(/options.n/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 4, alpha: -1 })).toThrow(/alpha/);
    expect(() => spectralPenaltyAndGradient(kernel, { n: 2000, engine: "dense" })).toThrow(/memory limit/);
  });
});

describe("2-norm penalty: matrix-free against dense", () => {
  const cases: Array<[number, number, number, number]> = [];
  for (const k of [1, 2, 3, 4, 5])
    for (const [g, h] of [
      [1, 1],
      [1, 3],
      [3, 1],
      [2, 3],
      [3, 2],
      [4, 4],
    ])
      for (const n of [1, 2, 4, 7]) cases.push([k, g, h, n]);
  it.each(cases)("k=%i g=%i h=%i N=%i: the same eigenvalue, vector and gradient to rounding", (k, g, h, n) => {
    const kernel = createKernel(randomData(k, g, h, 3 + k + 10 * g + 100 * h + 1000 * n), [k, k, g, h]);
    for (const steps of [1, 3]) {
      const d = spectralPenaltyAndGradient(kernel, { n, alpha: 1.3, powerSteps: steps, engine: "dense" });
      const s = spectralPenaltyAndGradient(kernel, { n, alpha: 1.3, powerSteps: steps, engine: "structured" });
      const scale = Math.abs(d.eigenvalue) + 1;
      expect(Math.abs(s.eigenvalue - d.eigenvalue)).toBeLessThan(1e-12 * scale);
      for (let i = 0; i < d.vector.length; i++) expect(Math.abs(s.vector[i] - d.vector[i])).toBeLessThan(1e-11);
      let gscale = 0;
      for (const x of d.gradient.data) gscale = Math.max(gscale, Math.abs(x));
      for (let i = 0; i < d.gradient.data.length; i++) expect(Math.abs(s.gradient.data[i] - d.gradient.data[i])).toBeLessThan(1e-12 * (gscale + 1));
    }
  });
});
