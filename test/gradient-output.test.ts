/**
 * The penalty-and-gradient tasks fill the caller's gradient array (their last argument) and
 * return F (binding/penalty_gradient.h). The sync form writes into the array in place; the async
 * form copies the kernel when the call starts and fills the array only when the promise settles.
 * Every public result owns its gradient array. Values are checked against the dense engine and M
 * by definition elsewhere (structured-engine, dense-engine, circular, layer-engine tests); here the
 * raw calls are checked against the public ones, which those tests cover.
 */
import { describe, expect, it } from "vitest";
import { native, nativeAsync } from "../lib/native/addon.js";
import { createKernel, gradient, penaltyAndGradient, penaltyAndGradientAsync, type PenaltyOptions } from "../lib/index.js";
import { randomData } from "./reference.js";

const [k, g, h, n] = [3, 3, 2, 6];
const kernelOf = (seed: number) => createKernel(randomData(k, g, h, seed), [k, k, g, h]);
const fresh = () => new Float64Array(k * k * g * h);

describe("the raw penalty-and-gradient tasks", () => {
  const tasks = ["structuredPenaltyAndGradient", "densePenaltyAndGradient", "circularPenaltyAndGradient", "circularDensePenaltyAndGradient"] as const;
  for (const fn of tasks) {
    it(`${fn}: sync fills the given array and returns F, as the public call computes them`, () => {
      const kernel = kernelOf(3);
      const out = fresh();
      const f = native[fn](kernel.data, k, g, h, n, 0.8, out);
      const padding = fn.startsWith("circular") ? "circular" : "zero";
      const engine = fn.startsWith("dense") || fn.startsWith("circularDense") ? "dense" : "structured";
      const expected = penaltyAndGradient(kernel, { n, alpha: 0.8, padding, engine });
      expect(f).toBe(expected.penalty);
      expect(Array.from(out)).toEqual(Array.from(expected.gradient.data));
    });

    it(`${fn}: refuses a gradient array of the wrong length or type before computing`, () => {
      const kernel = kernelOf(4);
      expect(() => native[fn](kernel.data, k, g, h, n, 1, new Float64Array(5))).toThrow(/output array's length does not match/);
      expect(() => native[fn](kernel.data, k, g, h, n, 1, new Float32Array(k * k * g * h) as unknown as Float64Array)).toThrow(/expected a Float64Array/);
      expect(() => native[fn](kernel.data, k, g, h, n, 1, undefined as unknown as Float64Array)).toThrow(/expected a Float64Array/);
    });
  }

  it("layerPenaltyAndGradient fills the given array (stride 2) as the public call computes it", () => {
    const kernel = kernelOf(5);
    const out = fresh();
    const f = native.layerPenaltyAndGradient(kernel.data, k, g, h, n, n, 2, 1, false, false, 1.1, out);
    const expected = penaltyAndGradient(kernel, { n, alpha: 1.1, stride: 2 });
    expect(f).toBe(expected.penalty);
    expect(Array.from(out)).toEqual(Array.from(expected.gradient.data));
    expect(() => native.layerPenaltyAndGradient(kernel.data, k, g, h, n, n, 2, 1, false, false, 1.1, new Float64Array(3))).toThrow(/length does not match/);
  });

  it("async: copies the kernel at the call, fills the array only when the promise settles", async () => {
    const kernel = kernelOf(6);
    const original = Float64Array.from(kernel.data);
    const out = fresh();
    const pending = nativeAsync.structuredPenaltyAndGradient(kernel.data, k, g, h, n, 1, out);
    kernel.data.fill(7); // the caller changes its kernel while the task runs
    expect(Array.from(out).every((v) => v === 0)).toBe(true); // nothing written from the worker thread
    const f = await pending;
    const expected = penaltyAndGradient(createKernel(original, [k, k, g, h]), { n });
    expect(f).toBe(expected.penalty);
    expect(Array.from(out)).toEqual(Array.from(expected.gradient.data));
  });

  it("async: a gradient array detached meanwhile rejects the promise (no write, no crash)", async () => {
    const kernel = kernelOf(7);
    const out = fresh();
    const pending = nativeAsync.densePenaltyAndGradient(kernel.data, k, g, h, n, 1, out);
    structuredClone(out.buffer, { transfer: [out.buffer] }); // detaches: out now has length 0
    await expect(pending).rejects.toThrow(/changed length during the call/);
  });
});

describe("public results own their gradient arrays", () => {
  const cases: [string, number, PenaltyOptions][] = [
    ["structured", k, { n }],
    ["dense", k, { n, engine: "dense" }],
    ["circular", k, { n, padding: "circular" }],
    ["layer (stride 2)", k, { n, stride: 2 }],
    ["transposed circular layer", k, { n, padding: "circular", transposed: true }],
    ["pointwise layer (k = 1, stride 2)", 1, { n, stride: 2 }],
  ];
  for (const [name, side, o] of cases) {
    it(`${name}: two calls give two arrays, neither the kernel's; sync equals async`, async () => {
      const kernel = createKernel(randomData(side, g, h, 8), [side, side, g, h]);
      const first = penaltyAndGradient(kernel, o);
      const copy = Float64Array.from(first.gradient.data);
      const second = penaltyAndGradient(kernel, o);
      expect(second.gradient.data.buffer).not.toBe(first.gradient.data.buffer);
      expect(first.gradient.data.buffer).not.toBe(kernel.data.buffer);
      second.gradient.data.fill(0);
      expect(Array.from(first.gradient.data)).toEqual(Array.from(copy));
      const async = await penaltyAndGradientAsync(kernel, o);
      expect(async.penalty).toBe(first.penalty);
      expect(Array.from(async.gradient.data)).toEqual(Array.from(copy));
      expect(async.gradient.data.buffer).not.toBe(first.gradient.data.buffer);
    });
  }
});

describe("options.out: the caller's array, filled instead of a fresh one", () => {
  const cases: [string, number, PenaltyOptions][] = [
    ["structured", k, { n }],
    ["dense", k, { n, engine: "dense" }],
    ["circular", k, { n, padding: "circular" }],
    ["circular, dense", k, { n, padding: "circular", engine: "dense" }],
    ["layer (stride 2)", k, { n, stride: 2 }],
    ["transposed circular layer", k, { n, padding: "circular", transposed: true }],
    ["pointwise layer (k = 1, stride 2)", 1, { n, stride: 2 }],
    ["grouped (2 groups)", k, { n, groups: 2 }],
  ];
  for (const [name, side, o] of cases) {
    it(`${name}: the result's gradient is out, equal to the default result (sync and async)`, async () => {
      const kernel = createKernel(randomData(side, g, h, 9), [side, side, g, h]);
      const expected = penaltyAndGradient(kernel, o);
      const out = new Float64Array(kernel.data.length).fill(Number.NaN); // every entry must be written
      const r = penaltyAndGradient(kernel, { ...o, out });
      expect(r.gradient.data).toBe(out);
      expect(r.penalty).toBe(expected.penalty);
      expect(Array.from(out)).toEqual(Array.from(expected.gradient.data));
      out.fill(Number.NaN);
      const a = await penaltyAndGradientAsync(kernel, { ...o, out });
      expect(a.gradient.data).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(expected.gradient.data));
      expect(gradient(kernel, { ...o, out }).data).toBe(out);
    });
  }

  it("is refused unless a Float64Array of the kernel's length outside kernel.data, before any work", () => {
    const kernel = kernelOf(10);
    const length = kernel.data.length;
    const refuse = (out: unknown, message: RegExp, code: string) => {
      for (const o of [{ n }, { n, stride: 2 }, { n, groups: 2 }])
        expect(() => penaltyAndGradient(kernel, { ...o, out: out as Float64Array })).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
    };
    refuse([0, 1], /options.out must be a Float64Array, got an array/, "ERR_ARGUMENT");
    refuse(new Float32Array(length), /options.out must be a Float64Array, got Float32Array/, "ERR_ARGUMENT");
    refuse(new Float64Array(length + 1), new RegExp(`options.out must have the kernel's ${length} entries, got ${length + 1}`), "ERR_SHAPE");
    refuse(kernel.data, /options.out must not overlap kernel.data/, "ERR_ARGUMENT");
    // A view of the same buffer that overlaps the kernel's range in part, and one that does not.
    const shared = new Float64Array(3 * length);
    const inShared = createKernel(randomData(k, g, h, 11), [k, k, g, h]);
    const kernelView = { shape: inShared.shape, data: shared.subarray(length, 2 * length) };
    kernelView.data.set(inShared.data);
    expect(() => penaltyAndGradient(kernelView, { n, out: shared.subarray(length / 2, length / 2 + length) })).toThrow(/must not overlap/);
    const apart = shared.subarray(2 * length, 3 * length);
    expect(penaltyAndGradient(kernelView, { n, out: apart }).gradient.data).toBe(apart);
    expect(Array.from(apart)).toEqual(Array.from(penaltyAndGradient(inShared, { n }).gradient.data));
  });
});
