/**
 * Cancellation: an AbortSignal stops the long computations (Lanczos sigma_max, the certified
 * sigma_min, spectrum's iterative method, optimize) with ERR_ABORTED, and no native work is left
 * running once the Promise has rejected (the in-flight count is back to 0).
 *
 * Every abort lands at a known point (while the native call is running, or from optimize's own
 * iteration callback), never after a delay, and nothing here measures time.
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
import { UNTIL_ABORTED, untilNativeCalls } from "./native-calls.js";
import { randomData } from "./reference.js";

/** Starts `run(signal)`, aborts it once its native work is running, and reports how the Promise ended. */
async function abortWhileRunning(run: (signal: AbortSignal) => Promise<unknown>) {
  const controller = new AbortController();
  const pending = run(controller.signal);
  await untilNativeCalls(1, [pending]);
  controller.abort(new Error("test abort"));
  let error: unknown;
  let result: unknown;
  try {
    result = await pending;
  } catch (e) {
    error = e;
  }
  return { error: error as Error & { code?: string; cause?: unknown }, result, inFlight: convreg.activeNativeCalls() };
}

const wide = createKernel(randomData(3, 16, 16, 5), [3, 3, 16, 16]);

describe("AbortSignal", () => {
  it("stops Lanczos sigma_max with ERR_ABORTED and leaves no native work running", async () => {
    const r = await abortWhileRunning((signal) => convreg.sigmaMaxIterativeAsync(wide, { n: 48, ...UNTIL_ABORTED, signal }));
    expect(r.error).toMatchObject({ code: "ERR_ABORTED", cause: { message: "test abort" } });
    expect(convreg.isConvregError(r.error)).toBe(true);
    expect(r.inFlight).toBe(0);
  });

  it("stops spectrum's iterative method the same way", async () => {
    const r = await abortWhileRunning((signal) => convreg.spectrumAsync(wide, { n: 48, method: "iterative", ...UNTIL_ABORTED, signal }));
    expect(r.error).toMatchObject({ code: "ERR_ABORTED" });
    expect(r.inFlight).toBe(0);
  });

  it("stops the certified sigma_min at a native checkpoint", async () => {
    // sigma_min's work is bounded, so the problem is chosen large: an unaborted run builds a Gram
    // matrix of order 65,536 (a checkpoint per image row, 128 of them), factors it (1.7e10 flops)
    // and runs 73 Lanczos steps (a checkpoint each), 7 s of CPU. The abort follows within one
    // event-loop turn of the native call starting, so the call cannot have finished before it.
    const kernel = createKernel(randomData(3, 4, 4, 9), [3, 3, 4, 4]);
    const r = await abortWhileRunning((signal) => convreg.sigmaMinAsync(kernel, { n: 128, tolerance: 1e-300, signal }));
    expect(r.error).toMatchObject({ code: "ERR_ABORTED" });
    expect(r.inFlight).toBe(0);
  });

  it("stops a sigma_min that was aborted while queued at its first native checkpoint", async () => {
    // Every libuv pool thread is taken by a run that only an abort can end, so sigma_min waits
    // in the queue while its token is cancelled; it then starts with the flag already set.
    const poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const blockers = Array.from({ length: poolSize }, () => new AbortController());
    const running = blockers.map((c) => convreg.sigmaMaxIterativeAsync(createKernel(randomData(3, 2, 2, 1), [3, 3, 2, 2]), { n: 16, ...UNTIL_ABORTED, signal: c.signal }));
    await untilNativeCalls(poolSize, running);
    const controller = new AbortController();
    const queued = convreg.sigmaMinAsync(createKernel(randomData(3, 4, 4, 9), [3, 3, 4, 4]), { n: 40, signal: controller.signal });
    controller.abort(new Error("test abort"));
    expect(convreg.activeNativeCalls()).toBe(poolSize);
    for (const c of blockers) c.abort();
    await expect(queued).rejects.toMatchObject({ code: "ERR_ABORTED", cause: { message: "test abort" } });
    for (const p of running) await expect(p).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(convreg.activeNativeCalls()).toBe(0);
  });

  it("stops optimize before its next native call: no iteration runs after the abort", async () => {
    const kernel = createKernel(randomData(3, 3, 6, 2), [3, 3, 3, 6]);
    const seen: number[] = [];
    const controller = new AbortController();
    const run = convreg.optimize(kernel, {
      n: 12,
      maxIterations: 1_000_000,
      spectrumEvery: 0,
      signal: controller.signal,
      onIteration: (row) => {
        seen.push(row.iteration);
        if (row.iteration === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(seen).toEqual([0, 1, 2]);
    expect(convreg.activeNativeCalls()).toBe(0);
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
