// The full spectrum's automatic route (lib/spectrum/values-route.ts): the Gram eigenvalues when their
// stated bound gives every value to gramTolerance, else dgesdd. Both routes against M built entry by
// entry and one-sided Jacobi singular values of it (no Gram matrix, so small values stay accurate).
import { describe, expect, it } from "vitest";
import { createKernel, DEFAULT_GRAM_TOLERANCE, singularValues, singularValuesDetailed, singularValuesDetailedAsync, spectrum, spectrumAsync, type Kernel } from "../lib/index.js";
import { bruteForceLayerM, bruteForceM, oneSidedJacobiSingularValues, randomData } from "./reference.js";

const eps = Number.EPSILON;

/** A kernel whose taps nearly cancel: every entry but one in four scaled by 1e-4, so M is close to singular (cond ~ 1e6). */
function nearlySingular(k: number, g: number, h: number, seed: number): Float64Array {
  return randomData(k, g, h, seed).map((v, i) => (i % 4 === 0 ? v : 1e-4 * v));
}

/** The stated Gram bound of value sigma, written from its definition (MATH.md): min(sqrt(d), d / sigma), d = side eps sigma_max^2. */
function gramBound(sigma: number, sigmaMax: number, side: number): number {
  const d = side * eps * sigmaMax * sigmaMax;
  return sigma > 0 ? Math.min(Math.sqrt(d), d / sigma) : Math.sqrt(d);
}

function expectEachWithin(got: ArrayLike<number>, expected: number[], bounds: ArrayLike<number>): void {
  expect(got.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - expected[i]), `value ${i}`).toBeLessThanOrEqual(bounds[i]);
}

