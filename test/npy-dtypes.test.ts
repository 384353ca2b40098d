/**
 * .npy files as numpy writes them: float16/32/64 in either byte order, Fortran order, format
 * versions 1-3. Every byte image is built here with DataView (header text and data), not with
 * lib code. (test/fixtures/make_fixtures.py also writes numpy-made files of the same kind.)
 */
import { describe, expect, it } from "vitest";
import { float16ToNumber } from "../lib/io/npy.js";
import { parseKernel, parseNpy } from "../lib/index.js";

type Order = "<" | ">";

/** A .npy image: magic, version, header length, padded header dict, then the raw data bytes. */
function npyImage(descr: string, fortran: boolean, shape: number[], data: Uint8Array, major = 1): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${shapeText}, }`;
  const lengthBytes = major === 1 ? 2 : 4;
  const pad = (64 - ((8 + lengthBytes + dict.length + 1) % 64)) % 64;
  const header = dict + " ".repeat(pad) + "\n";
  const out = new Uint8Array(8 + lengthBytes + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[8 + lengthBytes + i] = header.charCodeAt(i);
  out.set(data, 8 + lengthBytes + header.length);
  return out;
}

/** Values as float32 or float64 bytes in the given byte order. */
function floatBytes(values: number[], size: 4 | 8, order: Order): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => (size === 8 ? view.setFloat64(8 * i, v, order === "<") : view.setFloat32(4 * i, v, order === "<")));
  return out;
}

/** Raw 16-bit patterns in the given byte order. */
function halfBytes(bits: number[], order: Order): Uint8Array {
  const out = new Uint8Array(bits.length * 2);
  const view = new DataView(out.buffer);
  bits.forEach((b, i) => view.setUint16(2 * i, b, order === "<"));
  return out;
}

// A (2, 3, 2, 2) array with entry [a, b, c, d] = a*12 + b*4 + c*2 + d + 0.5 (exact in float16).
const shape = [2, 3, 2, 2];
const cValues: number[] = [];
const fValues: number[] = []; // the same array in Fortran order: first index fastest
for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 2; c++) for (let d = 0; d < 2; d++) cValues.push(a * 12 + b * 4 + c * 2 + d + 0.5);
for (let d = 0; d < 2; d++) for (let c = 0; c < 2; c++) for (let b = 0; b < 3; b++) for (let a = 0; a < 2; a++) fValues.push(a * 12 + b * 4 + c * 2 + d + 0.5);

/** The binary16 pattern of a small positive value n + 0.5 (n < 32), by hand: 1.f x 2^e. */
function halfOf(v: number): number {
  const e = Math.floor(Math.log2(v));
  return ((e + 15) << 10) | ((v / 2 ** e - 1) * 1024);
}

describe("float dtypes in both byte orders", () => {
  for (const order of ["<", ">"] as const)
    for (const major of [1, 2, 3]) {
      it(`${order}f8, ${order}f4 and ${order}f2, format ${major}.0, C order`, () => {
        const f8 = parseNpy(npyImage(`${order}f8`, false, shape, floatBytes(cValues, 8, order), major), "a.npy");
        const f4 = parseNpy(npyImage(`${order}f4`, false, shape, floatBytes(cValues, 4, order), major), "b.npy");
        const f2 = parseNpy(npyImage(`${order}f2`, false, shape, halfBytes(cValues.map(halfOf), order), major), "c.npy");
        for (const [arr, dtype] of [
          [f8, `${order}f8`],
          [f4, `${order}f4`],
          [f2, `${order}f2`],
        ] as const) {
          expect(arr.dtype).toBe(dtype);
          expect(arr.shape).toEqual(shape);
          expect(arr.fortranOrder).toBe(false);
          expect(Array.from(arr.data)).toEqual(cValues);
        }
      });
    }

  it('"=" and no prefix mean this machine\'s order, as numpy reads them', () => {
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    const native: Order = little ? "<" : ">";
    for (const descr of ["=f8", "f8"]) {
      const arr = parseNpy(npyImage(descr, false, shape, floatBytes(cValues, 8, native)), "n.npy");
      expect(arr.dtype).toBe(`${native}f8`);
      expect(Array.from(arr.data)).toEqual(cValues);
    }
  });

  it("a big-endian float64 kernel file reads as the same kernel as its little-endian twin", () => {
    const kshape = [3, 3, 1, 2];
    const values = Array.from({ length: 18 }, (_, i) => (i - 9) / 7);
    const big = parseKernel(npyImage(">f8", false, kshape, floatBytes(values, 8, ">")), "big.npy");
    const little = parseKernel(npyImage("<f8", false, kshape, floatBytes(values, 8, "<")), "little.npy");
    expect(Array.from(big.data)).toEqual(values);
    expect(Array.from(big.data)).toEqual(Array.from(little.data));
  });
});

describe("fortran_order: True", () => {
  for (const [descr, bytes] of [
    ["<f8", floatBytes(fValues, 8, "<")],
    [">f4", floatBytes(fValues, 4, ">")],
    ["<f2", halfBytes(fValues.map(halfOf), "<")],
  ] as const)
    it(`${descr}: the 4-D array is returned in C order`, () => {
      const arr = parseNpy(npyImage(descr, true, shape, bytes), "f.npy");
      expect(arr.fortranOrder).toBe(true);
      expect(arr.shape).toEqual(shape);
      expect(Array.from(arr.data)).toEqual(cValues);
    });

  it("a Fortran-order HWIO kernel file gives entry [p, q, d, c] at its HWIO place", () => {
    const [k, g, h] = [3, 2, 4];
    const value = (p: number, q: number, d: number, c: number) => 1000 * p + 100 * q + 10 * d + c;
    const fortran: number[] = [];
    for (let c = 0; c < h; c++) for (let d = 0; d < g; d++) for (let q = 0; q < k; q++) for (let p = 0; p < k; p++) fortran.push(value(p, q, d, c));
    const kernel = parseKernel(npyImage("<f8", true, [k, k, g, h], floatBytes(fortran, 8, "<")), "fortran.npy");
    for (let p = 0; p < k; p++)
      for (let q = 0; q < k; q++) for (let d = 0; d < g; d++) for (let c = 0; c < h; c++) expect(kernel.data[((p * k + q) * g + d) * h + c]).toBe(value(p, q, d, c));
  });

  it("1-D, 0-D and empty arrays are the same in either order", () => {
    expect(Array.from(parseNpy(npyImage("<f8", true, [3], floatBytes([1, 2, 3], 8, "<")), "v.npy").data)).toEqual([1, 2, 3]);
    expect(Array.from(parseNpy(npyImage("<f8", true, [], floatBytes([7], 8, "<")), "s.npy").data)).toEqual([7]);
    expect(parseNpy(npyImage("<f8", true, [2, 0, 3], new Uint8Array(0)), "e.npy").data.length).toBe(0);
  });
});

describe("float16 decoding", () => {
  // Hand-computed binary16 values: sign | exponent (5 bits, bias 15) | fraction (10 bits).
  const cases: Array<[number, number]> = [
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 1365 / 4096], // 2^-2 x (1 + 341/1024)
    [0x7bff, 65504], // largest finite: 2^15 x (2 - 2^-10)
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x8200, -(2 ** -15)], // negative subnormal 512 x 2^-24
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  it.each(cases)("bits 0x%s", (bits, value) => {
    expect(float16ToNumber(bits)).toBe(value);
  });

  it("negative zero and NaN", () => {
    expect(Object.is(float16ToNumber(0x8000), -0)).toBe(true);
    for (const bits of [0x7e00, 0x7c01, 0xfe00]) expect(float16ToNumber(bits)).toBeNaN();
  });

  it("a file of subnormals, extremes and signs decodes to those values in both byte orders", () => {
    for (const order of ["<", ">"] as const) {
      const arr = parseNpy(
        npyImage(
          `${order}f2`,
          false,
          [1, 1, 1, cases.length],
          halfBytes(
            cases.map((c) => c[0]),
            order,
          ),
        ),
        "h.npy",
      );
      expect(Array.from(arr.data)).toEqual(cases.map((c) => c[1]));
    }
  });

  it("NaN or Inf in a float16 kernel is refused as for the wider dtypes", () => {
    for (const bad of [0x7e00, 0x7c00, 0xfc00]) {
      const bits = [0x3c00, 0x3c00, bad, 0x3c00];
      expect(() => parseKernel(npyImage("<f2", false, [1, 1, 2, 2], halfBytes(bits, "<")), "bad.npy")).toThrow(
        expect.objectContaining({ code: "ERR_KERNEL_FILE", message: expect.stringMatching(/^bad\.npy: .*(finite|NaN|Infinity)/) }),
      );
    }
  });
});

describe("refused dtypes", () => {
  it.each(["<c16", "<c8", "|O", "<i4", ">i8", "|u1", "|b1", "|f8", "<f16", "<U3", "|S4", "<M8[s]"])("%s is ERR_NPY_HEADER naming the file and the dtype", (descr) => {
    const image = npyImage(descr, false, [1, 1, 1, 1], new Uint8Array(8));
    expect(() => parseNpy(image, "weights.npy")).toThrow(
      expect.objectContaining({
        code: "ERR_NPY_HEADER",
        message: expect.stringContaining(`weights.npy: not a readable .npy kernel: dtype ${JSON.stringify(descr)} is not supported`),
      }),
    );
    expect(() => parseKernel(image, "weights.npy")).toThrow(expect.objectContaining({ code: "ERR_NPY_HEADER" }));
  });

  it("a float16 file whose data is one byte short is refused before reading", () => {
    expect(() => parseNpy(npyImage("<f2", false, [2, 2], new Uint8Array(7)), "short.npy")).toThrow(/needs 8 data bytes but the file has 7/);
  });
});
