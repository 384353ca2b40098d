import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createKernel, formatNpy, parseNpy, readKernelFile, writeKernelFile, kernelToOIHW } from "../lib/index.js";
import { randomData } from "./reference.js";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const fixture = (name: string) => path.join(fixtures, name);
const tmp = mkdtempSync(path.join(tmpdir(), "convreg-files-"));

describe("numpy fixtures", () => {
  it("reads float64 HWIO written by numpy (format 1.0 and 2.0, Fortran order, big-endian, big-endian float16 in Fortran order)", async () => {
    for (const name of ["hwio-f8.npy", "hwio-f8-v2.npy", "fortran.npy", "big-endian.npy", "float16.npy"]) {
      const kernel = await readKernelFile(fixture(name));
      expect(kernel.shape).toEqual([3, 3, 2, 4]);
      for (let p = 0; p < 3; p++)
        for (let q = 0; q < 3; q++)
          for (let d = 0; d < 2; d++) for (let c = 0; c < 4; c++) expect(kernel.data[((p * 3 + q) * 2 + d) * 4 + c]).toBe((((p * 3 + q) * 2 + d) * 4 + c) / 8);
    }
  });

  it("reads float32 OIHW written by numpy and transposes it to HWIO", async () => {
    const kernel = await readKernelFile(fixture("oihw-f4.npy"), { layout: "oihw" });
    expect(kernel.shape).toEqual([3, 3, 2, 4]);
    for (let c = 0; c < 4; c++)
      for (let d = 0; d < 2; d++)
        for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) expect(kernel.data[((p * 3 + q) * 2 + d) * 4 + c]).toBe((((c * 2 + d) * 3 + p) * 3 + q) * 0.25 - 2);
  });

  it.each([
    ["bool.npy", /bool\.npy: not a readable \.npy kernel: dtype "\|b1" is not supported/],
    ["complex.npy", /complex\.npy: not a readable \.npy kernel: dtype "<c16" is not supported/],
    ["three-d.npy", /a kernel needs 4 dimensions, the array has shape \(3, 3, 2\)/],
  ])("refuses %s with a clear error", async (name, message) => {
    await expect(readKernelFile(fixture(name))).rejects.toThrow(message);
    await expect(readKernelFile(fixture(name))).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_(NPY_HEADER|KERNEL_FILE)$/) });
  });
});

describe("npy parsing of hostile bytes", () => {
  const good = readFileSync(fixture("hwio-f8.npy"));
  it.each([
    ["bad magic", () => Buffer.from("NOTNUMPY00"), /bad magic/],
    ["unknown version", () => Buffer.concat([good.subarray(0, 6), Buffer.from([9, 0]), good.subarray(8)]), /unsupported format version 9\.0/],
    [
      "header length past the end",
      () => {
        const b = Buffer.from(good);
        b.writeUInt16LE(60000, 8);
        return b;
      },
      /runs past the end/,
    ],
    ["truncated data", () => good.subarray(0, good.length - 8), /needs 576 data bytes but the file has 568/],
    ["extra data", () => Buffer.concat([good, Buffer.alloc(8)]), /needs 576 data bytes but the file has 584/],
    [
      "missing shape",
      () => {
        const b = Buffer.from(good);
        b.write("'shapE'", b.indexOf("'shape'"));
        return b;
      },
      /lacks descr, fortran_order or shape/,
    ],
    [
      "negative shape",
      () => {
        const b = Buffer.from(good);
        b.write("(-3, 3", b.indexOf("(3, 3"));
        return b;
      },
      /shape entry "-3" is not a non-negative integer/,
    ],
    ["too short", () => good.subarray(0, 9), /bad magic|header length/],
  ])("%s", (_label, make, message) => {
    expect(() => parseNpy(make(), "x.npy")).toThrow(message);
  });
});

describe("round trips", () => {
  const kernel = createKernel(randomData(3, 2, 5, 11), [3, 3, 2, 5]);
  it.each([
    ["k.npy", "hwio"],
    ["k.npy", "oihw"],
    ["k.json", "hwio"],
    ["k.json", "oihw"],
  ] as const)("%s in %s", async (name, layout) => {
    const file = path.join(tmp, `${layout}-${name}`);
    await writeKernelFile(file, kernel, { layout });
    const back = await readKernelFile(file, name.endsWith(".npy") ? { layout } : {});
    expect(back.shape).toEqual(kernel.shape);
    expect(Array.from(back.data)).toEqual(Array.from(kernel.data));
  });

  it("writes .npy bytes numpy would accept: magic, 64-byte aligned header, <f8, C order", () => {
    const bytes = formatNpy([3, 3, 2, 5], kernel.data);
    const headerLength = bytes[8] + 256 * bytes[9];
    expect((10 + headerLength) % 64).toBe(0);
    const header = Buffer.from(bytes.subarray(10, 10 + headerLength)).toString("latin1");
    expect(header).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(3, 3, 2, 5\), \} *\n$/);
    const view = new DataView(bytes.buffer, bytes.byteOffset + 10 + headerLength);
    expect(view.getFloat64(8 * 7, true)).toBe(kernel.data[7]);
  });

  it("OIHW JSON stores data in OIHW order", async () => {
    const file = path.join(tmp, "order.json");
    await writeKernelFile(file, kernel, { layout: "oihw" });
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc.shape).toEqual([5, 2, 3, 3]);
    expect(doc.layout).toBe("oihw");
    expect(doc.data).toEqual(Array.from(kernelToOIHW(kernel)));
  });
});

describe("JSON kernel errors", () => {
  const write = (name: string, text: string) => {
    const file = path.join(tmp, name);
    writeFileSync(file, text);
    return file;
  };
  it.each([
    ["not json", "{shape:", /neither a \.npy file nor valid JSON/],
    ["array", "[1,2]", /JSON kernel must be an object/],
    ["no shape", '{"data":[1]}', /"shape" must be an array of 4 integers/],
    ["no data", '{"shape":[1,1,1,1]}', /"data" must be a flat array of numbers/],
    ["short data", '{"shape":[1,1,1,2],"data":[1]}', /data has 1 entries but shape \[1, 1, 1, 2\] needs 2/],
    ["bad layout", '{"shape":[1,1,1,1],"layout":"nchw","data":[1]}', /layout must be one of "hwio", "oihw", got "nchw"/],
    ["string entry", '{"shape":[1,1,1,1],"data":["a"]}', /data\[0\] must be a finite number, got "a"/],
    ["non-square", '{"shape":[3,2,1,1],"data":[1,2,3,4,5,6]}', /must be square in its first two dimensions/],
  ])("%s", async (name, text, message) => {
    const file = write(`${name.replace(/ /g, "-")}.json`, text);
    const err = await readKernelFile(file).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_KERNEL_FILE" });
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message.startsWith(file)).toBe(true);
  });

  it("names a missing file", async () => {
    await expect(readKernelFile(path.join(tmp, "missing.npy"))).rejects.toThrow(/missing\.npy: cannot read the file \(ENOENT\)/);
  });
});
