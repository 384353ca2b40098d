import { describe, expect, it } from "vitest";
import { createKernel, singularValues, spectrum, spectrumAsync } from "../lib/index.js";
import { activeNativeCalls } from "../lib/bench/index.js";
import { sigmaMaxIterative, sigmaMaxIterativeAsync } from "../lib/spectrum/sigma-max.js";
import { UNTIL_ABORTED, untilNativeCalls } from "./native-calls.js";
import { bruteForceM, randomData, referenceSingularValues } from "./reference.js";

describe("sigma_max by Lanczos without M", () => {
  // Wide, tall and square M, odd and even k, N below k.
  const cases: Array<[number, number, number, number]> = [
    [3, 2, 3, 5],
    [2, 3, 2, 4],
    [4, 2, 2, 3],
    [5, 1, 2, 2],
    [1, 3, 1, 4],
    [3, 1, 1, 1],
    [2, 2, 3, 1],
    [5, 3, 2, 6],
  ];
  it.each(cases)("k=%i g=%i h=%i N=%i: equals the largest Jacobi singular value of the brute-force M, within its bound", (k, g, h, n) => {
    const data = randomData(k, g, h, 11 * k + 3 * g + h + n);
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m)[0];
    const r = sigmaMaxIterative(createKernel(data, [k, k, g, h]), { n, tolerance: 1e-12 });
    expect(r.converged).toBe(true);
    expect(r.side).toBe(h < g ? "outputs" : "inputs");
    expect(r.vector.length).toBe(Math.min(g, h) * n * n);
    expect(r.sigmaMaxBound).toBeLessThanOrEqual(1e-12 * r.sigmaMax);
    expect(Math.abs(r.sigmaMax - expected)).toBeLessThanOrEqual(r.sigmaMaxBound + 1e-13 * expected);
  });

  it("matches dgesvd to 1e-10 relative at N = 16, g = h = 8, and warm-starts from its own vector", () => {
    const kernel = createKernel(randomData(3, 8, 8, 2024), [3, 3, 8, 8]);
    const svd = singularValues(kernel, { n: 16, method: "svd" })[0];
    const r = sigmaMaxIterative(kernel, { n: 16, tolerance: 1e-11, basisSize: 24 });
    expect(r.converged).toBe(true);
    expect(r.restarts).toBeGreaterThan(0); // a small basis exercises the thick restart
    expect(Math.abs(r.sigmaMax - svd) / svd).toBeLessThan(1e-10);
    expect(Math.abs(r.sigmaMax - svd)).toBeLessThanOrEqual(r.sigmaMaxBound);
    const again = sigmaMaxIterative(kernel, { n: 16, tolerance: 1e-11, start: r.vector });
    expect(again.converged).toBe(true);
    expect(again.iterations).toBeLessThan(r.iterations / 3);
    expect(Math.abs(again.sigmaMax - svd) / svd).toBeLessThan(1e-10);
  });

  it("beyond dense sizes: sigma_max(N - 8) <= sigma_max(N) <= sigma_max of the circular layer on N + k - 1", () => {
    // The zero-padded M at N is a compression (P C Q, P and Q partial isometries) of the zero-padded
    // M at N + 1 and of the block-circulant M on an N + k - 1 torus, so its norm cannot exceed theirs.
    const kernel = createKernel(randomData(3, 8, 6, 404), [3, 3, 8, 6]);
    const n = 48;
    const big = sigmaMaxIterative(kernel, { n });
    const small = sigmaMaxIterative(kernel, { n: n - 8 });
    const circular = singularValues(kernel, { n: n + 2, padding: "circular" })[0];
    expect(big.converged && small.converged).toBe(true);
    expect(small.sigmaMax - small.sigmaMaxBound).toBeLessThanOrEqual(big.sigmaMax + big.sigmaMaxBound);
    expect(big.sigmaMax).toBeLessThanOrEqual(circular * (1 + 1e-13));
    // and close to it: the gap closes like 1/N^2 as the boundary matters less
    expect(circular - big.sigmaMax).toBeLessThan(0.01 * circular);
  });

  it("a capped run says it did not converge and keeps an honest bound", () => {
    const kernel = createKernel(randomData(3, 4, 5, 7), [3, 3, 4, 5]);
    const r = sigmaMaxIterative(kernel, { n: 12, tolerance: 1e-12, maxIterations: 4 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(4);
    const two = sigmaMaxIterative(kernel, { n: 12, tolerance: 1e-12, maxIterations: 2 });
    expect([two.iterations, two.converged]).toEqual([2, false]);
    expect(r.sigmaMaxBound).toBeGreaterThan(1e-12 * r.sigmaMax);
    const svd = singularValues(kernel, { n: 12, method: "gram" })[0];
    expect(r.sigmaMax).toBeLessThanOrEqual(svd * (1 + 1e-14)); // a Rayleigh quotient never exceeds the top
  });

  it("a zero kernel has sigma_max 0 with bound 0", () => {
    const r = sigmaMaxIterative(createKernel(new Float64Array(18), [3, 3, 2, 1]), { n: 4 });
    expect([r.sigmaMax, r.sigmaMaxBound, r.converged]).toEqual([0, 0, true]);
  });

  it("aborts: an aborted signal rejects at once, and aborting mid-run stops the native loop", async () => {
    const kernel = createKernel(randomData(3, 8, 8, 1), [3, 3, 8, 8]);
    const done = new AbortController();
    done.abort();
    await expect(sigmaMaxIterativeAsync(kernel, { n: 8, signal: done.signal })).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(() => sigmaMaxIterative(kernel, { n: 8, signal: done.signal })).toThrow(expect.objectContaining({ code: "ERR_ABORTED" }));
    // Only the abort can end this run (see UNTIL_ABORTED); it lands once the native loop is running.
    const controller = new AbortController();
    const pending = spectrumAsync(kernel, { n: 24, method: "iterative", ...UNTIL_ABORTED, signal: controller.signal });
    await untilNativeCalls(1, [pending]);
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(activeNativeCalls()).toBe(0);
  });

  it("validates its options by name", () => {
    const kernel = createKernel(randomData(3, 2, 3, 1), [3, 3, 2, 3]);
    expect(() => sigmaMaxIterative(kernel, { n: 3, tolerance: 0 })).toThrow(/options.tolerance/);
    expect(() => sigmaMaxIterative(kernel, { n: 3, tolerance: 2 })).toThrow(/options.tolerance must be < 1/);
    expect(() => sigmaMaxIterative(kernel, { n: 3, maxIterations: 1 })).toThrow(/options.maxIterations must be an integer >= 2/);
    expect(() => sigmaMaxIterative(kernel, { n: 3, basisSize: 1 })).toThrow(/options.basisSize/);
    expect(() => sigmaMaxIterative(kernel, { n: 3, start: new Float64Array(5) })).toThrow(/options.start has 5 entries.*18/);
    expect(() => sigmaMaxIterative(kernel, { n: 3, start: new Float64Array(18) })).toThrow(/zero vector/);
    expect(() => sigmaMaxIterative(kernel, { n: 3, signal: {} as AbortSignal })).toThrow(/options.signal must be an AbortSignal/);
    expect(() => sigmaMaxIterative(kernel, { n: 3, memoryLimit: 1000 })).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT" }));
    expect(() => spectrum(kernel, { n: 3, method: "fast" as "auto" })).toThrow(/options.method/);
  });
});

describe("spectrum", () => {
  it("dense: all values, bounds that hold against Jacobi on the brute-force M", () => {
    const [k, g, h, n] = [3, 2, 3, 4];
    const data = randomData(k, g, h, 77);
    const expected = referenceSingularValues(bruteForceM(data, k, g, h, n).m);
    const s = spectrum(createKernel(data, [k, k, g, h]), { n, method: "dense" });
    expect(s.method).toBe("dense");
    expect(s.values!.length).toBe(Math.min(g, h) * n * n);
    expect(Math.abs(s.sigmaMax - expected[0])).toBeLessThanOrEqual(s.sigmaMaxBound);
    const min = expected[expected.length - 1];
    // LAPACK's backward error with a sqrt-dimension factor: a rounding model, not a proof.
    expect(s.bound).toEqual({ sigmaMax: "probabilistic", sigmaMin: "probabilistic" });
    expect(s.sigmaMinCertified).toBe(false);
    expect(s.sigmaMinLower!).toBeLessThanOrEqual(min);
    expect(s.sigmaMinUpper!).toBeGreaterThanOrEqual(min);
    expect(s.iterations).toBe(0);
  });

  it("auto picks dense when it fits and iterative past the memory limit; both agree", async () => {
    const kernel = createKernel(randomData(3, 4, 4, 3), [3, 3, 4, 4]);
    const dense = spectrum(kernel, { n: 8 });
    expect(dense.method).toBe("dense");
    const iterative = await spectrumAsync(kernel, { n: 8, memoryLimit: 1_000_000 });
    expect(iterative.method).toBe("iterative");
    expect(iterative.sigmaMaxConverged).toBe(true);
    expect(iterative.values).toBeNull();
    expect(iterative.iterations).toBeGreaterThan(0);
    expect(Math.abs(iterative.sigmaMax - dense.sigmaMax)).toBeLessThanOrEqual(iterative.sigmaMaxBound + dense.sigmaMaxBound);
    expect(iterative.sigmaMaxBound).toBeLessThanOrEqual(1e-9 * iterative.sigmaMax);
    expect([iterative.sigmaMin, iterative.sigmaMinLower, iterative.sigmaMinUpper, iterative.sigmaMinCertified]).toEqual([null, null, null, false]);
    expect(iterative.bound).toEqual({ sigmaMax: "probabilistic", sigmaMin: "none" });
    expect(() => spectrum(kernel, { n: 8, method: "dense", memoryLimit: 1_000_000 })).toThrow(expect.objectContaining({ code: "ERR_MEMORY_LIMIT" }));
  });

  it("circular padding: every value from the 2-D DFT, equal to the dense block-circulant SVD", () => {
    const kernel = createKernel(randomData(3, 2, 3, 12), [3, 3, 2, 3]);
    const s = spectrum(kernel, { n: 6, padding: "circular" });
    expect(s.method).toBe("circular-fft");
    const dense = singularValues(kernel, { n: 6, padding: "circular", method: "svd" });
    expect(Math.abs(s.sigmaMax - dense[0])).toBeLessThanOrEqual(s.sigmaMaxBound);
    expect(Math.abs(s.sigmaMin! - dense[dense.length - 1])).toBeLessThanOrEqual(s.sigmaMaxBound);
    expect(() => spectrum(kernel, { n: 6, padding: "circular", method: "iterative" })).toThrow(/"iterative" supports options.padding "zero" only/);
  });

  it("none computes nothing", () => {
    const s = spectrum(createKernel(randomData(1, 1, 1, 1), [1, 1, 1, 1]), { n: 3, method: "none" });
    expect(s.method).toBe("none");
    expect(Number.isNaN(s.sigmaMax)).toBe(true);
    expect(s.sigmaMaxConverged).toBe(false);
    expect(s.sigmaMin).toBeNull();
  });
});
