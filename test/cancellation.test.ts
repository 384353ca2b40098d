/**
 * Cancellation: an AbortSignal stops the long computations (Lanczos sigma_max, the certified
 * sigma_min, spectrum's iterative method, optimize) promptly with ERR_ABORTED, and no native work
 * is left running once the Promise has rejected (the in-flight count is back to 0).
 */
import { describe, expect, it } from "vitest";
import * as main from "../lib/index.js";
import { activeNativeCalls } from "../lib/bench/index.js";
import { optimize } from "../lib/optimize/index.js";
import { sigmaMaxIterative, sigmaMaxIterativeAsync } from "../lib/spectrum/sigma-max.js";
import { sigmaMinAsync } from "../lib/spectrum/sigma-min.js";

/** The public entry point plus the internals these checks also exercise. */
const convreg = { ...main, activeNativeCalls, optimize, sigmaMaxIterative, sigmaMaxIterativeAsync, sigmaMinAsync };
import { createKernel } from "../lib/index.js";
import { randomData } from "./reference.js";

/** Starts `run(signal)`, aborts after `afterMs`, and reports how the Promise ended and when. */
async function abortDuring(run: (signal: AbortSignal) => Promise<unknown>, afterMs: number) {
  const controller = new AbortController();
  const start = performance.now();
  const pending = run(controller.signal);
  let abortedAt = 0;
  const timer = setTimeout(() => {
    abortedAt = performance.now();
    controller.abort(new Error("test abort"));
  }, afterMs);
  let error: unknown;
  let result: unknown;
  try {
    result = await pending;
  } catch (e) {
    error = e;
  }
  clearTimeout(timer);
  const settledAt = performance.now();
  return { error: error as Error & { code?: string; cause?: unknown }, result, afterAbortMs: abortedAt ? settledAt - abortedAt : NaN, totalMs: settledAt - start, inFlight: convreg.activeNativeCalls() };
}

const wide = createKernel(randomData(3, 16, 16, 5), [3, 3, 16, 16]);

describe("AbortSignal", () => {
  it("stops Lanczos sigma_max promptly with ERR_ABORTED and leaves no native work running", async () => {
    // A tolerance below reachable and a huge cap: unaborted, this would run for minutes.
    const r = await abortDuring((signal) => convreg.sigmaMaxIterativeAsync(wide, { n: 48, tolerance: 1e-300, maxIterations: 10_000_000, signal }), 300);
    expect(r.error).toMatchObject({ code: "ERR_ABORTED" });
    expect(convreg.isConvregError(r.error)).toBe(true);
    expect(r.afterAbortMs).toBeLessThan(3000);
    expect(r.inFlight).toBe(0);
  });

  it("stops spectrum's iterative method the same way", async () => {
    const r = await abortDuring((signal) => convreg.spectrumAsync(wide, { n: 48, method: "iterative", tolerance: 1e-300, maxIterations: 10_000_000, signal }), 300);
    expect(r.error).toMatchObject({ code: "ERR_ABORTED" });
    expect(r.afterAbortMs).toBeLessThan(3000);
    expect(r.inFlight).toBe(0);
  });

  it("stops the certified sigma_min at its next checkpoint", async () => {
    const kernel = createKernel(randomData(3, 4, 4, 9), [3, 3, 4, 4]);
    const r = await abortDuring((signal) => convreg.sigmaMinAsync(kernel, { n: 40, tolerance: 1e-300, signal }), 200);
    // A run that finishes before the abort is also correct; an aborted one must say so.
    if (r.error) expect(r.error).toMatchObject({ code: "ERR_ABORTED" });
    else expect(r.afterAbortMs).toBeNaN();
    expect(r.inFlight).toBe(0);
  });

  it("stops optimize between native calls", async () => {
    const kernel = createKernel(randomData(3, 3, 6, 2), [3, 3, 3, 6]);
    const r = await abortDuring((signal) => convreg.optimize(kernel, { n: 12, maxIterations: 1_000_000, spectrumEvery: 0, signal }), 300);
    expect(r.error).toMatchObject({ code: "ERR_ABORTED" });
    expect(r.afterAbortMs).toBeLessThan(3000);
    expect(r.inFlight).toBe(0);
  });

  it("an already aborted signal rejects before any native work", async () => {
    const signal = AbortSignal.abort();
    for (const run of [
      () => convreg.sigmaMaxIterativeAsync(wide, { n: 8, signal }),
      () => convreg.sigmaMinAsync(wide, { n: 4, signal }),
      () => convreg.spectrumAsync(wide, { n: 8, method: "iterative", signal }),
      () => convreg.optimize(wide, { n: 4, signal }),
    ]) {
      await expect(run()).rejects.toMatchObject({ code: "ERR_ABORTED" });
      expect(convreg.activeNativeCalls()).toBe(0);
    }
  });

  it("aborting after the result has arrived changes nothing", async () => {
    const controller = new AbortController();
    const result = await convreg.sigmaMaxIterativeAsync(createKernel(randomData(3, 1, 2, 3), [3, 3, 1, 2]), { n: 6, signal: controller.signal });
    controller.abort();
    expect(result.converged).toBe(true);
    expect(convreg.activeNativeCalls()).toBe(0);
  });

  it("a signal that is not an AbortSignal is an argument error", () => {
    expect(() => convreg.sigmaMaxIterative(wide, { n: 4, signal: {} as never })).toThrow(expect.objectContaining({ code: "ERR_ARGUMENT" }));
  });
});
