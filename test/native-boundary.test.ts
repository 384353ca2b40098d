/**
 * The native boundary: the loaded addon exports exactly the functions lib/native/functions.ts
 * lists, and the core's coded errors reach JS as a `code` property (sync throw and async rejection).
 */
import { describe, expect, it } from "vitest";
import { native, nativeAsync } from "../lib/native/addon.js";
import { NATIVE_FUNCTIONS, nativeExportNames, taskNames } from "../lib/native/functions.js";
import { createKernel } from "../lib/index.js";
import { sigmaMin, sigmaMinAsync } from "../lib/spectrum/sigma-min.js";

describe("the addon's exports", () => {
  it("are exactly the names of NATIVE_FUNCTIONS: each task as name and nameAsync, each plain function once", () => {
    const exported = Object.keys(native).sort();
    expect(exported).toEqual(nativeExportNames().sort());
    for (const name of exported) expect(typeof Reflect.get(native, name), name).toBe("function");
  });

  it("lists every task and every plain function of NATIVE_FUNCTIONS, with no duplicate", () => {
    const names = nativeExportNames();
    expect(new Set(names).size).toBe(names.length);
    const entries = Object.values(NATIVE_FUNCTIONS);
    const tasks = entries.filter((e) => e.form === "task").length;
    expect(names.length).toBe(2 * tasks + (entries.length - tasks));
    expect(taskNames().length).toBe(tasks);
  });

  it("nativeAsync holds each task's Async form under its sync name", () => {
    expect(Object.keys(nativeAsync).sort()).toEqual(taskNames().sort());
    for (const name of taskNames()) expect(Reflect.get(nativeAsync, name)).toBe(Reflect.get(native, `${name}Async`));
  });
});

describe("coded native errors", () => {
  // A Cholesky factor past factorMemoryLimit: src/sigma_min.cpp throws CodedError("ERR_MEMORY_LIMIT", ...).
  const kernel = createKernel(
    Float64Array.from({ length: 3 * 3 * 4 * 4 }, (_, i) => Math.sin(i + 1)),
    [3, 3, 4, 4],
  );
  const args = [kernel.data, 3, 4, 4, 8, 1000, 1e-10, 80, true, null] as const;
  const memoryLimitMessage = /^the Cholesky factor of the \d+ x \d+ Gram matrix .* would need [\d.]+ GiB, more than the factorMemoryLimit/;

  it("the sync form throws an Error whose code property carries the code, the message free of it", () => {
    let thrown: unknown;
    try {
      native.sigmaMin(...args);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({ code: "ERR_MEMORY_LIMIT", message: expect.stringMatching(memoryLimitMessage) });
  });

  it("the async form rejects with the same code and message", async () => {
    await expect(native.sigmaMinAsync(...args)).rejects.toMatchObject({
      code: "ERR_MEMORY_LIMIT",
      message: expect.stringMatching(memoryLimitMessage),
    });
  });

  it("uncoded native errors carry no code (they become ERR_NATIVE in lib)", () => {
    let thrown: unknown;
    try {
      native.densePenalty(new Float64Array(4), 5, 64, 64, 3, 1);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toHaveProperty("code");
  });

  it("the public sync and async calls turn them into ConvregError with that code", async () => {
    expect(() => sigmaMin(kernel, { n: 8, factorMemoryLimit: 1000 })).toThrow(
      expect.objectContaining({ name: "ConvregError", code: "ERR_MEMORY_LIMIT", message: expect.stringMatching(memoryLimitMessage) }),
    );
    await expect(sigmaMinAsync(kernel, { n: 8, factorMemoryLimit: 1000 })).rejects.toMatchObject({
      name: "ConvregError",
      code: "ERR_MEMORY_LIMIT",
      message: expect.stringMatching(memoryLimitMessage),
    });
  });
});
