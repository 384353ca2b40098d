import { describe, expect, it } from "vitest";
import {
  createKernel,
  gradient,
  lineQuartic,
  penalty,
  penaltyAndGradient,
  penaltyAndGradientAsync,
  penaltyAsync,
  singularValues,
  singularValuesAsync,
  spectrum,
  spectrumAsync,
} from "../lib/index.js";
import { bruteForceCircularM, bruteForcePenalty, maxRelativeDiff, randomData, referenceSingularValues } from "./reference.js";

// k in 1..5 (odd and even), g != h and g == h, N from 1 (every N < k included for k > 1).
const cases: Array<[number, number, number, number]> = [];
for (const k of [1, 2, 3, 4, 5])
  for (const [g, h] of [
    [1, 1],
    [1, 3],
    [3, 1],
    [2, 3],
    [3, 2],
  ])
    for (const n of [1, 2, 3, 4, 6]) if (g * h * n * n <= 110) cases.push([k, g, h, n]);

describe("circular padding against a brute-force block-circulant M", () => {
  it.each(cases)("k=%i g=%i h=%i N=%i: penalty (FFT and dense engines)", (k, g, h, n) => {
    const data = randomData(k, g, h, 31 * k + 7 * g + 3 * h + n);
    const kernel = createKernel(data, [k, k, g, h]);
    const alpha = 0.5 + ((k + n) % 3);
    const expected = bruteForcePenalty(bruteForceCircularM(data, k, g, h, n), alpha);
    for (const engine of ["auto", "dense"] as const) {
      const got = penalty(kernel, { n, alpha, padding: "circular", engine });
      expect(Math.abs(got - expected) / expected).toBeLessThan(1e-12);
    }
  });

  it.each(cases.filter((_, i) => i % 2 === 0))("k=%i g=%i h=%i N=%i: gradient equals central finite differences", (k, g, h, n) => {
    const data = randomData(k, g, h, 500 + 11 * k + g + 5 * h + n);
    const kernel = createKernel(data, [k, k, g, h]);
    const fd = new Float64Array(data.length);
    for (let e = 0; e < data.length; e++) {
      const step = 1e-4 * Math.max(1, Math.abs(data[e]));
      const plus = data.slice();
      plus[e] += step;
      const minus = data.slice();
      minus[e] -= step;
      const fp = bruteForcePenalty(bruteForceCircularM(plus, k, g, h, n), 1);
      const fm = bruteForcePenalty(bruteForceCircularM(minus, k, g, h, n), 1);
      fd[e] = (fp - fm) / (2 * step);
    }
    for (const engine of ["auto", "dense"] as const) {
      const r = penaltyAndGradient(kernel, { n, alpha: 1, padding: "circular", engine });
      // F is a quartic: the central difference error is step^2 * F''' / 6, tiny at this step.
      expect(maxRelativeDiff(r.gradient.data, fd)).toBeLessThan(1e-6);
      expect(r.gradient.shape).toEqual([k, k, g, h]);
    }
  });

  it.each(cases.filter((_, i) => i % 2 === 1))("k=%i g=%i h=%i N=%i: singular values equal Jacobi eigenvalues", (k, g, h, n) => {
    const data = randomData(k, g, h, 900 + 13 * k + 3 * g + h + n);
    const kernel = createKernel(data, [k, k, g, h]);
    const expected = referenceSingularValues(bruteForceCircularM(data, k, g, h, n));
    for (const method of [undefined, "fft", "svd", "gram"] as const) {
      const got = singularValues(kernel, { n, padding: "circular", method });
      expect(got.length).toBe(Math.min(g, h) * n * n);
      for (let i = 1; i < got.length; i++) expect(got[i]).toBeLessThanOrEqual(got[i - 1]);
      expect(maxRelativeDiff(got, expected)).toBeLessThan(1e-10);
    }
  });
});

