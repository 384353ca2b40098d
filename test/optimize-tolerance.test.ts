import { describe, expect, it } from "vitest";
import { createKernel, penalty, resolveSpectrumMethod, spectrum, type Kernel } from "../lib/index.js";
import { optimize } from "../lib/optimize/index.js";
import { frobeniusBound } from "../lib/optimize/frobenius-bound.js";
import { bruteForceM, randomData, referenceSingularValues } from "./reference.js";

const kernelOf = (k: number, g: number, h: number, seed: number): Kernel => createKernel(randomData(k, g, h, seed), [k, k, g, h]);

/** sigma_max and sigma_min of the brute-force M (Jacobi on its smaller Gram matrix), independent of the library. */
function referenceExtremes(kernel: Kernel, n: number): { max: number; min: number } {
  const [k, , g, h] = kernel.shape;
  const s = referenceSingularValues(bruteForceM(kernel.data, k, g, h, n).m);
  return { max: s[0], min: s[s.length - 1] };
}

const within = (sigma: number, alpha: number, band: number) => Math.abs(sigma / Math.sqrt(alpha) - 1) <= band;

describe("optimizer: the tolerance stop", () => {
  it.each([
    ["lbfgs", 3, 2, 3, 5, 1],
    ["lbfgs", 3, 3, 1, 5, 1],
    ["line-search", 3, 1, 2, 4, 4],
  ] as const)("%s k=%i g=%i h=%i N=%i alpha=%i stops in the 1%% band, by the reference spectrum of its final kernel", async (optimizer, k, g, h, n, alpha) => {
    const kernel = kernelOf(k, g, h, 11 + g + h);
    const start = referenceExtremes(kernel, n);
    expect(within(start.max, alpha, 0.01) && within(start.min, alpha, 0.01)).toBe(false); // the band is not reached at the start
    const r = await optimize(kernel, { n, alpha, optimizer, tolerance: 0.01, maxIterations: 2000 });
    expect(r.stopReason).toBe("tolerance");
    const ref = referenceExtremes(r.kernel, n);
    expect(within(ref.max, alpha, 0.01)).toBe(true);
    expect(within(ref.min, alpha, 0.01)).toBe(true);
    // The reported final values are the reference's, within their own bounds (plus the reference's rounding).
    const f = r.finalSpectrum;
    expect(Math.abs(f.sigmaMax! - ref.max)).toBeLessThanOrEqual(f.sigmaMaxBound! + 1e-12);
    expect(f.sigmaMinLower!).toBeLessThanOrEqual(ref.min + 1e-12);
    expect(f.sigmaMinUpper!).toBeGreaterThanOrEqual(ref.min - 1e-12);
    // The run did not stop before the band: every earlier iterate with a spectrum was outside it.
    for (const row of r.history.slice(0, -1))
      if (row.sigmaMax !== null && row.sigmaMin !== null) expect(within(row.sigmaMax, alpha, 0.01) && within(row.sigmaMin, alpha, 0.01)).toBe(false);
  });

  it("the Frobenius bound alone (no spectrum during the run) proves the band: every sigma^2 within sqrt(F) of alpha", async () => {
    const n = 5;
    const kernel = kernelOf(3, 2, 3, 5);
    const r = await optimize(kernel, { n, optimizer: "lbfgs", tolerance: 0.01, spectrumEvery: 0, maxIterations: 2000 });
    expect(r.stopReason).toBe("tolerance");
    expect(r.toleranceProof).toBe("frobenius");
    const ref = referenceExtremes(r.kernel, n);
    const b = r.finalFrobeniusBound!;
    expect(ref.max).toBeLessThanOrEqual(b.sigmaMaxUpper);
    expect(ref.min).toBeGreaterThanOrEqual(b.sigmaMinLower);
    expect(b.sigmaMaxUpper).toBeLessThanOrEqual(1.01);
    expect(b.sigmaMinLower).toBeGreaterThanOrEqual(0.99);
    // Only the final row carries a spectrum.
    expect(r.history.filter((row) => row.sigmaMax !== null).map((row) => row.iteration)).toEqual([r.history.length - 1]);
  });

  it("frobeniusBound subtracts the (g - h) N^2 zero eigenvalues of M^T M when g > h", () => {
    const n = 4;
    for (const [g, h] of [
      [3, 1],
      [1, 3],
      [2, 2],
    ] as const) {
      const kernel = kernelOf(3, g, h, 3 + g);
      const ref = referenceExtremes(kernel, n);
      const b = frobeniusBound(kernel, n, 1, penalty(kernel, { n }))!;
      // The radius is at least the distance of every sigma^2 from alpha, and F - zeros equals the smaller Gram's sum.
      expect(Math.max(ref.max ** 2 - 1, 1 - ref.min ** 2)).toBeLessThanOrEqual(b.radius);
      const [k] = kernel.shape;
      const m = bruteForceM(kernel.data, k, g, h, n).m;
      const s = referenceSingularValues(m);
      const smaller = s.reduce((acc, v) => acc + (v * v - 1) ** 2, 0);
      expect(b.radius ** 2).toBeGreaterThanOrEqual(smaller * (1 - 1e-12));
      expect(b.radius ** 2).toBeLessThanOrEqual(smaller * (1 + 1e-9) + 1e-9);
    }
  });

  it("the paper's optimizer has no tolerance by default: it takes every step even from an orthogonal kernel", async () => {
    // Centre tap = identity: M = I, F = 0, every sigma = 1.
    const identity = new Float64Array(9 * 4);
    identity[4 * 4 + 0] = 1;
    identity[4 * 4 + 3] = 1;
    const kernel = createKernel(identity, [3, 3, 2, 2]);
    const paper = await optimize(kernel, { n: 4, maxIterations: 7 });
    expect(paper.stopReason).toBe("maxIterations");
    expect(paper.history.length).toBe(8);
    const lbfgs = await optimize(kernel, { n: 4, optimizer: "lbfgs", tolerance: 0.01, maxIterations: 7 });
    expect(lbfgs.stopReason).toBe("tolerance");
    expect(lbfgs.history.length).toBe(1);
  });
});

