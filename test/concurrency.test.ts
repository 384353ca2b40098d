/**
 * Concurrency: 100 async calls of mixed kinds in flight at once give the same results, bit for
 * bit, as the same calls made one at a time; the in-flight count returns to 0; calls really run in
 * parallel; and timers and immediates run while a native call is in flight. Overlap and the event
 * loop are shown by ordering (what ran while a call that only an abort can end was running),
 * never by sampling or timing.
 */
import { describe, expect, it } from "vitest";
import * as main from "../lib/index.js";
import { activeNativeCalls } from "../lib/bench/index.js";
import { sigmaMaxIterativeAsync } from "../lib/spectrum/sigma-max.js";

/** The public entry point plus the internals these checks also exercise. */
const convreg = { ...main, activeNativeCalls, sigmaMaxIterativeAsync };
import { createKernel, type Kernel } from "../lib/index.js";
import { UNTIL_ABORTED, untilNativeCalls } from "./native-calls.js";
import { randomData, rng } from "./reference.js";

type Call = { label: string; run: () => Promise<unknown> };

function kernelFor(i: number, maxK = 3, maxC = 4): Kernel {
  const r = rng(1000 + i);
  const k = 1 + Math.floor(r.uniform() * maxK),
    g = 1 + Math.floor(r.uniform() * maxC),
    h = 1 + Math.floor(r.uniform() * maxC);
  return createKernel(randomData(k, g, h, 77 + i), [k, k, g, h]);
}

/** Call i of the mix: every async operation of the public API, on small layers. */
function mixedCall(i: number): Call {
  const kernel = kernelFor(i);
  const [, , g, h] = kernel.shape;
  const n = 3 + (i % 6);
  const r = rng(5000 + i);
  const vector = (length: number) => Float64Array.from({ length }, () => r.normal());
  const x = vector(g * n * n),
    y = vector(h * n * n),
    start = vector(Math.min(g, h) * n * n);
  const direction = createKernel(randomData(kernel.shape[0], g, h, 9000 + i), kernel.shape);
  const kinds: Array<[string, () => Promise<unknown>]> = [
    ["penalty dense", () => convreg.penaltyAsync(kernel, { n, engine: "dense", alpha: 0.7 })],
    ["penalty structured", () => convreg.penaltyAsync(kernel, { n, engine: "structured" })],
    ["penalty circular", () => convreg.penaltyAsync(kernel, { n, padding: "circular" })],
    ["penaltyAndGradient dense", () => convreg.penaltyAndGradientAsync(kernel, { n, engine: "dense" })],
    ["penaltyAndGradient structured", () => convreg.penaltyAndGradientAsync(kernel, { n, alpha: 2 })],
    ["gradient circular", () => convreg.gradientAsync(kernel, { n, padding: "circular" })],
    ["singularValues svd", () => convreg.singularValuesAsync(kernel, { n })],
    ["singularValues gram", () => convreg.singularValuesAsync(kernel, { n, method: "gram" })],
    ["singularValues fft", () => convreg.singularValuesAsync(kernel, { n, padding: "circular" })],
    ["transformMatrix sparse", () => convreg.transformMatrixAsync(kernel, { n })],
    ["transformMatrix dense", () => convreg.transformMatrixAsync(kernel, { n, dense: true })],
    ["lineQuartic", () => convreg.lineQuarticAsync(kernel, direction, { n })],
    ["applyLayer", () => convreg.applyLayerAsync(kernel, x, { n })],
    ["applyLayerTranspose", () => convreg.applyLayerTransposeAsync(kernel, y, { n })],
    ["sigmaMaxIterative", () => convreg.sigmaMaxIterativeAsync(kernel, { n, start })],
    ["spectrum dense", () => convreg.spectrumAsync(kernel, { n, method: "dense" })],
    ["spectralPenaltyAndGradient", () => convreg.spectralPenaltyAndGradientAsync(kernel, { n })],
  ];
  const [label, run] = kinds[i % kinds.length];
  return { label: `${i}: ${label} ${kernel.shape.join("x")} n=${n}`, run };
}

/** Every number in a result, in a fixed order (typed arrays, objects, nested kernels). */
function numbers(value: unknown, out: number[] = []): number[] {
  if (typeof value === "number") out.push(value);
  else if (ArrayBuffer.isView(value)) out.push(...Array.from(value as unknown as ArrayLike<number>));
  else if (value && typeof value === "object") for (const key of Object.keys(value).sort()) numbers((value as Record<string, unknown>)[key], out);
  return out;
}