describe("circular padding at sizes past the brute force", () => {
  it("one channel: the singular values are the moduli of the kernel's 2-D DFT (N = 40, k = 4)", () => {
    const k = 4,
      n = 40;
    const data = randomData(k, 1, 1, 77);
    const m = Math.ceil(k / 2);
    const expected: number[] = [];
    for (let f1 = 0; f1 < n; f1++)
      for (let f2 = 0; f2 < n; f2++) {
        let re = 0,
          im = 0;
        for (let p = 0; p < k; p++)
          for (let q = 0; q < k; q++) {
            const angle = (2 * Math.PI * (f1 * (p + 1 - m) + f2 * (q + 1 - m))) / n;
            re += data[p * k + q] * Math.cos(angle);
            im += data[p * k + q] * Math.sin(angle);
          }
        expected.push(Math.hypot(re, im));
      }
    expected.sort((a, b) => b - a);
    const got = singularValues(createKernel(data, [k, k, 1, 1]), { n, padding: "circular" });
    expect(maxRelativeDiff(got, expected)).toBeLessThan(1e-13);
  });

  it.each([
    [3, 4, 7, 33],
    [2, 6, 3, 32],
    [5, 5, 5, 17],
  ])("k=%i g=%i h=%i N=%i: spectrum, penalty and ||M||_F agree", (k, g, h, n) => {
    const data = randomData(k, g, h, k + g + h + n);
    const kernel = createKernel(data, [k, k, g, h]);
    const alpha = 1.5;
    const sigma = singularValues(kernel, { n, padding: "circular" });
    // Every tap lands on a pixel for every output, so ||M||_F^2 = N^2 ||K||_F^2.
    const normK2 = data.reduce((s, v) => s + v * v, 0);
    const sumSq = sigma.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(sumSq - n * n * normK2) / (n * n * normK2)).toBeLessThan(1e-12);
    // F = sum over the eigenvalues of M^T M (sigma^2 and (g - min(g,h)) N^2 zeros) of (lambda - alpha)^2.
    let fromSpectrum = alpha * alpha * (g - Math.min(g, h)) * n * n;
    for (const s of sigma) fromSpectrum += (s * s - alpha) ** 2;
    const f = penalty(kernel, { n, alpha, padding: "circular" });
    expect(Math.abs(f - fromSpectrum) / f).toBeLessThan(1e-11);
  });

  it("the gradient at N = 48 matches central differences of the penalty along random directions", () => {
    const k = 3,
      g = 3,
      h = 5,
      n = 48;
    const data = randomData(k, g, h, 4242);
    const kernel = createKernel(data, [k, k, g, h]);
    const grad = gradient(kernel, { n, padding: "circular" });
    for (let trial = 0; trial < 3; trial++) {
      const dir = randomData(k, g, h, 100 + trial);
      const t = 1e-4;
      const at = (s: number) =>
        penalty(
          createKernel(
            data.map((v, i) => v + s * dir[i]),
            [k, k, g, h],
          ),
          { n, padding: "circular" },
        );
      const fd = (at(t) - at(-t)) / (2 * t);
      const exact = grad.data.reduce((s, v, i) => s + v * dir[i], 0);
      expect(Math.abs(fd - exact) / Math.abs(exact)).toBeLessThan(1e-7);
    }
  });
});

describe("circular padding API", () => {
  it("async forms give the same numbers as the sync forms", async () => {
    const kernel = createKernel(randomData(3, 2, 3, 5), [3, 3, 2, 3]);
    const opts = { n: 9, alpha: 1, padding: "circular" as const };
    const [f, pg, sv] = await Promise.all([penaltyAsync(kernel, opts), penaltyAndGradientAsync(kernel, opts), singularValuesAsync(kernel, opts)]);
    expect(f).toBe(penalty(kernel, opts));
    expect(pg.penalty).toBe(penaltyAndGradient(kernel, opts).penalty);
    expect(Array.from(pg.gradient.data)).toEqual(Array.from(gradient(kernel, opts).data));
    expect(Array.from(sv)).toEqual(Array.from(singularValues(kernel, opts)));
  });

  it("differs from zero padding (the default) once taps wrap around", () => {
    const kernel = createKernel(randomData(3, 2, 2, 8), [3, 3, 2, 2]);
    expect(penalty(kernel, { n: 6 })).toBe(penalty(kernel, { n: 6, padding: "zero" }));
    expect(penalty(kernel, { n: 6, padding: "circular" })).not.toBeCloseTo(penalty(kernel, { n: 6 }), 3);
    // A 1x1 kernel never leaves the image: both paddings give the same M.
    const point = createKernel(randomData(1, 2, 3, 9), [1, 1, 2, 3]);
    const z = penalty(point, { n: 5 }),
      c = penalty(point, { n: 5, padding: "circular" });
    expect(Math.abs(z - c) / z).toBeLessThan(1e-13);
  });

  it("rejects bad padding and method choices with clear errors", () => {
    const kernel = createKernel(randomData(3, 1, 1, 1), [3, 3, 1, 1]);
    expect(() => penalty(kernel, { n: 4, padding: "reflect" as never })).toThrow(/options\.padding must be one of "zero", "valid", "circular"/);
    expect(() => singularValues(kernel, { n: 4, padding: "same" as never })).toThrow(/options\.padding/);
    expect(() => singularValues(kernel, { n: 4, method: "fft" })).toThrow(/method "fft" needs options\.padding "circular"/);
    expect(() => gradient(kernel, { n: 4, padding: "circular", engine: "fast" as never })).toThrow(/options\.engine/);
  });

  it("estimates memory before the native call", () => {
    const kernel = createKernel(randomData(3, 4, 4, 2), [3, 3, 4, 4]);
    for (const engine of ["auto", "dense"] as const) {
      expect(() => penalty(kernel, { n: 64, padding: "circular", engine, memoryLimit: 1000 })).toThrow(/memory limit/);
      expect(() => gradient(kernel, { n: 64, padding: "circular", engine, memoryLimit: 1000 })).toThrow(/memory limit/);
      expect(() => lineQuartic(kernel, kernel, { n: 64, padding: "circular", engine, memoryLimit: 1000 })).toThrow(/memory limit/);
    }
    for (const method of ["fft", "svd", "gram"] as const) expect(() => singularValues(kernel, { n: 64, padding: "circular", method, memoryLimit: 1000 })).toThrow(/memory limit/);
    // The dense block-circulant M at N = 512 is refused at the default limit; the FFT engine runs.
    expect(() => penalty(kernel, { n: 512, padding: "circular", engine: "dense" })).toThrow(/memory limit/);
    expect(penalty(kernel, { n: 512, padding: "circular" })).toBeGreaterThan(0);
  });
});

