/**
 * The error story: every rejection carries a documented code and a message naming the argument
 * or file and the constraint. These pin the messages added by the hardening pass.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConvregError,
  createKernel,
  formatKernel,
  isConvregError,
  kernelFromNested,
  kernelToOIHW,
  parseKernel,
  parseNpy,
  penalty,
  penaltyAndGradient,
  singularValues,
  writeKernelFile,
} from "../lib/index.js";
import { nativeError } from "../lib/core/errors.js";
import { native } from "../lib/native/addon.js";
import { UsageError } from "../lib/cli/args.js";

function thrown(f: () => unknown): Error & { code?: string } {
  try {
    f();
  } catch (e) {
    expect(isConvregError(e)).toBe(true);
    return e as Error & { code?: string };
  }
  throw new Error("expected a throw");
}

const good = createKernel([1, 2, 3, 4], [1, 1, 2, 2]);

describe("messages added by the hardening pass", () => {
  it.each([
    ["undefined is named once", () => penalty(good, {} as never), TypeError, "ERR_ARGUMENT", "options.n must be a number, got undefined"],
    ["sparse shape array", () => createKernel([], new Array(4)), RangeError, "ERR_SHAPE", "shape[0] (k) must be an integer between 1 and 1024, got undefined"],
    ["nested layout", () => kernelFromNested([[[[1]]]], "nchw" as never), RangeError, "ERR_ARGUMENT", 'layout must be one of "hwio", "oihw", got "nchw"'],
    [
      "kernelToOIHW of a non-kernel",
      () => kernelToOIHW({ shape: [1, 1, 1, 1] } as never),
      TypeError,
      "ERR_ARGUMENT",
      "kernel.data must be a Float64Array, got undefined (use createKernel to convert)",
    ],
    ["formatKernel format", () => formatKernel(good, "csv" as never), RangeError, "ERR_ARGUMENT", 'format must be one of "npy", "json", got "csv"'],
    ["parseNpy of a string", () => parseNpy("abc" as never), TypeError, "ERR_ARGUMENT", 'bytes must be a Uint8Array or Buffer, got "abc"'],
    ["parseKernel options", () => parseKernel(new Uint8Array(4), "k.json", null as never), TypeError, "ERR_ARGUMENT", "options must be an object, got null"],
    [
      "usage errors are coded",
      () => {
        throw new UsageError("--n is required");
      },
      TypeError,
      "ERR_ARGUMENT",
      "--n is required",
    ],
  ])("%s", (_label, f, type, code, message) => {
    const e = thrown(f);
    expect(e).toBeInstanceOf(type);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
  });

  it("a result that overflows double precision is ERR_NONFINITE, never Infinity or NaN", () => {
    const huge = createKernel([1e200, -1e200, 1e200, 1e200], [1, 1, 2, 2]);
    const e = thrown(() => penalty(huge, { n: 2, engine: "dense" }));
    expect(e.code).toBe("ERR_NONFINITE");
    expect(e.message).toBe("convreg: densePenalty produced Infinity (the result overflows double precision); scale the kernel or alpha down");
    expect(thrown(() => penaltyAndGradient(good, { n: 2, alpha: 1e300 })).code).toBe("ERR_NONFINITE");
    // Singular values scale with K: every route stays finite and scales exactly.
    for (const method of ["svd", "gram"] as const) {
      const s = singularValues(huge, { n: 2, method });
      const unit = singularValues(createKernel([1, -1, 1, 1], [1, 1, 2, 2]), { n: 2, method });
      s.forEach((v, i) => expect(v / 1e200).toBeCloseTo(unit[i], 10));
    }
  });

  it("native errors keep a `code` property that is a convreg code; others are ERR_NATIVE", () => {
    const coded = Object.assign(new Error("Lanczos did not converge in 300 steps"), { code: "ERR_NOT_CONVERGED" });
    expect(nativeError(coded)).toMatchObject({ code: "ERR_NOT_CONVERGED", message: "Lanczos did not converge in 300 steps", cause: coded });
    expect(nativeError(Object.assign(new Error("x"), { code: "ERR_BOGUS" }))).toMatchObject({ code: "ERR_NATIVE", message: "convreg: x" });
    // The code is read from the property only: text in the message is just text.
    expect(nativeError(new Error("[ERR_NOT_CONVERGED] x"))).toMatchObject({ code: "ERR_NATIVE", message: "convreg: [ERR_NOT_CONVERGED] x" });
    expect(nativeError("std::bad_alloc")).toBeInstanceOf(ConvregError);
  });

  it("a kernel whose getters change after validation cannot make the native call read past its data", () => {
    let reads = 0;
    const liar = {
      get shape() {
        return reads++ === 0 ? [1, 1, 2, 2] : [5, 5, 64, 64];
      },
      data: good.data,
    };
    expect(penalty(liar as never, { n: 3 })).toBe(penalty(good, { n: 3 }));
  });

  it("the binding re-checks the kernel length against k*k*g*h", () => {
    expect(() => (native.densePenalty as (...a: unknown[]) => number)(new Float64Array(4), 5, 64, 64, 3, 1)).toThrow(/length does not match/);
    expect(() => (native.densePenalty as (...a: unknown[]) => number)(new Float64Array(1), 1, 1, 1, 0, 1)).toThrow(/out of range/);
  });

  it("file writes that fail name the file with ERR_KERNEL_FILE", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "convreg-err-"));
    const target = path.join(dir, "missing-dir", "k.npy");
    await expect(writeKernelFile(target, good)).rejects.toMatchObject({ code: "ERR_KERNEL_FILE", message: `${target}: cannot write the file (ENOENT)` });
    await expect(writeKernelFile("", good)).rejects.toMatchObject({ code: "ERR_ARGUMENT", message: 'path must be a non-empty file name, got ""' });
  });
});
