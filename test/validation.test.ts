import { describe, expect, it } from "vitest";
import {
  createKernel,
  kernelFromNested,
  kernelFromOIHW,
  penalty,
  penaltyAndGradientAsync,
  singularValues,
  transformMatrix,
  setMemoryLimit,
  getMemoryLimit,
  isConvregError,
} from "../lib/index.js";

const good = createKernel([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3, 1, 1]);

function thrown(f: () => unknown): Error & { code?: string } {
  try {
    f();
  } catch (e) {
    expect(isConvregError(e)).toBe(true);
    return e as Error & { code?: string };
  }
  throw new Error("expected a throw");
}

describe("validation errors name the argument and the constraint", () => {
  it.each([
    ["data length", () => createKernel([1, 2, 3], [1, 1, 2, 2]), RangeError, "ERR_SHAPE", "data has 3 entries but shape [1, 1, 2, 2] needs 4"],
    ["shape not an array", () => createKernel([1], 5 as never), TypeError, "ERR_SHAPE", "shape must be an array [k, k, g, h] of 4 integers, got number 5"],
    ["shape of 3", () => createKernel([1], [1, 1, 1]), TypeError, "ERR_SHAPE", "shape must be an array [k, k, g, h] of 4 integers, got an array"],
    ["zero size", () => createKernel([], [0, 0, 1, 1]), RangeError, "ERR_SHAPE", "shape[0] (k) must be an integer between 1 and 1024, got number 0"],
    ["fractional channels", () => createKernel([1], [1, 1, 1.5, 1]), RangeError, "ERR_SHAPE", "shape[2] (g) must be an integer between 1 and 65536, got number 1.5"],
    ["negative channels", () => createKernel([1], [1, 1, 1, -2]), RangeError, "ERR_SHAPE", "shape[3] (h) must be an integer between 1 and 65536, got number -2"],
    ["non-square", () => createKernel([1, 2], [1, 2, 1, 1]), RangeError, "ERR_SHAPE", "shape must be square in its first two dimensions (k x k), got 1 x 2"],
    ["NaN entry", () => createKernel([1, NaN], [1, 1, 1, 2]), RangeError, "ERR_NONFINITE", "data[1] must be a finite number, got number NaN"],
    ["Infinity entry", () => createKernel([Infinity], [1, 1, 1, 1]), RangeError, "ERR_NONFINITE", "data[0] must be a finite number, got number Infinity"],
    ["data not an array", () => createKernel("abc" as never, [1, 1, 1, 1]), TypeError, "ERR_ARGUMENT", 'data must be a Float64Array, Float32Array or number array, got "abc"'],
    ["OIHW shape", () => kernelFromOIHW([1], [1, 1, 1]), TypeError, "ERR_SHAPE", "shape must be an OIHW array [h, g, k, k], got an array"],
    ["ragged nested", () => kernelFromNested([[[[1, 2]], [[3]]]]), RangeError, "ERR_SHAPE", "nested kernel[0][1][0] must be an array of length 2 (ragged arrays are not kernels)"],
    ["kernel not an object", () => penalty(3 as never, { n: 3 }), TypeError, "ERR_ARGUMENT", "kernel must be a kernel object { shape, data }, got number 3"],
    [
      "kernel data not Float64Array",
      () => penalty({ shape: [1, 1, 1, 1], data: [1] } as never, { n: 3 }),
      TypeError,
      "ERR_ARGUMENT",
      "kernel.data must be a Float64Array, got an array (use createKernel to convert)",
    ],
    [
      "kernel NaN after creation",
      () => penalty({ shape: [1, 1, 1, 1], data: new Float64Array([NaN]) }, { n: 3 }),
      RangeError,
      "ERR_NONFINITE",
      "kernel.data[0] must be a finite number, got number NaN",
    ],
    ["options missing", () => penalty(good, undefined as never), TypeError, "ERR_ARGUMENT", "options.n must be a number, got undefined"],
    ["n zero", () => penalty(good, { n: 0 }), RangeError, "ERR_RANGE", "options.n must be an integer between 1 and 1048576, got 0"],
    ["n fractional", () => penalty(good, { n: 2.5 }), RangeError, "ERR_RANGE", "options.n must be an integer, got 2.5"],
    ["n NaN", () => penalty(good, { n: NaN }), RangeError, "ERR_RANGE", "options.n must be an integer, got NaN"],
    ["n string", () => penalty(good, { n: "4" as never }), TypeError, "ERR_ARGUMENT", 'options.n must be a number, got "4"'],
    ["alpha zero", () => penalty(good, { n: 3, alpha: 0 }), RangeError, "ERR_RANGE", "alpha must be a finite number > 0, got 0"],
    ["alpha negative", () => penalty(good, { n: 3, alpha: -1 }), RangeError, "ERR_RANGE", "alpha must be a finite number > 0, got -1"],
    ["alpha infinite", () => penalty(good, { n: 3, alpha: Infinity }), RangeError, "ERR_RANGE", "alpha must be a finite number > 0, got Infinity"],
    ["alpha NaN", () => penalty(good, { n: 3, alpha: NaN }), RangeError, "ERR_RANGE", "alpha must be a finite number > 0, got NaN"],
    ["svd method", () => singularValues(good, { n: 3, method: "qr" as never }), RangeError, "ERR_ARGUMENT", 'options.method must be one of "auto", "svd", "gram", got "qr"'],
  ])("%s", (_label, f, type, code, message) => {
    const e = thrown(f);
    expect(e).toBeInstanceOf(type);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
  });
});

describe("memory guard", () => {
  it("refuses a dense M past the limit before allocating, saying how much it needs", () => {
    const big = createKernel(new Float64Array(9 * 64 * 64), [3, 3, 64, 64]);
    const e = thrown(() => transformMatrix(big, { n: 56, dense: true }));
    expect(e.code).toBe("ERR_MEMORY_LIMIT");
    // M alone is 200704^2 * 8 bytes = 300.1 GiB; the estimate includes it at least once.
    const needed = /would need ([\d.]+) (GiB|TiB)/.exec(e.message);
    expect(e.message).toMatch(/^the dense M \(200704 x 200704\) would need [\d.]+ (GiB|TiB), more than the memory limit of 2\.00 GiB/);
    expect(Number(needed![1]) * 1024 ** (needed![2] === "TiB" ? 4 : 3)).toBeGreaterThanOrEqual(200704 ** 2 * 8);
  });

  it("honours a per-call limit and a settable default", () => {
    const kernel = createKernel(new Float64Array(9 * 4), [3, 3, 2, 2]);
    expect(thrown(() => penalty(kernel, { n: 8, memoryLimit: 1000, engine: "dense" })).code).toBe("ERR_MEMORY_LIMIT");
    const before = getMemoryLimit();
    try {
      setMemoryLimit(1000);
      expect(thrown(() => singularValues(kernel, { n: 8 })).code).toBe("ERR_MEMORY_LIMIT");
    } finally {
      setMemoryLimit(before);
    }
    expect(singularValues(kernel, { n: 8 }).length).toBe(128);
    expect(thrown(() => setMemoryLimit(-1)).message).toBe("bytes must be a finite number > 0, got -1");
  });

  it("async forms reject (never throw synchronously) with the same errors", async () => {
    const p = penaltyAndGradientAsync(good, { n: -1 });
    await expect(p).rejects.toMatchObject({ code: "ERR_RANGE", message: "options.n must be an integer between 1 and 1048576, got -1" });
  });
});