describe("lineQuartic with circular padding", () => {
  it.each([
    [3, 2, 3, 4],
    [2, 3, 1, 3],
    [4, 2, 2, 2],
    [5, 1, 2, 3],
  ])("k=%i g=%i h=%i N=%i: the quartic equals the brute-force F(K + tD) at several t", (k, g, h, n) => {
    const data = randomData(k, g, h, 321 + k + g + h + n);
    const dir = randomData(k, g, h, 654 + k + g + h + n);
    const alpha = 1.3;
    const at = (t: number) =>
      bruteForcePenalty(
        bruteForceCircularM(
          data.map((v, i) => v + t * dir[i]),
          k,
          g,
          h,
          n,
        ),
        alpha,
      );
    for (const engine of ["auto", "dense"] as const) {
      const c = lineQuartic(createKernel(data, [k, k, g, h]), createKernel(dir, [k, k, g, h]), { n, alpha, padding: "circular", engine });
      expect(c.length).toBe(5);
      for (const t of [-1.5, -0.4, 0, 0.7, 2]) {
        const expected = at(t);
        const got = c[0] + t * (c[1] + t * (c[2] + t * (c[3] + t * c[4])));
        expect(Math.abs(got - expected) / expected).toBeLessThan(1e-11);
      }
    }
  });
});

describe("spectrum() with circular padding", () => {
  it.each([
    [3, 2, 3, 5],
    [4, 3, 2, 3],
    [5, 1, 1, 4],
    [2, 2, 2, 1],
  ])("k=%i g=%i h=%i N=%i: circular-fft gives every value, with a rounding-model bound, equal to Jacobi", async (k, g, h, n) => {
    const data = randomData(k, g, h, 60 + k * g * h + n);
    const kernel = createKernel(data, [k, k, g, h]);
    const expected = referenceSingularValues(bruteForceCircularM(data, k, g, h, n));
    const s = spectrum(kernel, { n, padding: "circular" });
    expect(s.method).toBe("circular-fft");
    expect(s.sigmaMaxConverged).toBe(true);
    // zgesvd's bound with a sqrt-dimension factor: an estimate, not called certified.
    expect(s.bound).toEqual({ sigmaMax: "probabilistic", sigmaMin: "probabilistic" });
    expect(s.sigmaMinCertified).toBe(false);
    expect(s.values!.length).toBe(expected.length);
    expect(maxRelativeDiff(s.values!, expected)).toBeLessThan(1e-10);
    // The bound is a rounding bound: tiny, and it covers the difference to the reference's own rounding.
    expect(s.sigmaMaxBound).toBeLessThan(1e-12 * s.sigmaMax);
    expect(Math.abs(s.sigmaMax - expected[0])).toBeLessThanOrEqual(s.sigmaMaxBound + 1e-13 * expected[0]);
    const last = expected[expected.length - 1];
    expect(s.sigmaMinLower! - 1e-12 * expected[0]).toBeLessThanOrEqual(last);
    expect(s.sigmaMinUpper! + 1e-12 * expected[0]).toBeGreaterThanOrEqual(last);
    const dense = spectrum(kernel, { n, padding: "circular", method: "dense" });
    expect(dense.method).toBe("dense");
    expect(maxRelativeDiff(dense.values!, expected)).toBeLessThan(1e-10);
    const viaAsync = await spectrumAsync(kernel, { n, padding: "circular" });
    expect(Array.from(viaAsync.values!)).toEqual(Array.from(s.values!));
  });

  it("refuses the iterative method and honours none and the memory limit", () => {
    const kernel = createKernel(randomData(3, 2, 2, 3), [3, 3, 2, 2]);
    expect(() => spectrum(kernel, { n: 8, padding: "circular", method: "iterative" })).toThrow(/"iterative" supports options.padding "zero" only/);
    expect(spectrum(kernel, { n: 8, padding: "circular", method: "none" }).method).toBe("none");
    expect(() => spectrum(kernel, { n: 8, padding: "torus" as never })).toThrow(/options.padding must be one of/);
    expect(() => spectrum(kernel, { n: 64, padding: "circular", memoryLimit: 1000 })).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT" }));
  });
});