describe("optimizer: spectrum checks at sizes where the dense spectrum is not used", () => {
  it("uses Lanczos and the sparse sigma_min past the dense work limit; their bounds contain the reference values", async () => {
    const n = 5;
    const kernel = kernelOf(3, 2, 3, 21);
    const r = await optimize(kernel, { n, optimizer: "lbfgs", tolerance: 0.01, spectrumEvery: 5, denseWorkLimit: 1, maxIterations: 2000 });
    expect(r.spectrumRegime.method).toBe("iterative");
    expect(r.spectrumRegime.reason).toMatch(/over the limit/);
    expect(r.spectrumMethods.gram + r.spectrumMethods.svd).toBe(0);
    expect(r.spectrumMethods.lanczos).toBeGreaterThan(0);
    expect(r.stopReason).toBe("tolerance");
    const ref = referenceExtremes(r.kernel, n);
    const f = r.finalSpectrum;
    expect(f.method).toBe("certified");
    expect(Math.abs(f.sigmaMax! - ref.max)).toBeLessThanOrEqual(f.sigmaMaxBound! + 1e-12);
    expect(f.sigmaMinCertified).toBe(true);
    expect(f.sigmaMinLower!).toBeLessThanOrEqual(ref.min + 1e-12);
    expect(f.sigmaMinUpper!).toBeGreaterThanOrEqual(ref.min - 1e-12);
    expect(within(ref.max, 1, 0.01) && within(ref.min, 1, 0.01)).toBe(true);
    // Rows checked with sigma_max outside the band have no sigma_min, and say why once.
    const partial = r.history.filter((row) => row.sigmaMax !== null && row.sigmaMin === null);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial[0].note).toMatch(/sigma_min not computed: sigma_max is outside the tolerance band/);
    expect(partial.slice(1).every((row) => row.note === undefined)).toBe(true);
  });

  it("validates denseWorkLimit (optimize and spectrum) and falls back from dense by work, not only by memory", async () => {
    const kernel = kernelOf(3, 2, 2, 1);
    await expect(optimize(kernel, { n: 3, denseWorkLimit: 0 })).rejects.toThrow(/options\.denseWorkLimit/);
    expect(() => spectrum(kernel, { n: 3, denseWorkLimit: -1 })).toThrow(/options\.denseWorkLimit/);
    // M is 18 x 18: work 18^3 = 5832.
    expect(spectrum(kernel, { n: 3, denseWorkLimit: 5832 }).method).toBe("dense");
    const s = spectrum(kernel, { n: 3, denseWorkLimit: 5831 });
    expect(s.method).toBe("iterative");
    expect(resolveSpectrumMethod(kernel, { n: 3, denseWorkLimit: 5831 }).fallbackReason).toMatch(/5\.83e\+3 .*over the limit of 5\.83e\+3/);
  });

  it("completes with reasons when the memory limit admits no spectrum method at all", async () => {
    const n = 16;
    const kernel = kernelOf(3, 3, 3, 8);
    // 3 x 256 Gram side: Lanczos needs ~0.5 MB, the sparse Gram more, dense M 4.7 MB; the structured gradient far less.
    const r = await optimize(kernel, { n, optimizer: "lbfgs", tolerance: 0.01, spectrumEvery: 3, maxIterations: 6, memoryLimit: 100_000 });
    expect(r.spectrumRegime.method).toBe("iterative");
    expect(r.stopReason).toBe("maxIterations");
    expect(r.history.length).toBe(7);
    expect(r.history.every((row) => row.sigmaMax === null && row.sigmaMin === null)).toBe(true);
    const noted = r.history.filter((row) => row.note !== undefined);
    expect(noted.length).toBe(1);
    expect(noted[0].iteration).toBe(0);
    expect(noted[0].note).toMatch(/memory limit/);
    expect(r.finalSpectrum.method).toBe("none");
    expect(r.finalSpectrum.note).toMatch(/Lanczos/);
    // The penalty was still minimized.
    expect(r.history[6].penalty).toBeLessThan(r.history[0].penalty);
  });
});
