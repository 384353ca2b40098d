// The layer's own M (stride, SAME/VALID, dilation, H x W, transposed) and its spectra, each
// against M built entry by entry (bruteForceLayerM) and Jacobi eigenvalues of its Gram matrix.
import { describe, expect, it } from "vitest";
import {
  createKernel,
  gradient,
  lineQuartic,
  penalty,
  resolveSpectrumMethod,
  singularValues,
  singularValuesAsync,
  spectrum,
  spectrumAsync,
  transformMatrix,
  type Kernel,
} from "../lib/index.js";
import { sigmaMin } from "../lib/spectrum/sigma-min.js";
import { sigmaMaxIterative } from "../lib/spectrum/sigma-max.js";
import { bruteForceGradient, bruteForceLayerM, bruteForcePenalty, randomData, referenceSingularValues, transpose, type LayerGeometry, type Rows } from "./reference.js";

type Case = { k: number; g: number; h: number; geo: LayerGeometry; transposed?: boolean; why: string };

const geo = (height: number, width: number, stride: number, padding: "zero" | "valid" = "zero", dilation = 1): LayerGeometry => ({ height, width, stride, dilation, padding });

const cases: Case[] = [
  { k: 3, g: 2, h: 3, geo: geo(7, 6, 2), why: "s=2 SAME, odd x even, g<h" },
  { k: 3, g: 3, h: 2, geo: geo(6, 9, 2), why: "s=2 SAME, even x odd, g>h" },
  { k: 3, g: 2, h: 2, geo: geo(8, 7, 3), why: "s=3 SAME" },
  { k: 2, g: 1, h: 3, geo: geo(7, 4, 3, "valid"), why: "k=2 s=3 VALID" },
  { k: 5, g: 2, h: 1, geo: geo(3, 4, 2), why: "k=5, N<k SAME" },
  { k: 3, g: 2, h: 3, geo: geo(3, 3, 1, "valid"), why: "VALID with N=k" },
  { k: 3, g: 2, h: 2, geo: geo(9, 8, 1, "valid"), why: "VALID s=1, H != W" },
  { k: 3, g: 2, h: 3, geo: geo(9, 7, 2, "zero", 2), why: "dilation 2 SAME s=2" },
  { k: 3, g: 3, h: 1, geo: geo(7, 8, 1, "valid", 2), why: "dilation 2 VALID" },
  { k: 3, g: 2, h: 3, geo: geo(7, 6, 2), transposed: true, why: "transposed s=2" },
  { k: 3, g: 3, h: 2, geo: geo(6, 5, 1, "valid"), transposed: true, why: "transposed VALID" },
  { k: 1, g: 3, h: 2, geo: geo(5, 6, 2), why: "k=1 s=2 (unread pixels)" },
  { k: 1, g: 2, h: 4, geo: geo(4, 5, 3, "valid"), transposed: true, why: "k=1 s=3 VALID transposed" },
];

function kernelOf(c: Case, seed: number): Kernel {
  return createKernel(randomData(c.k, c.g, c.h, seed), [c.k, c.k, c.g, c.h]);
}

function layerOptions(c: Case) {
  return { n: c.geo.height, width: c.geo.width, stride: c.geo.stride, padding: c.geo.padding, dilation: c.geo.dilation, transposed: c.transposed === true };
}

/** The layer's own M by definition: the forward M, transposed for a transposed layer. */
function referenceM(c: Case, kernel: Kernel): Rows {
  const { m } = bruteForceLayerM(kernel.data, c.k, c.g, c.h, c.geo);
  return c.transposed ? transpose(m) : m;
}

/**
 * The reference values are square roots of Jacobi eigenvalues of the Gram matrix, whose
 * absolute error is about eps sigma_max^2: compare the squares, relative to sigma_max^2.
 */
function expectValuesClose(actual: ArrayLike<number>, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  const scale = (expected[0] || 1) ** 2;
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] ** 2 - expected[i] ** 2)).toBeLessThanOrEqual(tolerance * scale);
}

/** [lower, upper] contains `value` up to the reference's own error (squares, relative to sigma_max^2). */
function expectBracket(lower: number, upper: number, value: number, top: number): void {
  expect(lower ** 2).toBeLessThanOrEqual(value ** 2 + 1e-12 * top ** 2);
  expect(upper ** 2).toBeGreaterThanOrEqual(value ** 2 - 1e-12 * top ** 2);
}