describe("full spectrum route", () => {
  const [k, g, h, n] = [3, 2, 3, 6];
  const wellData = randomData(k, g, h, 41);
  const well = createKernel(wellData, [k, k, g, h]);
  const wellRef = oneSidedJacobiSingularValues(bruteForceM(wellData, k, g, h, n).m);
  const side = Math.min(g, h) * n * n;

  it("a well-conditioned kernel takes the Gram route by default and meets its stated bound per value", async () => {
    const r = singularValuesDetailed(well, { n });
    expect(r.method).toBe("gram");
    expect(r.gramTolerance).toBe(DEFAULT_GRAM_TOLERANCE);
    expect(r.relativeErrorBound).toBeLessThanOrEqual(DEFAULT_GRAM_TOLERANCE);
    // The bounds are the stated ones, and every value is within its own of the reference.
    const stated = Array.from(r.values, (s) => gramBound(s, r.values[0], side));
    for (let i = 0; i < stated.length; i++) expect(r.errorBounds[i]).toBeCloseTo(stated[i], 25);
    expectEachWithin(r.values, wellRef, stated);
    for (let i = 0; i < wellRef.length; i++) expect(Math.abs(r.values[i] - wellRef[i]) / wellRef[i]).toBeLessThanOrEqual(DEFAULT_GRAM_TOLERANCE);
    expect(Array.from(singularValues(well, { n }))).toEqual(Array.from(r.values));
    const a = await singularValuesDetailedAsync(well, { n });
    expect([a.method, Array.from(a.values)]).toEqual(["gram", Array.from(r.values)]);
  });

  it("explicit methods run as asked: svd within dgesdd's bound, gram within its stated bound", () => {
    const svd = singularValuesDetailed(well, { n, method: "svd" });
    expect([svd.method, svd.gramRelativeBound]).toEqual(["svd", null]);
    const svdBound = 4 * eps * svd.values[0] * Math.sqrt(h * n * n * g * n * n);
    expectEachWithin(svd.values, wellRef, new Array(wellRef.length).fill(svdBound));
    const gram = singularValuesDetailed(well, { n, method: "gram" });
    expect(gram.method).toBe("gram");
    expectEachWithin(
      gram.values,
      wellRef,
      Array.from(gram.values, (s) => gramBound(s, gram.values[0], side)),
    );
  });

  const [ks, gs, hs, ns] = [3, 2, 2, 5];
  const nearData = nearlySingular(ks, gs, hs, 7);
  const near = createKernel(nearData, [ks, ks, gs, hs]);
  const nearRef = oneSidedJacobiSingularValues(bruteForceM(nearData, ks, gs, hs, ns).m);
  const nearSide = Math.min(gs, hs) * ns * ns;

  it("a nearly singular kernel falls back to dgesdd, which meets its bound per value", () => {
    expect(nearRef[0] / nearRef[nearRef.length - 1]).toBeGreaterThan(1e5); // the case is what it claims
    const r = singularValuesDetailed(near, { n: ns });
    expect(r.method).toBe("svd");
    expect(r.gramRelativeBound).toBeGreaterThan(DEFAULT_GRAM_TOLERANCE);
    const svdBound = 4 * eps * r.values[0] * Math.sqrt(hs * ns * ns * gs * ns * ns);
    expect(Array.from(r.errorBounds)).toEqual(new Array(nearRef.length).fill(svdBound));
    expectEachWithin(r.values, nearRef, r.errorBounds);
    // The Gram route, asked for, still keeps its (wide) stated bound on the small values.
    const gram = singularValuesDetailed(near, { n: ns, method: "gram" });
    expectEachWithin(
      gram.values,
      nearRef,
      Array.from(gram.values, (s) => gramBound(s, gram.values[0], nearSide)),
    );
    expect(gram.relativeErrorBound).toBe(r.gramRelativeBound);
  });

  it("gramTolerance moves the switch", () => {
    const reached = singularValuesDetailed(well, { n }).gramRelativeBound!;
    expect(reached).toBeGreaterThan(0);
    expect(singularValuesDetailed(well, { n, gramTolerance: reached / 2 }).method).toBe("svd");
    expect(singularValuesDetailed(well, { n, gramTolerance: reached }).method).toBe("gram");
    const loose = singularValuesDetailed(near, { n: ns, gramTolerance: 0.5 });
    expect(loose.method).toBe("gram");
    expect(loose.relativeErrorBound).toBeLessThanOrEqual(0.5);
    expectEachWithin(loose.values, nearRef, loose.errorBounds);
  });

  it("spectrum's dense branch reports the route, and its extremes' brackets hold the reference", async () => {
    const cases: Array<[Kernel, number, number[], "gram" | "svd"]> = [
      [well, n, wellRef, "gram"],
      [near, ns, nearRef, "svd"],
    ];
    for (const [kernel, size, ref, route] of cases)
      for (const s of [spectrum(kernel, { n: size }), await spectrumAsync(kernel, { n: size })]) {
        expect([s.method, s.denseRoute?.method]).toEqual(["dense", route]);
        const last = ref.length - 1;
        expect(Math.abs(s.sigmaMax - ref[0])).toBeLessThanOrEqual(s.sigmaMaxBound);
        expect(s.sigmaMinLower!).toBeLessThanOrEqual(ref[last]);
        expect(s.sigmaMinUpper!).toBeGreaterThanOrEqual(ref[last]);
        expectEachWithin(s.values!, ref, s.denseRoute!.errorBounds);
      }
    expect(spectrum(well, { n, denseMethod: "svd" }).denseRoute).toMatchObject({ method: "svd", gramRelativeBound: null });
    expect(spectrum(near, { n: ns, denseMethod: "gram" }).denseRoute?.method).toBe("gram");
    expect(spectrum(well, { n, gramTolerance: 1e-16 }).denseRoute?.method).toBe("svd");
  });

  it("a strided layer's own M takes the same route", () => {
    const spec = { height: 7, width: 6, stride: 2, dilation: 1, padding: "zero" as const };
    const ref = oneSidedJacobiSingularValues(bruteForceLayerM(wellData, k, g, h, spec).m);
    const r = singularValuesDetailed(well, { n: 7, width: 6, stride: 2 });
    expect(r.method).toBe("gram");
    expectEachWithin(r.values, ref, r.errorBounds);
  });

  it("a grouped layer combines its groups' routes and bounds", () => {
    // Two groups: a well-conditioned and a nearly singular block on the diagonal of M.
    const data = new Float64Array(k * k * 1 * 2);
    const a = randomData(k, 1, 1, 3),
      b = nearlySingular(k, 1, 1, 5);
    for (let t = 0; t < k * k; t++) [data[2 * t], data[2 * t + 1]] = [a[t], b[t]];
    const grouped = createKernel(data, [k, k, 1, 2]);
    const refA = oneSidedJacobiSingularValues(bruteForceM(a, k, 1, 1, 5).m);
    const refB = oneSidedJacobiSingularValues(bruteForceM(b, k, 1, 1, 5).m);
    const ref = [...refA, ...refB].sort((x, y) => y - x);
    const r = singularValuesDetailed(grouped, { n: 5, groups: 2 });
    const s = spectrum(grouped, { n: 5, groups: 2 });
    for (const [method, values, bounds] of [
      [r.method, r.values, r.errorBounds],
      [s.denseRoute?.method, s.values!, s.denseRoute!.errorBounds],
    ] as const) {
      expect(method).toBe("mixed");
      expectEachWithin(values, ref, bounds);
    }
  });

  it("a singular M (an output channel of zeros) falls back to dgesdd; no relative bound is claimed", () => {
    const data = randomData(3, 2, 2, 9).map((v, i) => (i % 2 === 1 ? 0 : v)); // output channel 1 reads nothing
    const kernel = createKernel(data, [3, 3, 2, 2]);
    const ref = oneSidedJacobiSingularValues(bruteForceM(data, 3, 2, 2, 4).m);
    const r = singularValuesDetailed(kernel, { n: 4 });
    expect([r.method, r.relativeErrorBound, r.gramRelativeBound]).toEqual(["svd", null, null]);
    expectEachWithin(r.values, ref, r.errorBounds);
    const s = spectrum(kernel, { n: 4 });
    expect(s.denseRoute).toMatchObject({ method: "svd", relativeErrorBound: null, gramRelativeBound: null });
    expect(s.sigmaMinLower).toBe(0);
  });

  it("refuses a bad gramTolerance or denseMethod before computing", () => {
    expect(() => singularValuesDetailed(well, { n, gramTolerance: 0 })).toThrow(
      expect.objectContaining({ code: "ERR_RANGE", message: expect.stringContaining("options.gramTolerance") }),
    );
    expect(() => singularValues(well, { n, gramTolerance: 1 })).toThrow(expect.objectContaining({ code: "ERR_RANGE", message: expect.stringContaining("below 1") }));
    expect(() => spectrum(well, { n, gramTolerance: Number.NaN })).toThrow(expect.objectContaining({ code: "ERR_RANGE" }));
    // @ts-expect-error: not a dense method
    expect(() => spectrum(well, { n, denseMethod: "qr" })).toThrow(expect.objectContaining({ code: "ERR_ARGUMENT", message: expect.stringContaining("options.denseMethod") }));
  });
});