const sameBits = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe("concurrent native calls", () => {
  async function oneAtATimeThenTogether(calls: Call[]): Promise<{ alone: number[][]; together: number[][] }> {
    const alone: number[][] = [];
    for (const c of calls) alone.push(numbers(await c.run()));
    expect(convreg.activeNativeCalls()).toBe(0);
    const together = (await Promise.all(calls.map((c) => c.run()))).map((v) => numbers(v));
    expect(convreg.activeNativeCalls()).toBe(0);
    return { alone, together };
  }

  it("100 mixed async calls at once equal the same calls one at a time, bit for bit (one BLAS thread)", async () => {
    // OpenBLAS splits some reductions by thread, so bits depend on the thread count; with the
    // count fixed, concurrency itself must change nothing (no shared state between calls).
    const before = convreg.getBlasThreads();
    convreg.setBlasThreads(1);
    try {
      const calls = Array.from({ length: 100 }, (_, i) => mixedCall(i));
      const { alone, together } = await oneAtATimeThenTogether(calls);
      expect(calls.filter((_, i) => !sameBits(together[i], alone[i])).map((c) => c.label)).toEqual([]);
    } finally {
      convreg.setBlasThreads(before);
    }
  });

  it("with the default policy (all cores alone, one thread each together) they agree to rounding", async () => {
    // The suite runs with OPENBLAS_NUM_THREADS=1 (vitest.config.ts); this test asks for two
    // threads when alone so that the policy really switches between two and one.
    const before = convreg.getBlasThreads();
    convreg.setBlasThreads(2);
    let alone: number[][], together: number[][];
    const calls = Array.from({ length: 100 }, (_, i) => mixedCall(i));
    try {
      ({ alone, together } = await oneAtATimeThenTogether(calls));
    } finally {
      convreg.setBlasThreads(before);
    }
    const far = calls.filter((c, i) => {
      const scale = Math.max(1e-300, ...alone[i].map(Math.abs));
      // The Gram route's small values are accurate only to ~1e-8 of sigma_max (see singularValues).
      const tolerance = c.label.includes("gram") ? 1e-7 : 1e-11;
      return alone[i].length !== together[i].length || alone[i].some((v, j) => !(Math.abs(v - together[i][j]) <= tolerance * scale));
    });
    expect(far.map((c) => c.label)).toEqual([]);
  });

  it("async calls really run in parallel on the thread pool, and the in-flight count returns to 0", async () => {
    // Two runs that only an abort can end: both must be running at once before either is aborted
    // (libuv's pool has 4 threads unless UV_THREADPOOL_SIZE says otherwise).
    const kernel = createKernel(randomData(3, 4, 4, 8), [3, 3, 4, 4]);
    const controllers = [new AbortController(), new AbortController()];
    const pending = controllers.map((c) => convreg.sigmaMaxIterativeAsync(kernel, { n: 32, ...UNTIL_ABORTED, signal: c.signal }));
    await untilNativeCalls(2, pending);
    expect(convreg.activeNativeCalls()).toBe(2);
    for (const c of controllers) c.abort();
    for (const p of pending) await expect(p).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(convreg.activeNativeCalls()).toBe(0);
  });

  it("identical async calls in flight together agree to rounding", async () => {
    const kernel = createKernel(randomData(3, 3, 3, 8), [3, 3, 3, 3]);
    const results = await Promise.all(Array.from({ length: 12 }, () => convreg.singularValuesAsync(kernel, { n: 10 })));
    expect(convreg.activeNativeCalls()).toBe(0);
    // The first call may start alone with all cores: compare to rounding, not bits.
    for (const r of results) r.forEach((v, i) => expect(Math.abs(v - results[0][i])).toBeLessThanOrEqual(1e-12 * results[0][0]));
  });

  it("immediates and timers run while a native call is in flight", async () => {
    // The call can end only by the abort issued from the third interval tick, so every callback
    // recorded before it ran while the call was in flight; a blocked event loop would record none.
    const kernel = createKernel(randomData(3, 4, 4, 4), [3, 3, 4, 4]);
    const controller = new AbortController();
    const pending = convreg.sigmaMaxIterativeAsync(kernel, { n: 32, ...UNTIL_ABORTED, signal: controller.signal });
    await untilNativeCalls(1, [pending]);
    const seen: string[] = [];
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        seen.push(`immediate with ${convreg.activeNativeCalls()} in flight`);
        resolve();
      }),
    );
    let ticks = 0;
    const timer = setInterval(() => {
      seen.push(`tick ${++ticks} with ${convreg.activeNativeCalls()} in flight`);
      if (ticks === 3) {
        clearInterval(timer);
        controller.abort();
      }
    }, 1);
    await expect(pending).rejects.toMatchObject({ code: "ERR_ABORTED" });
    expect(seen).toEqual(["immediate with 1 in flight", "tick 1 with 1 in flight", "tick 2 with 1 in flight", "tick 3 with 1 in flight"]);
    expect(convreg.activeNativeCalls()).toBe(0);
  });
});