describe.each(cases)("layer spectra: $why (k=$k g=$g h=$h)", (c) => {
  const kernel = kernelOf(c, 13 + c.k * 7 + c.g + 3 * c.h);
  const m = referenceM(c, kernel);
  const reference = referenceSingularValues(m);
  const o = layerOptions(c);

  it("transformMatrix is M entry by entry, sparse and dense", () => {
    const dense = transformMatrix(kernel, { ...o, dense: true });
    expect([dense.rows, dense.cols]).toEqual([m.length, m[0].length]);
    for (let i = 0; i < dense.rows; i++) for (let j = 0; j < dense.cols; j++) expect(dense.data[i * dense.cols + j]).toBe(m[i][j]);
    const sparse = transformMatrix(kernel, o);
    const rebuilt = Array.from({ length: sparse.rows }, () => new Array<number>(sparse.cols).fill(0));
    for (let i = 0; i < sparse.rows; i++)
      for (let z = sparse.rowStart[i]; z < sparse.rowStart[i + 1]; z++) {
        expect(sparse.value[z]).toBe(kernel.data[sparse.entry[z]]);
        rebuilt[i][sparse.column[z]] += sparse.value[z];
      }
    expect(rebuilt).toEqual(m);
  });

  it("singularValues (svd, gram, async) match the reference", async () => {
    expectValuesClose(singularValues(kernel, { ...o, method: "svd" }), reference, 1e-12);
    expectValuesClose(singularValues(kernel, { ...o, method: "gram" }), reference, 1e-7);
    expectValuesClose(await singularValuesAsync(kernel, { ...o, method: "svd" }), reference, 1e-12);
    // The default: dgesdd, or the closed form for k = 1.
    expectValuesClose(singularValues(kernel, o), reference, 1e-12);
  });

  it("spectrum dense / iterative / certified bracket the reference", async () => {
    const top = reference[0];
    const bottom = reference[reference.length - 1];
    const dense = spectrum(kernel, { ...o, method: "dense" });
    expect(dense.method).toBe("dense");
    expect(Math.abs(dense.sigmaMax - top)).toBeLessThanOrEqual(dense.sigmaMaxBound + 1e-14 * top);
    expectBracket(dense.sigmaMinLower!, dense.sigmaMinUpper!, bottom, top);
    const iterative = await spectrumAsync(kernel, { ...o, method: "iterative", tolerance: 1e-10 });
    expect(iterative.sigmaMaxConverged).toBe(true);
    expect(Math.abs(iterative.sigmaMax - top)).toBeLessThanOrEqual(iterative.sigmaMaxBound + 1e-13 * top);
    expect(iterative.sigmaMin).toBeNull();
    const certified = spectrum(kernel, { ...o, method: "certified" });
    expect(certified.method).toBe("certified");
    expectBracket(certified.sigmaMinLower!, certified.sigmaMinUpper!, bottom, top);
  });

  it("sigmaMin certified bracket contains the reference sigma_min", () => {
    const top = reference[0];
    const bottom = reference[reference.length - 1];
    const r = sigmaMin(kernel, o);
    expectBracket(r.lower, r.upper, bottom, top);
    if (r.certified) expect(r.bound).toBe("proven");
    expect(r.vector.length).toBe(Math.min(m.length, m[0].length));
  });
});

describe("layer spectra: certificates and routing", () => {
  it("certifies a well-conditioned strided layer (proven bracket, tight)", () => {
    const c: Case = { k: 3, g: 2, h: 3, geo: geo(7, 6, 2), why: "" };
    const kernel = kernelOf(c, 99);
    const values = referenceSingularValues(referenceM(c, kernel));
    const r = sigmaMin(kernel, layerOptions(c));
    expect(r.certified).toBe(true);
    expect(r.bound).toBe("proven");
    expect(r.certificate).toBe("kato-temple");
    expectBracket(r.lower, r.upper, values.at(-1)!, values[0]);
    expect(r.relativeWidth).toBeLessThan(1e-6);
  });

  it("sigmaMaxIterative takes the layer options; a transposed layer has the forward values", () => {
    const c: Case = { k: 3, g: 3, h: 2, geo: geo(6, 9, 2, "zero", 2), why: "" };
    const kernel = kernelOf(c, 5);
    const top = referenceSingularValues(referenceM(c, kernel))[0];
    const forward = sigmaMaxIterative(kernel, { ...layerOptions(c), tolerance: 1e-11 });
    const backward = sigmaMaxIterative(kernel, { ...layerOptions(c), transposed: true, tolerance: 1e-11 });
    for (const r of [forward, backward]) expect(Math.abs(r.sigmaMax - top)).toBeLessThanOrEqual(r.sigmaMaxBound + 1e-13 * top);
    expect(singularValues(kernel, { ...layerOptions(c), transposed: true })).toEqual(singularValues(kernel, layerOptions(c)));
  });

  it('"auto" is dense within the work limit and iterative past it, sized by the layer\'s R x C', () => {
    const kernel = kernelOf({ k: 3, g: 2, h: 2, geo: geo(1, 1, 1), why: "" }, 3);
    // Strided: M is 2*4*4 x 2*8*8 = 32 x 128, work 32 * 128 * 32 = 131072.
    const o = { n: 8, stride: 2 };
    expect(resolveSpectrumMethod(kernel, { ...o, denseWorkLimit: 131072 }).method).toBe("dense");
    const fallback = resolveSpectrumMethod(kernel, { ...o, denseWorkLimit: 131071 });
    expect(fallback.method).toBe("iterative");
    expect(fallback.fallbackReason).toContain("1.31e+5");
    expect(spectrum(kernel, { ...o, denseWorkLimit: 131071 }).method).toBe("iterative");
  });

  it("refuses circular padding where there is no circular route, and bad layers before allocating", () => {
    const kernel = kernelOf({ k: 3, g: 2, h: 2, geo: geo(1, 1, 1), why: "" }, 3);
    expect(() => sigmaMin(kernel, { n: 6, padding: "circular" })).toThrow(expect.objectContaining({ code: "ERR_ARGUMENT" }));
    expect(() => transformMatrix(kernel, { n: 6, padding: "circular" })).toThrow(expect.objectContaining({ code: "ERR_ARGUMENT" }));
    expect(() => singularValues(kernel, { n: 2, padding: "valid" })).toThrow(expect.objectContaining({ code: "ERR_RANGE" }));
    expect(() => spectrum(kernel, { n: 1 << 20, stride: 2, method: "dense" })).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT" }));
    expect(() => sigmaMin(kernel, { n: 1 << 20, stride: 2 })).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT" }));
    expect(() => spectrum(kernel, { n: 4, method: "pointwise" })).toThrow(expect.objectContaining({ code: "ERR_ARGUMENT" }));
    expect(() => singularValues(createKernel(randomData(3, 2, 2, 1), [3, 3, 2, 2]), { n: 4, stride: 2, method: "pointwise" })).toThrow(
      expect.objectContaining({ code: "ERR_ARGUMENT" }),
    );
  });
});

describe("1 x 1 layers: closed forms", () => {
  const pointwise: Case[] = [
    { k: 1, g: 3, h: 2, geo: geo(5, 6, 1), why: "s=1" },
    { k: 1, g: 2, h: 3, geo: geo(5, 6, 2), why: "s=2 SAME, H != W" },
    { k: 1, g: 4, h: 2, geo: geo(7, 4, 3, "valid"), why: "s=3 VALID" },
    { k: 1, g: 2, h: 3, geo: geo(6, 5, 2, "zero", 2), transposed: true, why: "s=2 transposed, dilation 2" },
    { k: 1, g: 3, h: 3, geo: geo(4, 4, 1), transposed: true, why: "s=1 square transposed" },
  ];
  it.each(pointwise)("penalty, gradient, quartic, values and spectrum match M: $why", (c) => {
    const kernel = kernelOf(c, 41 + c.g);
    const direction = kernelOf(c, 42 + c.h);
    const m = referenceM(c, kernel);
    const alpha = 0.7;
    const o = { ...layerOptions(c), alpha };
    const f = bruteForcePenalty(m, alpha);
    expect(penalty(kernel, o)).toBeCloseTo(f, 10);
    // The reference gradient is of ||M^T M - a I||^2 for the layer's own M, over its Omega.
    const own = c.transposed ? transpose(bruteForceLayerM(kernel.data, c.k, c.g, c.h, c.geo).m) : m;
    const omega = new Map<number, Array<[number, number]>>();
    const fwd = bruteForceLayerM(kernel.data, c.k, c.g, c.h, c.geo).omega;
    for (const [e, list] of fwd) omega.set(e, c.transposed ? list.map(([i, j]) => [j, i] as [number, number]) : list);
    const expected = bruteForceGradient(own, omega, kernel.data.length, alpha);
    const got = gradient(kernel, o).data;
    for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i], 9);
    // F(K + t D) at t = 0.3 against the quartic.
    const t = 0.3;
    const moved = createKernel(
      kernel.data.map((v, i) => v + t * direction.data[i]),
      kernel.shape,
    );
    const q = lineQuartic(kernel, direction, o);
    const poly = q[0] + t * (q[1] + t * (q[2] + t * (q[3] + t * q[4])));
    expect(poly).toBeCloseTo(bruteForcePenalty(referenceM(c, moved), alpha), 9);
    // Values: K's, each Ho Wo times, then zeros (exact zeros, not rounding).
    const reference = referenceSingularValues(m);
    const values = singularValues(kernel, layerOptions(c));
    expectValuesClose(values, reference, 1e-12);
    const s = spectrum(kernel, layerOptions(c));
    expect(s.method).toBe("pointwise");
    expect(Math.abs(s.sigmaMax - reference[0])).toBeLessThanOrEqual(s.sigmaMaxBound + 1e-14);
    expectBracket(s.sigmaMinLower!, s.sigmaMinUpper!, reference.at(-1)!, reference[0]);
  });

  it("stays cheap at a huge N: the spectrum of a 1 x 1 layer at N = 2^20 without any M", () => {
    const kernel = createKernel(randomData(1, 3, 2, 8), [1, 1, 3, 2]);
    const small = referenceSingularValues(transpose(bruteForceLayerM(kernel.data, 1, 3, 2, geo(1, 1, 1)).m));
    const s = spectrum(kernel, { n: 1 << 20, stride: 2 });
    expect(s.method).toBe("pointwise");
    expect(s.values).toBeNull();
    expect(Math.abs(s.sigmaMax - small[0])).toBeLessThanOrEqual(1e-14 + s.sigmaMaxBound);
    // rows h (N/2)^2 < cols g N^2: every value is one of K's two.
    expect(Math.abs(s.sigmaMin! - small[1])).toBeLessThanOrEqual(1e-14 + s.sigmaMaxBound);
  });
});
